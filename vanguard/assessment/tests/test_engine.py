"""The engine's rules: versions, derived indicators, totals and breakdowns, the fair rank score, the
refusals the issue names, revisions keeping the old numbers, and a whole round in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import compute, services
from vanguard.assessment.models import IndicatorResult, Result, Round, Score, Source
from vanguard.audit.models import AuditRecord
from vanguard.org.models import Member, Person
from vanguard.reports.models import MonthlyReport
from vanguard.reports.tests import factories as report_factories

from . import factories as f

pytestmark = pytest.mark.django_db


def _result(round_: Round, member: Member) -> Result:
    return Result.objects.get(round=round_, member=member)


def _close(round_: Round) -> Round:
    return services.round_transition(actor=SYSTEM, round_=round_, action="close")


def test_opening_a_round_creates_a_result_for_each_member_in_scope(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    assert set(round_.results.values_list("member_id", flat=True)) == {world.member_a.pk, world.member_b.pk}
    result = _result(round_, world.member_a)
    assert (result.unit, result.branch, result.name) == (world.branch_a, world.branch_a, "王建国")


def test_a_member_of_a_group_belongs_to_the_groups_branch(world):
    in_group = Member.objects.create(
        person=Person.objects.create(name="赵小组"), organisation=world.group_a, join_date=dt.date(2010, 1, 1)
    )
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, in_group)
    assert (result.unit, result.branch) == (world.group_a, world.branch_a)


def test_editing_a_scheme_in_use_makes_a_new_version_and_the_round_keeps_its_own(world):
    scheme = f.member_scheme(world.committee)
    round_ = f.quarter_round(scheme, world.committee)
    first = round_.version
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "廉洁自律", "weight": 10, "max_points": 10, "kind": "manual"},
    )
    latest = services.latest_version(scheme)
    assert latest.number == first.number + 1
    assert latest.indicators.filter(name="廉洁自律").exists()
    round_.refresh_from_db()
    assert round_.version == first
    assert not first.indicators.filter(name="廉洁自律").exists()
    # The same indicator keeps its key across versions.
    assert set(first.indicators.values_list("key", flat=True)) < set(
        latest.indicators.values_list("key", flat=True)
    )


def test_shares_split_the_hundred_points_by_weight(world):
    scheme = f.member_scheme(world.committee)
    shares = dict(services.latest_version(scheme).indicators.values_list("name", "share"))
    assert shares == {
        "思想政治": Decimal("30"),
        "工作实绩": Decimal("40"),
        "责任区工作": Decimal("20"),
        "月度汇报": Decimal("20"),
        "联系群众": Decimal("30"),
    }


def test_a_derived_indicator_counts_the_records_in_sql(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    submitted = timezone.make_aware(dt.datetime(2026, 7, 3))
    for month in (7, 8):
        MonthlyReport.objects.create(
            member=world.member_a, month=dt.date(2026, month, 1), work_done="巡线", submitted_at=submitted
        )
    # A report returned for correction, and one outside the period, do not count.
    MonthlyReport.objects.create(
        member=world.member_a, month=dt.date(2026, 9, 1), work_done="x", status=MonthlyReport.Status.RETURNED
    )
    MonthlyReport.objects.create(member=world.member_a, month=dt.date(2026, 6, 1), work_done="x")
    contact = Person.objects.create(name="居民甲")
    assignment = report_factories.contact(world.member_a, contact, year=2026, assigned_on=dt.date(2026, 1, 5))
    report_factories.contact(
        world.member_a, Person.objects.create(name="居民乙"), year=2026, assigned_on=dt.date(2026, 1, 5)
    )
    report_factories.talk(assignment, held_on=dt.date(2026, 8, 2))
    round_ = _close(round_)
    rows = {
        row.indicator.name: row
        for row in IndicatorResult.objects.filter(
            result__round=round_, result__member=world.member_a
        ).select_related("indicator")
    }
    reports = rows["月度汇报"]
    assert (reports.counted, reports.expected) == (2, 3)
    assert reports.score == Decimal("6.67") and reports.points == Decimal("13.33")
    contacts = rows["联系群众"]
    assert (contacts.counted, contacts.expected) == (1, 2)
    assert contacts.points == Decimal("15.00")


def test_the_breakdown_sums_to_the_total_and_sources_are_weighted(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, world.member_a)
    f.score(round_, result, "思想政治", "8", Source.ORGANISATION)
    f.score(round_, result, "思想政治", "10", Source.SELF)
    f.score(round_, result, "思想政治", "7.3", Source.MASSES)
    f.score(round_, result, "责任区工作", "9.1")
    _close(round_)
    result.refresh_from_db()
    rows = {row.indicator.name: row for row in result.indicator_results.select_related("indicator")}
    # (8×60 + 10×20 + 7.3×20) ÷ 100 = 8.26 of 10 → 24.78 of 30
    assert rows["思想政治"].score == Decimal("8.26") and rows["思想政治"].points == Decimal("24.78")
    assert rows["思想政治"].sources == 3
    assert sum(row.points for row in rows.values()) == result.total
    assert result.total == Decimal("24.78") + Decimal("18.20") + Decimal("0") + Decimal("30")


def test_a_source_that_did_not_score_does_not_count_as_zero(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, world.member_a)
    f.score(round_, result, "思想政治", "9", Source.ORGANISATION)
    _close(round_)
    assert result.indicator_results.get(indicator__name="思想政治").score == Decimal("9.00")


def _two_indicator_scheme(world):
    scheme = services.scheme_create(
        actor=SYSTEM,
        organisation=world.committee,
        name="两项指标",
        target_kind="member",
        period="quarter",
        weights={"weight_self": 20, "weight_masses": 20, "weight_organisation": 60},
    )
    for name in ("思想政治", "责任区工作"):
        services.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={"name": name, "weight": 1, "max_points": 10, "kind": "manual"},
        )
    return scheme


def test_few_data_points_are_pulled_toward_the_mean(world):
    """A lone full mark from one source (member B) does not outrank a high total that three sources agree
    on (member A)."""
    for i in range(4):
        Member.objects.create(
            person=Person.objects.create(name=f"党员{i}"),
            organisation=world.branch_a,
            join_date=dt.date(2010, 1, 1),
        )
    round_ = f.quarter_round(_two_indicator_scheme(world), world.committee)
    a, b = _result(round_, world.member_a), _result(round_, world.member_b)
    for result in round_.results.exclude(pk__in=[a.pk, b.pk]):
        for source in (Source.ORGANISATION, Source.SELF, Source.MASSES):
            f.score(round_, result, "思想政治", "6", source)
            f.score(round_, result, "责任区工作", "6", source)
    for source in (Source.ORGANISATION, Source.SELF, Source.MASSES):
        f.score(round_, a, "思想政治", "9", source)
        f.score(round_, a, "责任区工作", "9", source)
    f.score(round_, b, "思想政治", "10")
    f.score(round_, b, "责任区工作", "10")
    round_ = _close(round_)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.total, b.total) == (Decimal("90"), Decimal("100"))
    assert (a.data_points, b.data_points) == (6, 2)
    k, mean = compute.prior_weight(world.committee), round_.mean_total
    assert mean == Decimal("71.67")
    assert a.adjusted == ((6 * a.total + k * mean) / (6 + k)).quantize(Decimal("0.01"))
    assert b.adjusted == ((2 * b.total + k * mean) / (2 + k)).quantize(Decimal("0.01"))
    assert (a.rank, b.rank) == (1, 2)


def test_a_prior_weight_of_zero_ranks_by_the_total(world):
    from vanguard.assessment.models import Settings

    Settings.objects.create(organisation=world.committee, prior_weight=0)
    round_ = f.quarter_round(_two_indicator_scheme(world), world.committee)
    a, b = _result(round_, world.member_a), _result(round_, world.member_b)
    f.score(round_, a, "思想政治", "9")
    f.score(round_, b, "思想政治", "10")
    _close(round_)
    assert list(round_.results.order_by("rank").values_list("name", "adjusted", "rank")) == [
        ("李红梅", Decimal("50.00"), 1),
        ("王建国", Decimal("45.00"), 2),
    ]


def test_a_score_above_the_maximum_is_refused(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    with pytest.raises(ValidationError) as exc:
        f.score(round_, _result(round_, world.member_a), "思想政治", "10.5")
    assert "满分10分" in exc.value.message_dict["points"][0]
    assert not Score.objects.exists()


def test_a_score_in_a_closed_round_is_refused(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    _close(round_)
    with pytest.raises(ValidationError) as exc:
        f.score(round_, _result(round_, world.member_a), "思想政治", "8")
    assert "已结束" in exc.value.messages[0]
    assert not Score.objects.exists()


def test_a_score_in_a_draft_round_is_refused(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee, open_=False)
    assert not round_.results.exists()


def test_a_self_assessment_for_someone_else_is_refused(world, member_a):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    f.score(round_, _result(round_, world.member_a), "思想政治", "9", Source.SELF, actor=member_a)
    with pytest.raises(PermissionDenied) as exc:
        f.score(round_, _result(round_, world.member_b), "思想政治", "9", Source.SELF, actor=member_a)
    assert "本人" in str(exc.value)
    assert Score.objects.count() == 1


def test_a_member_cannot_enter_the_organisations_part(world, member_a):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    with pytest.raises(PermissionDenied):
        f.score(
            round_, _result(round_, world.member_a), "思想政治", "10", Source.ORGANISATION, actor=member_a
        )


def test_a_secretary_scores_their_own_branch_only(world, secretary_a):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    f.score(round_, _result(round_, world.member_a), "思想政治", "9", actor=secretary_a)
    with pytest.raises(PermissionDenied):
        f.score(round_, _result(round_, world.member_b), "思想政治", "9", actor=secretary_a)


def test_a_source_the_scheme_does_not_use_is_refused(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    with pytest.raises(ValidationError) as exc:
        f.score(round_, _result(round_, world.member_a), "思想政治", "9", Source.SUPERVISOR)
    assert "监督员评分" in exc.value.message_dict["source"][0]


def test_a_derived_indicator_cannot_be_scored_by_hand(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    with pytest.raises(ValidationError) as exc:
        f.score(round_, _result(round_, world.member_a), "月度汇报", "9")
    assert "系统计算" in exc.value.message_dict["indicator"][0]


def test_a_stale_version_is_a_conflict_naming_who_changed_it(world, office):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, world.member_a)
    indicator = f.indicator(round_, "思想政治")
    services.score_enter(
        actor=office, result=result, indicator=indicator, source=Source.ORGANISATION, points=8, version=0
    )
    with pytest.raises(services.Conflict) as exc:
        services.score_enter(
            actor=SYSTEM, result=result, indicator=indicator, source=Source.ORGANISATION, points=6, version=0
        )
    assert "office" in exc.value.messages[0] and "8分" in exc.value.messages[0]
    assert Score.objects.get().points == Decimal("8")


def test_every_manual_score_is_audited(world, office):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    f.score(round_, _result(round_, world.member_a), "思想政治", "8", actor=office)
    f.score(round_, _result(round_, world.member_a), "思想政治", "9", actor=office)
    records = AuditRecord.objects.filter(object_type="assessment.score").order_by("pk")
    assert [(r.action, r.username, r.after["points"]) for r in records] == [
        ("create", "office", "8.00"),
        ("update", "office", "9.00"),
    ]
    assert records[1].before["points"] == "8.00"


def test_a_revision_without_a_reason_is_refused(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, world.member_a)
    f.score(round_, result, "思想政治", "8")
    _close(round_)
    change = services.Change(f.indicator(round_, "思想政治"), Source.ORGANISATION, "9")
    with pytest.raises(ValidationError) as exc:
        services.revise(actor=SYSTEM, result=result, changes=[change], reason="  ")
    assert exc.value.message_dict["reason"] == ["请填写修订原因。"]
    assert Score.objects.get().points == Decimal("8")


def test_a_revision_keeps_the_old_numbers(world, office):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    a, b = _result(round_, world.member_a), _result(round_, world.member_b)
    f.score(round_, a, "思想政治", "6")
    f.score(round_, b, "思想政治", "8")
    round_ = services.round_transition(actor=SYSTEM, round_=_close(round_), action="publish")
    a.refresh_from_db()
    old_total, old_rank = a.total, a.rank
    assert old_rank == 2
    change = services.Change(f.indicator(round_, "思想政治"), Source.ORGANISATION, "10")
    revision = services.revise(actor=office, result=a, changes=[change], reason="漏记了7月的抢险表现")
    a.refresh_from_db()
    assert (revision.total_before, revision.rank_before) == (old_total, 2)
    assert (revision.total_after, revision.rank_after) == (a.total, 1)
    assert a.total == old_total + Decimal("12.00")
    assert revision.changes == [
        {
            "indicator": change.indicator.key,
            "name": "思想政治",
            "source": "organisation",
            "before": "6.00",
            "after": "10.00",
        }
    ]
    assert {"name": "思想政治", "points": "18.00"}.items() <= revision.breakdown_before[0].items()
    assert revision.ranks_changed == [{"result": b.pk, "name": "李红梅", "before": 1, "after": 2}]
    assert a.revision == 1
    assert sum(row.points for row in a.indicator_results.all()) == a.total
    assert AuditRecord.objects.filter(object_type="assessment.result", detail__contains="漏记了7月").exists()
    # Only the office revises.
    with pytest.raises(PermissionDenied):
        services.revise(actor=None, result=a, changes=[change], reason="x")


def test_a_revision_keeps_what_derived_indicators_counted_at_close(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee)
    result = _result(round_, world.member_a)
    f.score(round_, result, "思想政治", "6")
    _close(round_)
    MonthlyReport.objects.create(member=world.member_a, month=dt.date(2026, 7, 1), work_done="补交")
    services.revise(
        actor=SYSTEM,
        result=result,
        changes=[services.Change(f.indicator(round_, "思想政治"), Source.ORGANISATION, "7")],
        reason="更正",
    )
    assert result.indicator_results.get(indicator__name="月度汇报").counted == 0


def test_rounds_move_through_their_states_only_in_order(world):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee, open_=False)
    with pytest.raises(ValidationError):
        services.round_transition(actor=SYSTEM, round_=round_, action="publish")
    for action, status in [
        ("open", "open"),
        ("close", "closed"),
        ("reopen", "open"),
        ("close", "closed"),
        ("publish", "published"),
    ]:
        round_ = services.round_transition(actor=SYSTEM, round_=round_, action=action)
        assert round_.status == status
    with pytest.raises(ValidationError) as exc:
        services.round_transition(actor=SYSTEM, round_=round_, action="reopen")
    assert "修订" in exc.value.messages[0]
    round_ = services.round_transition(actor=SYSTEM, round_=round_, action="archive")
    assert round_.status == "archived" and round_.archived_at is not None


def test_only_the_office_runs_rounds(world, secretary_a):
    round_ = f.quarter_round(f.member_scheme(world.committee), world.committee, open_=False)
    with pytest.raises(PermissionDenied):
        services.round_transition(actor=secretary_a, round_=round_, action="open")


def _bulk_members(branch, count: int) -> None:
    people = Person.objects.bulk_create(Person(name=f"党员{i:05d}") for i in range(count))
    Member.objects.bulk_create(
        Member(person=p, organisation=branch, join_date=dt.date(2010, 1, 1)) for p in people
    )


def _close_queries(world, count: int) -> tuple[int, int]:
    _bulk_members(world.branch_a, count)
    round_ = f.quarter_round(f.member_scheme(world.committee, name=f"方案{count}"), world.committee)
    some = list(round_.results.order_by("pk")[:3])
    for i, result in enumerate(some):
        f.score(round_, result, "思想政治", 5 + i)
    with CaptureQueriesContext(connection) as queries:
        round_ = _close(round_)
    assert round_.results.filter(total__isnull=True).count() == 0
    assert round_.results.filter(rank__isnull=True).count() == 0
    return len(queries), round_.results.count()


def test_a_whole_round_of_5000_members_closes_in_a_fixed_number_of_queries(world):
    small, _ = _close_queries(world, 20)
    Result.objects.all().delete()
    large, large_count = _close_queries(world, 4980)
    assert large_count == 20 + 4980 + 2
    assert small == large
