"""The rounds' pages: the list, the office's new round and its transitions, the progress while open, the
ranked results once closed (with the fair-ranking note, filters, a pinned query count), their export and
the branches' distribution. Each persona sees what their scope reaches: another branch's round is a 404."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Round
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories

from . import factories
from .pages import scored_round, text, url
from .sweep import sweep_round

Status = Round.Status
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scored(world):
    return scored_round(world)


# --- the list and a new round ---------------------------------------------------------------------------


def test_the_office_lists_rounds_and_filters_them_by_status(world, office, scored, as_user):
    client = as_user(office)
    factories.quarter_round(scored.scheme, world.committee, quarter=4, open_=False)
    page = text(client.get(url("round_list")))
    assert "2026年第3季度" in page and "2026年第4季度" in page and url("round_create") in page
    drafts = text(client.get(url("round_list"), {"status": "draft"}, **HX))
    assert "2026年第4季度" in drafts and "2026年第3季度" not in drafts and "<html" not in drafts


def test_the_office_creates_a_round_as_a_draft(world, office, scored, as_user):
    client = as_user(office)
    form = text(client.get(url("round_create"), {"scheme": scored.scheme.pk}))
    assert f'<option value="{scored.scheme.pk}" selected>' in form
    response = client.post(
        url("round_create"),
        {
            "scheme": scored.scheme.pk,
            "organisation": world.branch_a.pk,
            "name": "2026年第4季度(一分公司)",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
        },
        follow=True,
    )
    round_ = Round.objects.get(name="2026年第4季度(一分公司)")
    assert response.redirect_chain == [(url("round_detail", round_.pk), 302)]
    page = text(response)
    assert "已建立考核轮次" in page and "开始评分" in page and "草稿" in page
    assert (round_.status, round_.organisation, round_.created_by) == (Status.DRAFT, world.branch_a, office)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "请填写轮次名称。"),
        ({"period_end": "2026-09-30"}, "考核期结束日期不能早于开始日期。"),
        ({"period_start": "2026/13/01"}, "请按“年-月-日”填写日期。"),
        ({"scheme": ""}, "请选择考核方案。"),
        ({"organisation": "999999"}, "所选党组织不存在或不在您的管理范围内。"),
    ],
)
def test_a_new_round_with_bad_input_is_refused(world, office, scored, as_user, changes, message):
    data = {
        "scheme": scored.scheme.pk,
        "organisation": world.committee.pk,
        "name": "第四季度",
        "period_start": "2026-10-01",
        "period_end": "2026-12-31",
        **changes,
    }
    assert message in text(as_user(office).post(url("round_create"), data))
    assert not Round.objects.filter(name="第四季度").exists()


def test_a_draft_is_renamed_and_a_started_round_is_not(world, office, scored, as_user):
    client = as_user(office)
    draft = factories.quarter_round(scored.scheme, world.committee, quarter=4, open_=False)
    client.post(
        url("round_edit", draft.pk),
        {"name": "四季度考核", "period_start": "2026-10-01", "period_end": "2026-12-31"},
    )
    draft.refresh_from_db()
    assert draft.name == "四季度考核"
    response = client.get(url("round_edit", scored.round.pk), follow=True)
    assert "考核已开始,名称和考核期不能再修改。" in text(response)


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor", "member_a"])
def test_only_the_office_creates_rounds(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("round_create")).status_code == 403
    assert "新建考核轮次" not in text(client.get(url("round_list")))


@pytest.mark.parametrize("persona", ["community_worker", "auditor", "nobody"])
def test_roles_without_a_branch_or_results_have_no_assessment_pages(world, persona, request, scored, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("round_list")).status_code == 403
    assert client.get(url("round_detail", scored.round.pk)).status_code == 404


def test_the_pages_need_a_login(world, scored, resident):
    for target in (
        url("round_list"),
        url("round_detail", scored.round.pk),
        url("round_export", scored.round.pk),
    ):
        response = resident.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), target


# --- transitions ----------------------------------------------------------------------------------------


def test_the_office_runs_a_round_from_draft_to_archived(world, office, as_user):
    scheme = factories.member_scheme(world.committee)
    round_ = factories.quarter_round(scheme, world.committee, open_=False)
    client = as_user(office)
    page = text(client.get(url("round_detail", round_.pk)))
    assert 'name="action" value="open"' in page and "data-confirm=" in page
    for action, status, shown in [
        ("open", Status.OPEN, "评分进度"),
        ("close", Status.CLOSED, "考核结果"),
        ("publish", Status.PUBLISHED, "结果已公布并锁定"),
        ("archive", Status.ARCHIVED, "已归档"),
    ]:
        response = client.post(url("round_transition", round_.pk), {"action": action}, follow=True)
        round_.refresh_from_db()
        assert round_.status == status
        assert shown in text(response)
    assert AuditRecord.objects.filter(object_type="assessment.round").count() >= 5


def test_a_transition_the_state_does_not_allow_shows_the_reason(world, office, scored, as_user):
    response = as_user(office).post(
        url("round_transition", scored.round.pk), {"action": "archive"}, follow=True
    )
    assert "只有已公布的考核可以归档。" in text(response)
    response = as_user(office).post(
        url("round_transition", scored.round.pk), {"action": "explode"}, follow=True
    )
    assert "未知的操作。" in text(response)
    scored.round.refresh_from_db()
    assert scored.round.status == Status.CLOSED


def test_a_secretary_sees_no_buttons_and_may_not_transition(world, secretary_a, scored, as_user):
    client = as_user(secretary_a)
    page = text(client.get(url("round_detail", scored.round.pk)))
    assert 'name="action"' not in page
    assert client.post(url("round_transition", scored.round.pk), {"action": "publish"}).status_code == 403
    assert client.get(url("round_transition", scored.round.pk)).status_code == 405
    scored.round.refresh_from_db()
    assert scored.round.status == Status.CLOSED


def test_another_branchs_secretary_gets_404_for_a_round_over_branch_a(world, secretary_b, as_user):
    round_ = sweep_round(world)
    client = as_user(secretary_b)
    for name in (
        "round_detail",
        "round_export",
        "distribution",
        "score_sheet",
        "self_assessment",
        "round_edit",
    ):
        assert client.get(url(name, round_.pk)).status_code == 404, name
    assert client.post(url("round_transition", round_.pk), {"action": "close"}).status_code == 404


# --- progress and results -------------------------------------------------------------------------------


def test_an_open_round_shows_the_scoring_progress_per_source(world, office, as_user):
    opened = scored_round(world, close=False)
    page = text(as_user(office).get(url("round_detail", opened.round.pk)))
    assert "考核对象 2 个,人工评分指标 2 项" in page
    # Organisation: three of four scores entered, member A complete.
    assert "3 / 4" in page and "1 / 2" in page
    assert "评分表:组织评定" in page and "评分表:群众评议" in page


def test_a_closed_round_shows_the_ranked_results_with_the_fair_ranking_note(world, office, scored, as_user):
    page = text(as_user(office).get(url("round_detail", scored.round.pk)))
    assert "排名分 =(数据数 × 得分 + 3 × 平均分)÷(数据数 + 3),本轮平均分 60.00" in page
    a, b = page.index("王建国"), page.index("李红梅")
    assert a < b
    assert "72.00" in page and "66.86" in page and "48.00" in page and "54.00" in page
    assert url("result_detail", scored.result_a.pk) in page
    assert url("distribution", scored.round.pk) in page and url("round_export", scored.round.pk) in page


def test_a_secretary_sees_only_their_branchs_results(world, secretary_a, scored, as_user):
    page = text(as_user(secretary_a).get(url("round_detail", scored.round.pk)))
    assert "王建国" in page and "李红梅" not in page
    assert url("distribution", scored.round.pk) not in page


def test_a_member_sees_their_own_result_only(world, member_a, scored, as_user):
    client = as_user(member_a)
    assert "2026年第3季度" in text(client.get(url("round_list")))
    page = text(client.get(url("round_detail", scored.round.pk)))
    assert "王建国" in page and "李红梅" not in page and 'name="action"' not in page


def test_the_results_filter_by_branch_and_name(world, office, scored, as_user):
    client = as_user(office)
    target = url("round_detail", scored.round.pk)
    by_branch = text(client.get(target, {"branch": world.branch_b.pk}, **HX))
    assert "李红梅" in by_branch and "王建国" not in by_branch and "<html" not in by_branch
    for q in ("王", "wangjianguo", "wjg"):
        by_name = text(client.get(target, {"q": q}, **HX))
        assert "王建国" in by_name and "李红梅" not in by_name, q
    # A branch out of the choices is ignored rather than answered with an error page.
    assert "李红梅" in text(client.get(target, {"branch": "999999"}, **HX))


def _bulk_results(world, round_: Round, n: int, start: int) -> None:
    rows = []
    for i in range(start, start + n):
        member = org_factories.member(world.branch_a if i % 2 else world.branch_b, f"党员{i:03d}")
        rows.append(
            Result(
                round=round_,
                member=member,
                unit=member.organisation,
                branch=member.organisation,
                name=member.person.name,
                total=50 + i % 40,
                adjusted=50 + i % 40,
                data_points=3,
                rank=i + 3,
            )
        )
    Result.objects.bulk_create(rows)


def _queries(client, target: str, params: dict | None = None, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, params or {}, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office", "secretary_a"])
def test_the_results_list_runs_the_same_queries_for_5_and_50_results(
    world, persona, request, scored, as_user
):
    client = as_user(request.getfixturevalue(persona))
    target = url("round_detail", scored.round.pk)
    _bulk_results(world, scored.round, 3, 0)
    _queries(client, target)  # the first request of a login writes its session
    few = _queries(client, target)
    _bulk_results(world, scored.round, 45, 100)
    assert _queries(client, target) == few
    assert few <= 16
    # Filtered, and the rows alone as htmx asks for them.
    hx_few = _queries(client, target, {"branch": world.branch_a.pk}, **HX)
    _bulk_results(world, scored.round, 10, 200)
    assert _queries(client, target, {"branch": world.branch_a.pk}, **HX) == hx_few


# --- export ---------------------------------------------------------------------------------------------


def _sheet(response) -> list[list]:
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def test_the_export_holds_the_ranked_results_and_is_audited(world, office, scored, as_user):
    response = as_user(office).get(url("round_export", scored.round.pk))
    assert response.status_code == 200
    rows = _sheet(response)
    header = rows[0]
    assert header[:8] == [
        "排名",
        "考核对象",
        "所在党组织",
        "所在党支部",
        "得分",
        "排名分",
        "数据数",
        "修订次数",
    ]
    assert "思想政治" in header and "工作实绩/责任区工作" in header and "联系群众" in header
    assert [r[1] for r in rows[1:]] == ["王建国", "李红梅"]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["排名"], first["得分"], first["排名分"], first["数据数"]) == (1, 72, 66.86, 4)
    assert (first["思想政治"], first["工作实绩/责任区工作"], first["联系群众"]) == (24, 18, 30)
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert record.object_repr == "assessment_results" and record.after["count"] == 2
    assert "2026年第3季度" in record.detail


def test_the_export_follows_the_filters_and_the_scope(world, office, secretary_a, scored, as_user):
    rows = _sheet(as_user(office).get(url("round_export", scored.round.pk), {"branch": world.branch_b.pk}))
    assert [r[1] for r in rows[1:]] == ["李红梅"]
    rows = _sheet(as_user(secretary_a).get(url("round_export", scored.round.pk)))
    assert [r[1] for r in rows[1:]] == ["王建国"]
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert record.after["count"] == 1


def test_the_export_from_htmx_sends_the_browser_to_the_file(world, office, scored, as_user):
    response = as_user(office).get(url("round_export", scored.round.pk), {"q": "王"}, **HX)
    assert response.status_code == 204 and response["HX-Redirect"].endswith("?q=%E7%8E%8B")


def test_an_open_round_has_nothing_to_export(world, office, as_user):
    opened = scored_round(world, close=False)
    response = as_user(office).get(url("round_export", opened.round.pk), follow=True)
    assert "考核结束后才有得分和排名可以导出。" in text(response)


def test_a_round_name_excel_cannot_hold_is_cleaned_for_the_sheet(world, office, scored, as_user):
    Round.objects.filter(pk=scored.round.pk).update(name="2026/第3季度[一分公司:全体党员]综合考核结果汇总")
    response = as_user(office).get(url("round_export", scored.round.pk))
    assert response.status_code == 200
    assert [r[1] for r in _sheet(response)[1:]] == ["王建国", "李红梅"]


# --- distribution ---------------------------------------------------------------------------------------


def test_the_office_sees_each_branchs_distribution_beside_the_overall(world, office, scored, as_user):
    page = text(as_user(office).get(url("distribution", scored.round.pk)))
    assert "全部" in page and "一分公司党支部" in page and "二分公司党支部" in page
    assert "60.00" in page and "12.00" in page  # the overall mean and standard deviation
    assert "85.0%" in page and "60.0%" in page and "76.7%" in page
    assert "组织评定偏严" in page and 'style="width: 72.0%"' in page


def test_the_distribution_is_the_offices(world, secretary_a, member_a, scored, as_user):
    assert as_user(secretary_a).get(url("distribution", scored.round.pk)).status_code == 403
    assert as_user(member_a).get(url("distribution", scored.round.pk)).status_code == 403


def test_an_open_round_has_no_distribution_yet(world, office, as_user):
    opened = scored_round(world, close=False)
    page = text(as_user(office).get(url("distribution", opened.round.pk)))
    assert "结束评分后才有分布" in page


def test_the_distribution_runs_the_same_queries_for_few_and_many_branches(world, office, scored, as_user):
    client = as_user(office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("distribution", scored.round.pk)).status_code == 200
        return len(ctx.captured_queries)

    count()
    few = count()
    for i in range(6):
        branch = org_factories.organisation(f"第{i}支部", parent=world.committee)
        member = org_factories.member(branch, f"支部党员{i}")
        Result.objects.create(
            round=scored.round,
            member=member,
            unit=branch,
            branch=branch,
            name=member.person.name,
            total=70 + i,
        )
    assert count() == few


def test_reopening_a_closed_round_lets_scoring_continue(world, office, scored, as_user):
    as_user(office).post(url("round_transition", scored.round.pk), {"action": "reopen"})
    scored.round.refresh_from_db()
    assert scored.round.status == Status.OPEN
    factories.score(scored.round, scored.result_b, "思想政治", 10)
    services.round_transition(actor=SYSTEM, round_=scored.round, action="close")
    scored.refresh()
    assert scored.result_b.total == 60


def test_the_round_list_runs_the_same_queries_for_few_and_many_rounds(
    world, office, member_a, scored, as_user
):
    for user in (office, member_a):
        client = as_user(user)
        _queries(client, url("round_list"))
        few = _queries(client, url("round_list"))
        for quarter in (1, 2, 4):
            round_ = factories.quarter_round(scored.scheme, world.committee, quarter=quarter)
            assert round_.results.filter(member=world.member_a).exists()
        assert _queries(client, url("round_list")) == few
        Round.objects.exclude(pk=scored.round.pk).delete()


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("office", True),
        ("secretary_a", True),
        ("supervisor", True),
        ("member_a", True),
        ("community_worker", False),
        ("auditor", False),
        ("nobody", False),
    ],
)
def test_the_navigation_offers_the_assessment_to_whoever_may_open_it(
    world, persona, offered, request, as_user
):
    client = as_user(request.getfixturevalue(persona))
    home = client.get("/").content.decode()
    nav = home.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{url("round_list")}"' in nav) is offered
    assert client.get(url("round_list")).status_code == (200 if offered else 403)
