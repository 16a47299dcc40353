"""The office's, a secretary's and a supervisor's home: the charts of their organisation, drillable down the
tree. The figures are those worked out in world.py."""

from __future__ import annotations

import pytest

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.conftest import _user
from vanguard.org.models import Organisation
from vanguard.org.tests import factories as org
from vanguard.zones import coverage as zone_coverage

from .page import body_of, chart, chart_table, children, figure, home

pytestmark = pytest.mark.django_db


def test_the_office_sees_the_committee_and_each_branch(filled, office):
    w = filled.world
    body = body_of(office)
    assert figure(body, "coverage") == "50%"
    assert "已覆盖 3 / 6 个网格" in body
    assert figure(body, "report-rate") == "50%"
    assert chart(body, "chart-org-reports")["series"][0]["data"] == [0.0, 0.0, 0.0, 0.0, 25.0, 50.0]
    assert chart_table(body, "chart-org-reports")[-1] == "2月 | 50% | 4 | 2"
    assert figure(body, "round") == "2025年第4季度"
    assert figure(body, "scores") == "4 个考核对象,平均 77.1 分,最高 91 分,最低 60 分"
    assert chart(body, "chart-org-scores")["series"][0]["data"] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert chart(body, "chart-org-hours")["series"][0]["data"] == [0.0, 0.0, 0.0, 4.0, 2.0, 3.0]
    assert figure(body, "requests") == "在办 2 件,其中已超期 1 件"
    assert chart(body, "chart-org-rates")["series"][0]["data"] == [50.0, 50.0, 100.0]
    assert chart_table(body, "chart-org-rates") == [
        "指标 | 比率 | 达标数 | 样本数",
        "响应率 | 50% | 1 | 2",
        "按期办结率 | 50% | 1 | 2",
        "满意率 | 100% | 1 | 1",
    ]
    assert chart(body, "chart-org-statuses")["series"][0]["data"] == [0, 2, 0, 0, 0]
    assert children(body) == {
        str(w.branch_a.pk): "一分公司党支部 党支部 3 66.7% 60%",
        str(w.branch_b.pk): "二分公司党支部 党支部 1 0% 0%",
    }


def test_a_child_links_one_level_down(filled, office):
    w = filled.world
    body = body_of(office)
    assert f'href="/?organisation={w.branch_a.pk}#dash-organisation"' in body


def test_the_secretary_sees_their_branch_and_its_group(filled, secretary_a):
    w = filled.world
    body = body_of(secretary_a)
    assert figure(body, "coverage") == "60%"
    assert figure(body, "report-rate") == "66.7%"
    assert chart(body, "chart-org-reports")["series"][0]["data"] == [0.0, 0.0, 0.0, 0.0, 33.3, 66.7]
    assert figure(body, "scores") == "3 个考核对象,平均 82.8 分,最高 91 分,最低 72.5 分"
    assert chart(body, "chart-org-scores")["series"][0]["data"] == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert chart(body, "chart-org-hours")["series"][0]["data"] == [0.0, 0.0, 0.0, 0.0, 2.0, 3.0]
    assert children(body) == {str(w.group_a.pk): "第一党小组 党小组 1 100% 50%"}
    # One top node: no breadcrumbs at the top.
    assert 'aria-label="所在层级"' not in body


