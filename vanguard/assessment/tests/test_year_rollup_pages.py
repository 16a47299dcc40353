"""The roll-up's pages: the office makes one from the ended rounds of the year, computes it, reads the ranking
and the recommendation list and exports it; a secretary reads their branch's rows; another branch gets 404."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import selectors_year, services_year
from vanguard.assessment.models import Rollup, RollupResult, TargetKind
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories

from . import year_factories as y

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_december(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def url(name: str, *args) -> str:
    return reverse(f"assessment_year:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def computed(world):
    q1, q2 = y.two_quarters(world)
    rollup = y.rollup(world, [q1, q2], recommend_count=1)
    return services_year.rollup_compute(actor=SYSTEM, rollup=rollup)


def test_the_office_makes_a_roll_up_on_the_page_and_computes_it(world, office, as_user):
    q1, q2 = y.two_quarters(world)
    client = as_user(office)
    form = text(client.get(url("rollup_create"), {"organisation": world.committee.pk, "year": 2026}))
    assert "2026年第1季度" in form and "2026年第2季度" in form
    response = client.post(
        url("rollup_create"),
        {
            "organisation": world.committee.pk,
            "year": 2026,
            "target_kind": "member",
            "name": "2026年度党员量化考核",
            "recommend_count": 1,
            f"round_{q1.pk}": "on",
            f"weight_{q1.pk}": "1",
            f"round_{q2.pk}": "on",
            f"weight_{q2.pk}": "2",
        },
        follow=True,
    )
    assert "已保存年度汇总“2026年度党员量化考核”,请计算排名。" in text(response)
    rollup = Rollup.objects.get()
    assert sorted(rollup.parts.values_list("weight", flat=True)) == [1, 2]
    response = client.post(url("rollup_compute", rollup.pk), follow=True)
    page = text(response)
    assert "已计算“2026年度党员量化考核”的年度排名。" in page
    first = RollupResult.objects.get(rollup=rollup, rank=1)
    assert first.name in page and str(first.total) in page
    recommended = text(client.get(url("rollup_recommended", rollup.pk)))
    assert "优秀共产党员推荐名单" in recommended and first.name in recommended


def test_a_roll_up_without_rounds_is_refused_on_the_page(world, office, as_user):
    y.two_quarters(world)
    response = as_user(office).post(
        url("rollup_create"),
        {
            "organisation": world.committee.pk,
            "year": 2026,
            "target_kind": "member",
            "name": "空汇总",
            "recommend_count": 3,
        },
    )
    page = text(response)
    assert "请至少选择一轮已结束的考核。" in page and "汇总尚未保存" in page
    assert not Rollup.objects.exists()


def test_the_office_changes_the_weights_and_must_compute_again(world, office, computed, as_user):
    part = computed.parts.order_by("round_id").first()
    response = as_user(office).post(
        url("rollup_edit", computed.pk),
        {
            "name": computed.name,
            "recommend_count": 2,
            f"round_{part.round_id}": "on",
            f"weight_{part.round_id}": "3",
        },
        follow=True,
    )
    assert "尚未计算排名。" in text(response)
    computed.refresh_from_db()
    assert (computed.recommend_count, computed.computed_at, computed.parts.count()) == (2, None, 1)


def test_the_office_deletes_a_roll_up(world, office, computed, as_user):
    response = as_user(office).post(url("rollup_delete", computed.pk), follow=True)
    assert "已删除年度汇总" in text(response)
    assert not Rollup.objects.exists()
    assert AuditRecord.objects.filter(object_type="assessment.rollup", action="delete").exists()


def test_the_ranking_is_exported_and_the_export_is_recorded(world, office, computed, as_user):
    response = as_user(office).get(url("rollup_export", computed.pk))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["排名", "考核对象", "所在党组织", "年度得分"]
    assert [r[1] for r in rows[1:]] == list(
        RollupResult.objects.filter(rollup=computed).order_by("rank", "name").values_list("name", flat=True)
    )
    assert rows[1][6] == "是" and rows[2][6] == ""
    record = AuditRecord.objects.get(action="export")
    assert record.after == {"kind": "rollup", "count": 2}


def test_the_titles_of_the_recommendation_lists(world):
    titles = {
        kind: selectors_year.recommendation_title(Rollup(target_kind=kind))
        for kind in (TargetKind.MEMBER, TargetKind.GROUP, TargetKind.BRANCH)
    }
    assert titles == {"member": "优秀共产党员", "group": "先进党小组", "branch": "先进党支部"}


def test_a_secretary_reads_the_committees_roll_up_for_their_branch_only(
    world, secretary_a, computed, as_user
):
    client = as_user(secretary_a)
    assert computed.name in text(client.get(url("rollup_list")))
    page = text(client.get(url("rollup_detail", computed.pk)))
    assert "王建国" in page and "李红梅" not in page
    assert url("rollup_compute", computed.pk) not in page
    assert client.post(url("rollup_compute", computed.pk)).status_code == 403
    assert client.get(url("rollup_edit", computed.pk)).status_code == 403
    assert client.post(url("rollup_delete", computed.pk)).status_code == 403
    assert client.get(url("rollup_create")).status_code == 403


def test_another_branchs_secretary_gets_404_for_a_branch_roll_up(world, secretary_b, as_user):
    rollup = y.sweep_rollup(world)
    client = as_user(secretary_b)
    for name in ("rollup_detail", "rollup_recommended", "rollup_export", "rollup_edit"):
        assert client.get(url(name, rollup.pk)).status_code == 404, name
    for name in ("rollup_compute", "rollup_delete"):
        assert client.post(url(name, rollup.pk)).status_code == 404, name
    assert Rollup.objects.filter(pk=rollup.pk).exists()


def test_members_and_community_workers_have_no_roll_up_pages(world, member_a, community_worker, as_user):
    for user in (member_a, community_worker):
        assert as_user(user).get(url("rollup_list")).status_code == 403


@pytest.mark.parametrize("name", ["rollup_list", "rollup_create"])
def test_the_pages_need_a_login(world, resident, name):
    response = resident.get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_ranking_runs_a_fixed_number_of_queries(world, office, as_user):
    scheme_round = y.two_quarters(world)
    client = as_user(office)
    rollup = y.rollup(world, list(scheme_round))
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    client.get(url("rollup_detail", rollup.pk))
    with CaptureQueriesContext(connection) as few:
        text(client.get(url("rollup_detail", rollup.pk)))
    for i in range(12):
        member = org_factories.member(world.branch_b, f"党员{i}")
        RollupResult.objects.create(
            rollup=rollup, member=member, unit=world.branch_b, name=member.person.name, total=50, rank=3
        )
    with CaptureQueriesContext(connection) as more:
        page = text(client.get(url("rollup_detail", rollup.pk)))
    assert "党员11" in page
    assert len(more) == len(few)


def test_the_years_home_offers_each_role_its_parts(world, office, secretary_a, member_a, as_user):
    office_page = text(as_user(office).get(url("index")))
    assert url("review_list") in office_page and url("settings") in office_page
    secretary_page = text(as_user(secretary_a).get(url("index")))
    assert url("review_list") not in secretary_page and url("appraisal_create") in secretary_page
    member_page = text(as_user(member_a).get(url("index")))
    assert url("rollup_list") not in member_page and url("rectification_create") not in member_page
    assert url("appraisal_list") in member_page


@pytest.mark.parametrize("persona", ["community_worker", "nobody", "auditor"])
def test_the_years_home_is_not_for_those_without_a_branch(world, persona, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(url("index")).status_code == 403
