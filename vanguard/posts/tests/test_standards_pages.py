"""The post standards' pages: the member's own page on a phone (propose, edit, benchmark records), the
branch's list (filters, pinned query count) with set, publish and paper comments, and the public page where
the masses comment (masked name, honeypot, CSRF). Each persona reaches what their scope does: another
branch's secretary gets 404 for every page with an id, an anonymous visitor is sent to log in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.org.tests import factories as org_factories
from vanguard.posts.models import BenchmarkRecord, Standard, StandardComment

from . import standards_factories as factories

pytestmark = pytest.mark.django_db

Status = Standard.Status
HX = {"HTTP_HX_REQUEST": "true"}
JUNE = "2026-06-15 10:00 +0800"

OBJECT_PAGES = (
    "detail",
    "edit",
    "set",
    "comment_add",
    "record_add",
    "card_set",
    "card_records",
    "card_evaluation",
)


def url(name: str, *args) -> str:
    return reverse(f"standards:{name}", args=args)


def public_url(standard) -> str:
    return reverse("standards_public:detail", args=[standard.pk])


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the member's own page -------------------------------------------------------------------------------


@time_machine.travel(JUNE)
def test_the_member_proposes_their_standard_on_their_page(world, member_a, as_user):
    client = as_user(member_a)
    page = text(client.get(url("mine")))
    assert "2026年度的岗位标准还没有提出。" in page and url("propose") in page
    form = text(client.get(url("propose")))
    assert 'value="2026" selected' in form and 'value="2027"' in form
    response = client.post(
        url("propose"),
        {"year": "2026", "post_title": factories.POST, "proposed_text": factories.TEXT},
        follow=True,
    )
    standard = Standard.objects.get(member=world.member_a)
    assert response.redirect_chain == [(url("detail", standard.pk), 302)]
    page = text(response)
    assert "已提出2026年度的岗位标准" in page and factories.TEXT in page
    # The page offers the public link (with its QR code) for collecting the masses' comments.
    assert public_url(standard) in page and "data:image/svg+xml" in page
    mine = text(client.get(url("mine")))
    assert "2026年度的岗位标准已提出。" in mine and factories.POST in mine


@time_machine.travel(JUNE)
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"post_title": ""}, "请填写岗位。"),
        ({"proposed_text": ""}, "请填写您为本岗位提出的标准。"),
        ({"year": "2030"}, "请选择今年或明年。"),
    ],
)
def test_a_proposal_with_bad_input_is_shown_again_with_the_reason(world, member_a, as_user, changes, message):
    data = {"year": "2026", "post_title": factories.POST, "proposed_text": factories.TEXT, **changes}
    assert message in text(as_user(member_a).post(url("propose"), data))
    assert not Standard.objects.exists()


@time_machine.travel(JUNE)
def test_a_second_proposal_for_the_year_is_refused_on_the_page(world, member_a, as_user):
    factories.proposed(world.member_a, year=2026)
    data = {"year": "2026", "post_title": "别的岗位", "proposed_text": "别的标准"}
    page = text(as_user(member_a).post(url("propose"), data))
    assert "王建国2026年度的岗位标准已经提出,请在原标准上修改。" in page
    assert Standard.objects.count() == 1


@time_machine.travel(JUNE)
def test_the_member_edits_until_the_branch_sets_it(world, member_a, secretary_a, as_user):
    standard = factories.proposed(world.member_a, year=2026)
    client = as_user(member_a)
    response = client.post(
        url("edit", standard.pk), {"post_title": "1路驾驶员", "proposed_text": "改后的标准"}
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.proposed_text == "改后的标准"
    as_user(secretary_a).post(url("set", standard.pk), {"final_text": "确定的标准"})
    response = client.get(url("edit", standard.pk), follow=True)
    assert "组织已确定2026年度的岗位标准,不能再修改。" in text(response)
    assert url("edit", standard.pk) not in text(client.get(url("detail", standard.pk)))


@time_machine.travel(JUNE)
def test_the_member_adds_benchmark_records_on_a_phone(world, member_a, as_user):
    standard = factories.set_(world.member_a, year=2026)
    client = as_user(member_a)
    page = text(client.get(url("detail", standard.pk)))
    assert url("record_add", standard.pk) in page and 'value="2026-06-15"' in page
    response = client.post(
        url("record_add", standard.pk),
        {"recorded_on": "2026-06-10", "content": "帮助老人上车12次"},
        follow=True,
    )
    assert "已添加对标记录。" in text(response) and "帮助老人上车12次" in text(response)
    page = text(client.post(url("record_add", standard.pk), {"recorded_on": "2026-07-01", "content": "未来"}))
    assert "日期不能晚于今天。" in page
    page = text(client.post(url("record_add", standard.pk), {"recorded_on": "2026-13-01", "content": "x"}))
    assert "请按“年-月-日”填写日期。" in page
    assert BenchmarkRecord.objects.count() == 1


@time_machine.travel(JUNE)
def test_records_wait_until_the_standard_is_set(world, member_a, as_user):
    standard = factories.proposed(world.member_a, year=2026)
    client = as_user(member_a)
    assert url("record_add", standard.pk) not in text(client.get(url("detail", standard.pk)))
    response = client.post(
        url("record_add", standard.pk), {"recorded_on": "2026-06-01", "content": "x"}, follow=True
    )
    assert "组织确定岗位标准后才能记录对标情况。" in text(response)
    assert not BenchmarkRecord.objects.exists()


def test_a_member_alone_is_sent_from_the_list_to_their_own_page(world, member_a, as_user):
    response = as_user(member_a).get(url("list"))
    assert response.status_code == 302 and response["Location"] == url("mine")


@pytest.mark.parametrize("persona", ["secretary_a", "community_worker", "auditor", "nobody"])
def test_only_members_have_their_own_page(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("mine")).status_code == 403
    assert client.get(url("propose")).status_code == 403


# --- the branch ------------------------------------------------------------------------------------------


def test_the_branch_lists_its_members_standards_and_filters_them(world, secretary_a, as_user):
    factories.proposed(world.member_a)
    other = org_factories.member(world.branch_a, "赵文")
    factories.published(other)
    factories.proposed(world.member_b)
    factories.proposed(world.member_a, year=2025)
    client = as_user(secretary_a)
    page = text(client.get(url("list")))
    assert "共 2 份岗位标准" in page and "王建国" in page and "赵文" in page and "李红梅" not in page
    rows = text(client.get(url("list"), {"year": "", "status": "proposed"}, **HX))
    assert "<html" not in rows and "共 2 份岗位标准" in rows and "赵文" not in rows
    rows = text(client.get(url("list"), {"year": "2025"}, **HX))
    assert "共 1 份岗位标准" in rows and "2025" in rows
    rows = text(client.get(url("list"), {"year": "", "q": "zw"}, **HX))
    assert "赵文" in rows and "王建国" not in rows


def test_the_list_runs_the_same_queries_for_few_and_many_standards(world, secretary_a, as_user):
    client = as_user(secretary_a)
    factories.proposed(world.member_a)
    client.get(url("list"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(15):
        member = org_factories.member(world.branch_a, f"党员{i}")
        standard = factories.set_(member) if i % 2 else factories.proposed(member)
        if i % 3 == 0 and standard.status == Status.PROPOSED:
            factories.services.standard_comment(actor=None, standard=standard, content="意见")
    assert count() == few


def test_the_secretary_sets_publishes_and_enters_paper_comments(world, secretary_a, as_user):
    standard = factories.proposed(world.member_a)
    client = as_user(secretary_a)
    page = text(client.get(url("detail", standard.pk)))
    assert url("set", standard.pk) in page and url("comment_add", standard.pk) in page
    response = client.post(
        url("comment_add", standard.pk), {"name": "李阿姨", "content": "服务热情"}, follow=True
    )
    assert "已录入群众意见。" in text(response) and "李阿姨" in text(response)
    assert "请填写意见。" in text(client.post(url("comment_add", standard.pk), {"content": ""}))
    form = text(client.get(url("set", standard.pk)))
    assert factories.TEXT in form and "服务热情" in form
    assert "请填写组织确定的标准。" in text(client.post(url("set", standard.pk), {"final_text": ""}))
    response = client.post(url("set", standard.pk), {"final_text": factories.FINAL}, follow=True)
    page = text(response)
    assert "已确定王建国的岗位标准" in page and factories.FINAL in page
    assert url("publish", standard.pk) in page and url("comment_add", standard.pk) not in page
    response = client.post(url("publish", standard.pk), follow=True)
    assert "已公示王建国的岗位标准。" in text(response)
    standard.refresh_from_db()
    assert standard.status == Status.PUBLISHED
    response = client.post(url("publish", standard.pk), follow=True)
    assert "该岗位标准已于" in text(response)
    response = client.get(url("set", standard.pk), follow=True)
    assert "岗位标准已经公示,不能再修改。" in text(response)


def test_paper_comments_close_when_the_standard_is_set(world, secretary_a, as_user):
    standard = factories.set_(world.member_a)
    response = as_user(secretary_a).post(
        url("comment_add", standard.pk), {"content": "晚到的意见"}, follow=True
    )
    assert "该岗位标准已由组织确定,不再征求意见。" in text(response)
    assert not StandardComment.objects.exists()


@pytest.mark.parametrize("persona", ["office", "supervisor"])
def test_the_office_and_the_supervisor_read_the_branchs_standards(world, persona, request, as_user):
    standard = factories.proposed(world.member_a)
    client = as_user(request.getfixturevalue(persona))
    assert "王建国" in text(client.get(url("list")))
    page = text(client.get(url("detail", standard.pk)))
    assert factories.TEXT in page


def test_the_supervisor_reads_but_does_not_set(world, supervisor, as_user):
    standard = factories.proposed(world.member_a)
    client = as_user(supervisor)
    assert url("set", standard.pk) not in text(client.get(url("detail", standard.pk)))
    assert client.get(url("set", standard.pk)).status_code == 403
    assert client.post(url("publish", standard.pk)).status_code == 403
    assert client.get(url("comment_add", standard.pk)).status_code == 403


def test_who_may_do_what_on_a_standard(world, member_a, secretary_a, as_user):
    standard = factories.proposed(world.member_a)
    member, secretary = as_user(member_a), as_user(secretary_a)
    assert member.get(url("set", standard.pk)).status_code == 403
    assert member.get(url("comment_add", standard.pk)).status_code == 403
    assert member.post(url("publish", standard.pk)).status_code == 403
    assert secretary.get(url("edit", standard.pk)).status_code == 403


@pytest.mark.parametrize("persona", ["community_worker", "auditor", "nobody"])
def test_roles_without_a_branch_have_no_standards(world, persona, request, as_user):
    standard = factories.proposed(world.member_a)
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("list")).status_code == 403
    assert client.get(url("detail", standard.pk)).status_code == 404


def test_another_branchs_secretary_gets_404_on_every_page_with_an_id(world, secretary_b, as_user):
    standard = factories.set_(world.member_a)
    client = as_user(secretary_b)
    for name in OBJECT_PAGES:
        assert client.get(url(name, standard.pk)).status_code == 404, name
    assert client.post(url("publish", standard.pk)).status_code == 404
    assert (
        client.post(url("record_add", standard.pk), {"recorded_on": "2026-01-05", "content": "x"}).status_code
        == 404
    )
    assert "王建国" not in text(client.get(url("list")))
    assert not BenchmarkRecord.objects.exists()


def test_another_member_gets_404(world, as_user):
    user = factories.member_login(world.member_b, "member_b")
    standard = factories.set_(world.member_a)
    client = as_user(user)
    for name in OBJECT_PAGES:
        assert client.get(url(name, standard.pk)).status_code == 404, name


def test_the_pages_ask_an_anonymous_visitor_to_log_in(world, resident):
    standard = factories.set_(world.member_a)
    targets = [url("list"), url("mine"), url("propose"), *(url(name, standard.pk) for name in OBJECT_PAGES)]
    for target in [*targets, url("publish", standard.pk)]:
        for method in ("get", "post"):
            response = getattr(resident, method)(target)
            assert response.status_code in (302, 405), (method, target)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), target


def test_the_pages_check_the_method(world, secretary_a, as_user):
    standard = factories.set_(world.member_a)
    client = as_user(secretary_a)
    assert client.get(url("publish", standard.pk)).status_code == 405
    for name in ("card_set", "card_records", "card_evaluation", "detail"):
        assert client.post(url(name, standard.pk)).status_code == 405, name
    assert client.post(url("list")).status_code == 405


def test_the_navigation_offers_the_standards(world, member_a, secretary_a, community_worker, as_user):
    assert url("list") in text(as_user(member_a).get(reverse("reports:mine")))
    assert url("list") in text(as_user(secretary_a).get(reverse("reports:list")))


# --- the public page -------------------------------------------------------------------------------------


def test_the_public_reads_a_proposed_standard_with_the_name_masked(world, resident):
    standard = factories.proposed(world.member_a)
    page = text(resident.get(public_url(standard)))
    assert "王**" in page and "王建国" not in page and "13812345678" not in page
    assert factories.POST in page and factories.TEXT in page and "一分公司党支部" in page
    assert 'name="csrfmiddlewaretoken"' in page and 'name="website"' in page


def test_the_public_leaves_a_comment(world, resident):
    standard = factories.proposed(world.member_a)
    response = resident.post(
        public_url(standard), {"name": "张大爷", "content": "多帮助老人上车"}, follow=True
    )
    assert "感谢您的意见" in text(response)
    comment = StandardComment.objects.get()
    assert (comment.name, comment.content, comment.channel, comment.entered_by) == (
        "张大爷",
        "多帮助老人上车",
        StandardComment.Channel.ONLINE,
        None,
    )
    assert "请填写意见。" in text(resident.post(public_url(standard), {"content": " "}))
    assert StandardComment.objects.count() == 1


def test_a_robot_filling_the_honeypot_leaves_nothing(world, resident):
    standard = factories.proposed(world.member_a)
    response = resident.post(
        public_url(standard), {"content": "广告", "website": "http://spam.example"}, follow=True
    )
    assert "感谢您的意见" in text(response)
    assert not StandardComment.objects.exists()


def test_the_public_comment_needs_the_csrf_token(world):
    standard = factories.proposed(world.member_a)
    client = Client(enforce_csrf_checks=True)
    assert client.post(public_url(standard), {"content": "意见"}).status_code == 403
    assert not StandardComment.objects.exists()


def test_the_public_reads_a_published_standard_without_a_form(world, resident):
    standard = factories.published(world.member_a)
    page = text(resident.get(public_url(standard)))
    assert factories.FINAL in page and "公示" in page and 'name="content"' not in page
    response = resident.post(public_url(standard), {"content": "意见"}, follow=True)
    assert "不再征求意见" in text(response)
    assert not StandardComment.objects.exists()


def test_the_public_page_is_a_404_unless_proposed_or_published(world, resident):
    standard = factories.set_(world.member_a)
    assert resident.get(public_url(standard)).status_code == 404
    assert resident.post(public_url(standard), {"content": "意见"}).status_code == 404
    assert resident.get(reverse("standards_public:detail", args=[999999])).status_code == 404
    assert not StandardComment.objects.exists()


def test_the_public_page_accepts_get_and_post_only(world, resident):
    standard = factories.proposed(world.member_a)
    assert resident.put(public_url(standard)).status_code == 405
    assert resident.delete(public_url(standard)).status_code == 405


@time_machine.travel(JUNE)
def test_a_benchmark_record_through_the_page_is_dated_in_the_standards_year(world, secretary_a, as_user):
    standard = factories.set_(world.member_a, year=2026)
    client = as_user(secretary_a)
    page = text(client.post(url("record_add", standard.pk), {"recorded_on": "2025-12-01", "content": "x"}))
    assert "日期须在2026年内(岗位标准的年度)。" in page
    client.post(url("record_add", standard.pk), {"recorded_on": "2026-01-05", "content": "支部检查"})
    assert BenchmarkRecord.objects.get().recorded_on == dt.date(2026, 1, 5)
