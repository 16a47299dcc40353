"""The reads behind the assessment pages: the distribution's statistics against Python's own, the scoring
progress, the ranked list's order and filters, the indicator tree, the sheet's targets per role."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import selectors, services
from vanguard.assessment.models import Formula, Indicator, Metric, Result, Source
from vanguard.org.tests import factories as org_factories

from . import factories
from .pages import scored_round


def _result(round_, branch, name: str, total, **fields) -> Result:
    member = org_factories.member(branch, name)
    return Result.objects.create(
        round=round_, member=member, unit=branch, branch=branch, name=name, total=total, **fields
    )


def test_the_distribution_matches_pythons_statistics(world, office):
    scored = scored_round(world)
    a_totals = [Decimal("72.00"), Decimal("80.00"), Decimal("65.50"), Decimal("90.00")]
    b_totals = [Decimal("48.00"), Decimal("55.00"), Decimal("61.00")]
    for i, total in enumerate(a_totals[1:]):
        _result(scored.round, world.branch_a, f"甲{i}", total)
    for i, total in enumerate(b_totals[1:]):
        _result(scored.round, world.branch_b, f"乙{i}", total)
    overall, rows = selectors.distribution(user=office, round_=scored.round)
    by_branch = {row.branch: row for row in rows}
    for branch, totals in ((world.branch_a, a_totals), (world.branch_b, b_totals)):
        row = by_branch[branch]
        values = [float(t) for t in totals]
        assert row.count == len(values)
        assert row.mean == pytest.approx(statistics.fmean(values))
        assert row.median == pytest.approx(statistics.median(values))
        assert (row.minimum, row.maximum) == (min(values), max(values))
        assert row.stddev == pytest.approx(statistics.pstdev(values))
    values = [float(t) for t in a_totals + b_totals]
    assert overall.count == 7 and overall.median == pytest.approx(statistics.median(values))
    assert overall.stddev == pytest.approx(statistics.pstdev(values))
    # Highest mean first.
    assert [row.branch for row in rows] == [world.branch_a, world.branch_b]


def test_the_organisation_scores_are_a_percentage_of_their_maximum(world, office):
    scored = scored_round(world)
    overall, rows = selectors.distribution(user=office, round_=scored.round)
    by_branch = {row.branch: row for row in rows}
    # Branch A: 8 of 10 and 9 of 10; branch B: 6 of 10.
    assert by_branch[world.branch_a].org_percent == pytest.approx(85)
    assert by_branch[world.branch_b].org_percent == pytest.approx(60)
    assert overall.org_percent == pytest.approx((80 + 90 + 60) / 3)
    assert by_branch[world.branch_a].org_scores == 2
    assert "组织评定偏严" in by_branch[world.branch_b].flags
    assert by_branch[world.branch_a].mean_bar == 72.0


def test_a_branch_far_from_the_overall_mean_is_flagged(world, office):
    scored = scored_round(world)
    for i in range(6):
        _result(scored.round, world.branch_b, f"乙{i}", 50)
    for i in range(6):
        _result(scored.round, world.branch_a, f"甲{i}", 95)
    c = org_factories.organisation("三分公司党支部", parent=world.committee)
    for i in range(3):
        _result(scored.round, c, f"丙{i}", 10)
    _overall, rows = selectors.distribution(user=office, round_=scored.round)
    flags = {row.branch.name: row.flags for row in rows}
    assert "总分明显偏低" in flags["三分公司党支部"]
    assert not any("总分明显" in f for f in flags["二分公司党支部"])


def test_the_distribution_keeps_to_the_users_scope(world, secretary_a):
    scored = scored_round(world)
    overall, rows = selectors.distribution(user=secretary_a, round_=scored.round)
    assert [row.branch for row in rows] == [world.branch_a] and overall.count == 1


def test_the_progress_counts_scores_and_complete_targets_per_source(world, office, secretary_a):
    opened = scored_round(world, close=False)
    progress = selectors.round_progress(user=office, round_=opened.round)
    assert (progress.targets, progress.leaves) == (2, 2)
    by_source = {p.source: p for p in progress.sources}
    assert list(by_source) == [Source.SELF, Source.MASSES, Source.ORGANISATION]
    org = by_source[Source.ORGANISATION]
    assert (org.entered, org.expected, org.complete, org.percent) == (3, 4, 1, 75)
    assert (by_source[Source.SELF].entered, by_source[Source.SELF].complete) == (0, 0)
    mine = selectors.round_progress(user=secretary_a, round_=opened.round)
    assert mine.targets == 1
    assert {p.source: p.entered for p in mine.sources}[Source.ORGANISATION] == 2


def test_the_ranked_list_puts_unranked_results_last_and_filters(world, office):
    scored = scored_round(world)
    late = _result(scored.round, world.branch_a, "阿迟", None)
    names = [r.name for r in selectors.ranked_results(user=office, round_=scored.round)]
    assert names == ["王建国", "李红梅", late.name]
    filters = selectors.ResultFilters(branch=world.branch_b)
    assert [r.name for r in selectors.ranked_results(user=office, round_=scored.round, filters=filters)] == [
        "李红梅"
    ]
    filters = selectors.ResultFilters(q="lhm")
    assert [r.name for r in selectors.ranked_results(user=office, round_=scored.round, filters=filters)] == [
        "李红梅"
    ]
    assert list(selectors.branch_choices(user=office, round_=scored.round)) == [
        world.branch_a,
        world.branch_b,
    ]


def test_the_indicator_tree_is_depth_first_with_each_path(world):
    scheme = factories.member_scheme(world.committee)
    rows = selectors.indicator_tree(services.latest_version(scheme))
    assert [(r.indicator.name, r.depth, r.path, r.is_leaf) for r in rows] == [
        ("思想政治", 0, [], True),
        ("工作实绩", 0, [], False),
        ("责任区工作", 1, ["工作实绩"], True),
        ("月度汇报", 1, ["工作实绩"], True),
        ("联系群众", 0, [], True),
    ]
    assert [i.name for i in selectors.manual_leaves(services.latest_version(scheme))] == [
        "思想政治",
        "责任区工作",
    ]


@pytest.mark.parametrize(
    ("formula", "parameter", "words"),
    [
        (Formula.CAPPED, 4, "满4次得满分"),
        (Formula.RATIO, 6, "按应完成6次的比例"),
        (Formula.RATIO, None, "无应完成数时得满分"),
    ],
)
def test_a_derived_indicators_rule_in_words(formula, parameter, words):
    indicator = Indicator(
        name="任务",
        kind=Indicator.Kind.DERIVED,
        metric=Metric.TASKS_DONE,
        formula=formula,
        parameter=parameter,
    )
    text = selectors.formula_text(indicator)
    assert text.startswith("依据“任务完成”") and words in text
    assert selectors.formula_text(Indicator(name="手工", kind=Indicator.Kind.MANUAL)) == ""


def _branch_round(world):
    scheme = services.scheme_create(
        actor=SYSTEM,
        organisation=world.committee,
        name="支部考核",
        target_kind="branch",
        period="quarter",
        weights={"weight_self": 20, "weight_organisation": 80},
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "组织建设", "weight": 1, "max_points": 10, "kind": "manual"},
    )
    return factories.quarter_round(scheme, world.committee)


def test_a_branch_is_scored_from_above_and_assesses_itself(world, office, secretary_a):
    round_ = _branch_round(world)
    office_sees = selectors.sheet_results(user=office, round_=round_, source=Source.ORGANISATION)
    assert {r.name for r in office_sees} == {"一分公司党支部", "二分公司党支部"}
    # The branch's own secretary does not score their branch for the organisation …
    assert not selectors.sheet_results(user=secretary_a, round_=round_, source=Source.ORGANISATION).exists()
    # … they fill in its self-assessment.
    own = selectors.own_results(user=secretary_a, round_=round_)
    assert [r.organisation for r in own] == [world.branch_a]
    assert list(selectors.own_results(user=office, round_=round_)) == []


def test_the_sheet_offers_the_sources_each_role_enters(world, office, secretary_a, supervisor, member_a):
    scored = scored_round(world, close=False, weight_self=10, weight_organisation=60, weight_supervisor=30)
    assert selectors.sheet_sources(user=office, round_=scored.round) == [Source.ORGANISATION]
    assert selectors.sheet_sources(user=secretary_a, round_=scored.round) == [Source.ORGANISATION]
    assert selectors.sheet_sources(user=supervisor, round_=scored.round) == [Source.SUPERVISOR]
    assert selectors.sheet_sources(user=member_a, round_=scored.round) == []
    sheet = selectors.sheet_results(user=supervisor, round_=scored.round, source=Source.SUPERVISOR)
    assert [r.name for r in sheet] == ["王建国"]


def test_the_scheme_list_carries_the_latest_version_number(world, office):
    scored = scored_round(world, close=False)
    services.version_update(actor=SYSTEM, scheme=scored.scheme, weights={"weight_organisation": 100})
    scheme = selectors.scheme_list(user=office).get()
    assert scheme.latest_number == 2
    versions = selectors.scheme_versions(user=office, scheme=scheme)
    assert [v.number for v in versions] == [2, 1]
    assert [r.name for r in versions[1].used_by] == ["2026年第3季度"] and versions[0].used_by == []
