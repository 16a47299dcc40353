"""Computing a round's results in SQL, for the whole round at once (a fixed number of statements whatever
the number of targets).

For each result and leaf indicator an IndicatorResult row is written:
- manual: the sources' points averaged with the version's source weights, over the sources that scored
  (a source that has not scored does not count as zero); `points` = score ÷ max × share;
- derived: the metric's records counted against those expected, through the formula (metrics.py).
Each `points` is rounded to 0.01 and the total is their sum, so a breakdown always adds up to its total.

Then for the round: `mean_total` = the mean of the totals; for each result `data_points` = the manual
scores plus one per derived indicator, and the rank score (排名分) pulls a total with few data points
toward the mean:

    adjusted = (n × total + k × mean) ÷ (n + k)        n = data points, k = the office's prior weight

so one lone rating cannot put anyone first or last (a Bayesian average; k = 0 ranks by the total).
Ranks are by `adjusted`, ties sharing a rank (RANK() OVER ...)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Func, IntegerField, Value, When
from django.db.models.functions import Least
from django.db.models.functions import Round as Rounded

from . import metrics
from .models import Formula, Indicator, IndicatorResult, Result, Round, Score, Settings

_DECIMAL = DecimalField(max_digits=20, decimal_places=6)


class AsDecimal(Func):
    """A count as a decimal for division (SQLite would divide two integers as integers)."""

    template = "(%(expressions)s * 1.0)"
    output_field = _DECIMAL


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def prior_weight(organisation) -> Decimal:
    """The office's prior weight for `organisation`: the nearest ancestor's (or its own) settings."""
    row = (
        Settings.objects.filter(organisation__path__in=[*organisation.ancestor_paths(), organisation.path])
        .order_by("-organisation__depth")
        .values_list("prior_weight", flat=True)
        .first()
    )
    return Decimal("3") if row is None else row


def period_of(round_: Round) -> metrics.Period:
    return metrics.Period(round_.period_start, round_.period_end)


def compute(round_: Round) -> None:
    """Compute the indicator rows, totals and ranks of the whole round (when it closes)."""
    results = Result.objects.filter(round=round_)
    IndicatorResult.objects.filter(result__round=round_).delete()
    _manual(round_, None)
    for indicator in round_.version.indicators.filter(kind=Indicator.Kind.DERIVED, children__isnull=True):
        _derived(round_, indicator, results)
    _totals(round_, None)
    rank(round_)


def recompute_result(round_: Round, result_id: int) -> None:
    """After a revision: the manual indicator rows and total of one result, then the round's ranks. The
    derived indicators keep what they counted when the round closed."""
    IndicatorResult.objects.filter(result_id=result_id, indicator__kind=Indicator.Kind.MANUAL).delete()
    _manual(round_, result_id)
    _totals(round_, result_id)
    rank(round_)


def _manual(round_: Round, result_id: int | None) -> None:
    weights = round_.version.source_weights()
    active = [(source, weight) for source, weight in weights.items() if weight > 0]
    if not active:
        return
    case = "CASE s.source " + " ".join("WHEN %s THEN %s" for _ in active) + " END"
    case_params: list[object] = []
    for source, weight in active:
        case_params += [source, weight]
    only = "AND s.result_id = %s" if result_id is not None else ""
    sql = f"""
        INSERT INTO {_table(IndicatorResult)} (result_id, indicator_id, score, points, sources)
        SELECT s.result_id, s.indicator_id,
               ROUND(SUM(s.points * {case}) * 1.0 / SUM({case}), 2),
               ROUND(SUM(s.points * {case}) * 1.0 / SUM({case}) / i.max_points * i.share, 2),
               COUNT(*)
        FROM {_table(Score)} s
        JOIN {_table(Result)} r ON r.id = s.result_id
        JOIN {_table(Indicator)} i ON i.id = s.indicator_id
        WHERE r.round_id = %s AND s.source IN ({", ".join("%s" for _ in active)}) {only}
        GROUP BY s.result_id, s.indicator_id, i.max_points, i.share
    """
    params = case_params * 4 + [round_.pk, *(source for source, _ in active)]
    if result_id is not None:
        params.append(result_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _derived(round_: Round, indicator: Indicator, results) -> None:
    kind = round_.version.scheme.target_kind
    counted, expected = metrics.expressions(indicator.metric, kind, period_of(round_))
    max_points = Value(indicator.max_points, output_field=_DECIMAL)
    if indicator.formula == Formula.CAPPED:
        n = Decimal(indicator.parameter or 1)
        expected_expr = Value(int(n), output_field=IntegerField())
        fraction = Least(
            AsDecimal(counted) / Value(n, output_field=_DECIMAL),
            Value(Decimal(1), output_field=_DECIMAL),
        )
    else:
        if indicator.parameter:
            expected_expr = Value(indicator.parameter, output_field=IntegerField())
        else:
            expected_expr = expected if expected is not None else Value(0, output_field=IntegerField())
        fraction = Case(
            When(expected_value__lte=0, then=Value(Decimal(1), output_field=_DECIMAL)),
            default=Least(
                AsDecimal(F("counted_value")) / AsDecimal(F("expected_value")),
                Value(Decimal(1), output_field=_DECIMAL),
            ),
            output_field=_DECIMAL,
        )
    share = Value(indicator.share, output_field=_DECIMAL)
    rows = results.annotate(counted_value=counted, expected_value=expected_expr).annotate(
        score_value=Rounded(ExpressionWrapper(max_points * fraction, output_field=_DECIMAL), 2),
        points_value=Rounded(ExpressionWrapper(share * fraction, output_field=_DECIMAL), 2),
        indicator_value=Value(indicator.pk, output_field=IntegerField()),
        sources_value=Value(1, output_field=IntegerField()),
    )
    select = rows.values_list(
        "pk",
        "indicator_value",
        "score_value",
        "points_value",
        "sources_value",
        "counted_value",
        "expected_value",
    )
    sql, params = select.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(IndicatorResult)} "
            "(result_id, indicator_id, score, points, sources, counted, expected) " + sql,
            params,
        )


def _totals(round_: Round, result_id: int | None) -> None:
    ir = _table(IndicatorResult)
    result = _table(Result)
    only = "AND id = %s" if result_id is not None else ""
    params: list[object] = [round_.pk] + ([result_id] if result_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {result} SET
                total = COALESCE((SELECT SUM(x.points) FROM {ir} x WHERE x.result_id = {result}.id), 0),
                data_points = COALESCE((SELECT SUM(x.sources) FROM {ir} x WHERE x.result_id = {result}.id), 0)
            WHERE round_id = %s {only}
            """,
            params,
        )


def rank(round_: Round) -> None:
    """The round's mean, every result's rank score and rank (after a close or a revision)."""
    k = prior_weight(round_.organisation)
    result = _table(Result)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Round)} SET mean_total = "
            f"(SELECT ROUND(AVG(total) * 1.0, 2) FROM {result} WHERE round_id = %s) WHERE id = %s",
            [round_.pk, round_.pk],
        )
        cursor.execute(
            f"""
            UPDATE {result} SET adjusted = CASE
                WHEN data_points + %s = 0 THEN total
                ELSE ROUND((data_points * total + %s * (SELECT mean_total FROM {_table(Round)} WHERE id = %s))
                           * 1.0 / (data_points + %s), 2)
            END
            WHERE round_id = %s
            """,
            [k, k, round_.pk, k, round_.pk],
        )
        cursor.execute(
            f"""
            UPDATE {result} SET rank = ranked.position
            FROM (SELECT id, RANK() OVER (ORDER BY adjusted DESC) AS position
                  FROM {result} WHERE round_id = %s) AS ranked
            WHERE ranked.id = {result}.id
            """,
            [round_.pk],
        )
    round_.refresh_from_db(fields=["mean_total"])