def test_the_secretary_drills_down_to_the_group_with_breadcrumbs_back(filled, secretary_a):
    w = filled.world
    body = body_of(secretary_a, f"?organisation={w.group_a.pk}")
    assert figure(body, "coverage") == "50%"
    assert figure(body, "report-rate") == "100%"
    assert figure(body, "scores") == "1 个考核对象,平均 72.5 分,最高 72.5 分,最低 72.5 分"
    crumbs = body.split('aria-label="所在层级"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/#dash-organisation">一分公司党支部</a>' in crumbs
    assert 'aria-current="page">第一党小组' in crumbs
    assert children(body) == {}


def test_the_office_drills_down_to_another_branch(filled, office):
    w = filled.world
    body = body_of(office, f"?organisation={w.branch_b.pk}")
    assert figure(body, "coverage") == "0%"
    assert figure(body, "report-rate") == "0%"
    assert figure(body, "requests") == "在办 0 件,其中已超期 0 件"
    assert '<a href="/#dash-organisation">公交公司党委</a>' in body


@pytest.mark.parametrize("target", ["branch_b", "committee"])
def test_a_secretary_gets_404_for_an_organisation_outside_their_branch(filled, secretary_a, target):
    organisation = getattr(filled.world, target)
    assert home(secretary_a, f"?organisation={organisation.pk}").status_code == 404


@pytest.mark.parametrize("raw", ["abc", "999999", "-1", "1e3", "12345678901234567890"])
def test_an_organisation_that_is_not_one_answers_404(filled, office, raw):
    assert home(office, f"?organisation={raw}").status_code == 404


def test_the_supervisor_reads_the_same_figures_as_the_secretary(filled, supervisor):
    body = body_of(supervisor)
    assert figure(body, "coverage") == "60%"
    assert figure(body, "report-rate") == "66.7%"


def test_the_figures_of_each_child_agree_with_the_coverage_page(filled, office, secretary_a):
    w = filled.world
    for organisation in (w.committee, w.branch_a, w.group_a, w.branch_b):
        found = zone_coverage.coverage(organisation=organisation, year=2026)
        body = body_of(office, f"?organisation={organisation.pk}")
        assert f"已覆盖 {found.cells_covered} / {found.cells_total} 个网格" in body, organisation.name


def test_past_the_range_limit_the_targets_are_found_through_the_responsibilities(filled, office, monkeypatch):
    monkeypatch.setattr(zone_coverage, "MAX_RANGES", 0)
    body = body_of(office)
    assert figure(body, "coverage") == "50%"
    assert children(body)[str(filled.world.branch_a.pk)].endswith("60%")


def test_a_user_over_two_branches_starts_above_them(filled):
    w = filled.world
    user = _user("two_branches", Role.SECRETARY, organisation=w.branch_a)
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organisation=w.branch_b)
    body = body_of(user)
    assert "我负责的党组织" in body
    assert figure(body, "coverage") == "50%"
    assert set(children(body)) == {str(w.branch_a.pk), str(w.branch_b.pk)}
    drilled = body_of(user, f"?organisation={w.branch_a.pk}")
    crumbs = drilled.split('aria-label="所在层级"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/#dash-organisation">全部</a>' in crumbs
    assert figure(drilled, "coverage") == "60%"


def test_the_superuser_starts_at_the_roots(filled, superuser):
    body = body_of(superuser)
    assert figure(body, "coverage") == "50%"
    assert set(children(body)) == {str(filled.world.branch_a.pk), str(filled.world.branch_b.pk)}


def test_no_round_with_results_says_so(world, office):
    body = body_of(office)
    assert figure(body, "scores") == "还没有结束评分的量化考核。"
    assert "尚未划定责任网格。" in body
    assert figure(body, "coverage") == "—"


def test_top_nodes_at_different_depths_are_told_apart(filled):
    w = filled.world
    other = org.organisation("市直机关党委", Organisation.Kind.COMMITTEE)
    other_branch = org.organisation("机关第一党支部", parent=other)
    org.member(other_branch, "孙明")
    user = _user("two_levels", Role.OFFICE, organisation=other)
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organisation=w.branch_b)
    body = body_of(user)
    assert children(body) == {
        str(other.pk): "市直机关党委 党委 1 0% —",
        str(w.branch_b.pk): "二分公司党支部 党支部 1 0% 0%",
    }
    assert figure(body, "coverage") == "0%"
    assert figure(body, "report-rate") == "0%"
    assert "应汇报 2 人,已汇报 0 人" in body
