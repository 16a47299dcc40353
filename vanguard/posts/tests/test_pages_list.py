"""The model-post list: each persona sees the posts of their scope with status, stars and named badge; the
filters narrow it; its query count does not grow with the posts; its xlsx export is audited; the office sees
the closed star rounds awaiting evaluation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.posts import services
from vanguard.posts.models import ModelPost

from . import factories
from .pages import star_round, text, url

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _post_b(world) -> ModelPost:
    post = services.post_apply(
        actor=SYSTEM,
        organisation=world.branch_b,
        fields={"name": "二分公司售票窗口", "kind": ModelPost.Kind.WINDOW},
        members=[{"member": world.member_b, "motto": "微笑服务每一位乘客"}],
    )
    return services.post_decide(actor=SYSTEM, post=post, approve=True)


def _with_stars(post: ModelPost, stars: int) -> ModelPost:
    for i in range(stars):
        services.evaluate(actor=SYSTEM, post=post, month=dt.date(2026, 1 + i, 1), total=90)
    post.refresh_from_db()
    return post


def test_the_office_sees_every_post_with_stars_status_and_named_badge(world, office, as_user):
    named = _with_stars(factories.approved_post(world, "一车队1路党员示范岗"), 5)
    services.post_name(actor=SYSTEM, post=named)
    factories.applied_post(world, "调度窗口")
    _post_b(world)
    page = text(as_user(office).get(url("list")))
    assert "一车队1路党员示范岗" in page and "调度窗口" in page and "二分公司售票窗口" in page
    assert "★★★★★" in page and "授牌命名" in page and "待审批" in page and "已挂牌" in page
    assert url("apply") in page and url("rules") in page
    assert "共 3 个示范岗" in page


def test_the_secretary_sees_only_their_branchs_posts(world, secretary_a, as_user):
    factories.approved_post(world)
    _post_b(world)
    page = text(as_user(secretary_a).get(url("list")))
    assert "一车队1路党员示范岗" in page and "二分公司售票窗口" not in page
    assert url("apply") in page and url("rules") not in page


def test_a_member_sees_the_posts_they_are_on(world, member_a, as_user):
    factories.approved_post(world)
    _post_b(world)
    page = text(as_user(member_a).get(url("list")))
    assert "一车队1路党员示范岗" in page and "二分公司售票窗口" not in page
    assert url("apply") not in page


def test_the_supervisor_reads_the_branchs_posts(world, supervisor, as_user):
    factories.approved_post(world)
    page = text(as_user(supervisor).get(url("list")))
    assert "一车队1路党员示范岗" in page and url("apply") not in page


@pytest.mark.parametrize("persona", ["community_worker", "auditor", "nobody"])
def test_roles_without_posts_have_no_list(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("list")).status_code == 403
    assert client.get(url("export")).status_code == 403


def test_the_nav_offers_the_posts_to_those_who_may_open_them(
    world, office, member_a, community_worker, as_user
):
    assert url("list") in text(as_user(office).get(url("list")))
    assert url("list") in text(as_user(member_a).get(url("list")))
    home = as_user(community_worker).get("/")
    assert url("list") not in home.content.decode()


def test_the_list_needs_a_login(world, resident):
    for target in (url("list"), url("export")):
        response = resident.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_filters_narrow_the_list(world, office, as_user):
    client = as_user(office)
    three = _with_stars(factories.approved_post(world, "三星岗"), 3)
    assert three.stars == 3
    factories.applied_post(world, "新申请岗")
    _post_b(world)
    by_stars = text(client.get(url("list"), {"stars": "3"}, **HX))
    assert "三星岗" in by_stars and "新申请岗" not in by_stars and "<html" not in by_stars
    by_status = text(client.get(url("list"), {"status": "applied"}, **HX))
    assert "新申请岗" in by_status and "三星岗" not in by_status
    by_branch = text(client.get(url("list"), {"organisation": world.branch_b.pk}, **HX))
    assert "二分公司售票窗口" in by_branch and "三星岗" not in by_branch


def test_a_bad_filter_value_says_so_and_lists_everything(world, office, as_user):
    factories.approved_post(world)
    page = text(as_user(office).get(url("list"), {"stars": "9"}))
    assert "星级:" in page and "一车队1路党员示范岗" in page


def test_named_posts_are_a_filter_of_their_own(world, office, as_user):
    named = _with_stars(factories.approved_post(world, "五星岗"), 5)
    services.post_name(actor=SYSTEM, post=named)
    _with_stars(factories.approved_post(world, "未命名岗"), 1)
    page = text(as_user(office).get(url("list"), {"status": "named"}, **HX))
    assert "五星岗" in page and "未命名岗" not in page


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url("list"))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_runs_the_same_queries_for_2_and_30_posts(world, office, as_user):
    client = as_user(office)
    for i in range(2):
        factories.approved_post(world, f"示范岗{i}")
    few = _list_queries(client)
    members = [org_factories.member(world.branch_a, f"党员{i}") for i in range(5)]
    for i in range(2, 30):
        services.post_apply(
            actor=SYSTEM,
            organisation=world.branch_a,
            fields={"name": f"示范岗{i}"},
            members=[{"member": m, "motto": "服务群众"} for m in members],
        )
    many = _list_queries(client)
    assert few == many
    assert many <= 9, many


def test_the_export_holds_the_filtered_posts_with_their_stars_and_is_audited(world, office, as_user):
    client = as_user(office)
    post = _with_stars(factories.approved_post(world), 2)
    factories.applied_post(world, "调度窗口")
    response = client.get(url("export"), {"status": "approved"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    header, *data = rows
    assert header[:7] == ["示范岗名称", "类型", "所属党支部", "所在位置", "状态", "星级", "星级图示"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["示范岗名称"] == post.name and row["星级图示"] == "★★☆☆☆" and int(row["星级"]) == 2
    assert row["党员"] == "王建国" and row["最近评定月份"] == "2026-02" and row["投诉电话"] == "0317-1234567"
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert "星级党员示范岗 1 个" in record.detail and "状态=已挂牌" in record.detail


def test_the_export_of_a_secretary_holds_their_branch_only(world, secretary_a, as_user):
    factories.approved_post(world)
    _post_b(world)
    response = as_user(secretary_a).get(url("export"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in book.get_sheet_by_index(0).to_python()[1:]]
    assert names == ["一车队1路党员示范岗"]


def test_the_export_link_from_htmx_sends_the_browser_to_the_file(world, office, as_user):
    response = as_user(office).get(url("export"), {"stars": "1"}, **HX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith(url("export"))


def test_the_office_is_offered_the_closed_star_rounds(world, office, secretary_a, as_user):
    factories.approved_post(world)
    round_ = star_round(world.committee, dt.date(2026, 3, 1))
    page = text(as_user(office).get(url("list")))
    assert round_.name in page and url("round_evaluate", round_.pk) in page and "待评定" in page
    assert url("round_evaluate", round_.pk) not in text(as_user(secretary_a).get(url("list")))
