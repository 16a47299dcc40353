"""The democratic appraisal (民主评议党员): the secretary opens it for the branch and its groups; each member
writes their own self-appraisal and votes once on each of the others, changeable while open; votes are secret;
paper tallies; the conclusion, with the office's rule on members not registered at their community; close."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import selectors_year, services_appraisal, services_year
from vanguard.assessment.models import Appraisal, AppraisalEntry, AppraisalVote, Grade
from vanguard.audit.models import AuditRecord
from vanguard.community import services as community
from vanguard.conftest import _user
from vanguard.org.models import Member
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
def zhao(world):
    """A member of branch A's group, with a member login."""
    member = org_factories.member(world.group_a, "赵小组", category=Member.Category.RETIRED)
    user = _user("zhao", Role.MEMBER)
    member.person.user = user
    member.person.save()
    return user


@pytest.fixture
def appraisal(world, zhao):
    return y.appraisal(world.branch_a)


def entry_of(appraisal: Appraisal, name: str) -> AppraisalEntry:
    return appraisal.entries.get(member__person__name=name)


def vote(user, appraisal, name: str, grade: str):
    return services_appraisal.appraisal_vote(actor=user, entry=entry_of(appraisal, name), grade=grade)


# --- opening ------------------------------------------------------------------------------------------------


def test_opening_makes_an_entry_for_each_member_of_the_branch_and_its_groups(world, secretary_a, zhao):
    appraisal = services_appraisal.appraisal_open(actor=secretary_a, organisation=world.branch_a, year=2026)
    names = set(appraisal.entries.values_list("member__person__name", flat=True))
    assert names == {"王建国", "赵小组"}
    assert appraisal.status == Appraisal.Status.OPEN
    record = AuditRecord.objects.get(object_type="assessment.appraisal")
    assert record.detail == "评议对象2人"


def test_the_entries_are_written_in_one_statement(world, zhao):
    for i in range(5):
        org_factories.member(world.branch_a, f"党员{i}")
    with CaptureQueriesContext(connection) as queries:
        appraisal = y.appraisal(world.branch_a)
    assert appraisal.entries.count() == 7
    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"] and "appraisalentry" in q["sql"]]
    assert len(inserts) == 1


def test_a_second_appraisal_of_the_year_and_a_group_are_refused(world, appraisal):
    with pytest.raises(ValidationError) as exc:
        y.appraisal(world.branch_a)
    assert exc.value.message_dict == {"year": ["一分公司党支部2026年度的民主评议已经开始。"]}
    with pytest.raises(ValidationError) as exc:
        y.appraisal(world.group_a)
    assert exc.value.message_dict == {"organisation": ["请选择党支部:“第一党小组”是党小组。"]}


def test_a_branch_without_members_is_refused(world):
    empty = org_factories.organisation("空支部", parent=world.committee)
    with pytest.raises(ValidationError) as exc:
        y.appraisal(empty)
    assert exc.value.message_dict == {"organisation": ["空支部还没有党员。"]}


@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "member_a"])
def test_only_the_branchs_secretary_or_the_office_opens_it(world, persona, request):
    with pytest.raises(ValidationError) as exc:
        services_appraisal.appraisal_open(
            actor=request.getfixturevalue(persona), organisation=world.branch_a, year=2026
        )
    assert exc.value.message_dict == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}


# --- self-appraisal and votes -------------------------------------------------------------------------------


def test_a_member_writes_their_own_self_appraisal_only(world, member_a, zhao, secretary_a, appraisal):
    entry = entry_of(appraisal, "王建国")
    services_appraisal.appraisal_self(actor=member_a, entry=entry, text="  全年按时汇报,联系群众5户。 ")
    entry.refresh_from_db()
    assert entry.self_appraisal == "全年按时汇报,联系群众5户。"
    for actor in (zhao, secretary_a):
        with pytest.raises(PermissionDenied):
            services_appraisal.appraisal_self(actor=actor, entry=entry, text="代写")
    with pytest.raises(ValidationError) as exc:
        services_appraisal.appraisal_self(actor=member_a, entry=entry, text="")
    assert exc.value.message_dict == {"self_appraisal": ["请填写个人自评。"]}


def test_a_member_votes_once_on_each_other_member_and_may_change_it(world, member_a, zhao, appraisal):
    vote(member_a, appraisal, "赵小组", Grade.QUALIFIED)
    vote(member_a, appraisal, "赵小组", Grade.EXCELLENT)
    assert list(AppraisalVote.objects.values_list("grade", flat=True)) == [Grade.EXCELLENT]
    with pytest.raises(ValidationError) as exc:
        vote(member_a, appraisal, "王建国", Grade.EXCELLENT)
    assert exc.value.message_dict == {"grade": ["不能给自己投票,请填写个人自评。"]}
    with pytest.raises(ValidationError) as exc:
        vote(member_a, appraisal, "赵小组", "great")
    assert exc.value.message_dict == {"grade": ["请选择优秀、合格、基本合格或不合格。"]}


def test_only_members_of_the_appraisal_vote(world, secretary_a, appraisal):
    outsider = _user("li", Role.MEMBER)
    world.member_b.person.user = outsider
    world.member_b.person.save()
    for actor in (outsider, secretary_a):
        with pytest.raises(PermissionDenied):
            vote(actor, appraisal, "王建国", Grade.QUALIFIED)
    assert not AppraisalVote.objects.exists()


def test_votes_are_secret_in_the_audit_trail(world, member_a, appraisal):
    vote(member_a, appraisal, "赵小组", Grade.UNQUALIFIED)
    record = AuditRecord.objects.get(object_type="assessment.appraisalvote")
    assert record.detail == "民主评议投票(票面保密)"
    assert record.before is None and record.after is None
    assert "unqualified" not in str(record.object_repr) and "不合格" not in str(record.object_repr)


def test_the_tallies_count_each_grade(world, member_a, zhao, appraisal):
    third = org_factories.member(world.branch_a, "孙三")
    third_user = _user("sun", Role.MEMBER)
    third.person.user = third_user
    third.person.save()
    appraisal.entries.create(member=third)
    vote(member_a, appraisal, "赵小组", Grade.EXCELLENT)
    vote(third_user, appraisal, "赵小组", Grade.EXCELLENT)
    vote(zhao, appraisal, "王建国", Grade.BASIC)
    tallies = selectors_year.entry_tallies(entry_of(appraisal, "赵小组"))
    assert tallies == {"excellent": 2, "qualified": 0, "basic": 0, "unqualified": 0}
    rows = {
        e.member.person.name: (e.votes_excellent, e.votes_basic)
        for e in selectors_year.entries(user=SYSTEM, appraisal=appraisal, with_tallies=True)
    }
    assert rows == {"王建国": (0, 1), "赵小组": (2, 0), "孙三": (0, 0)}


def test_the_secretary_enters_paper_tallies(world, secretary_a, member_a, appraisal):
    entry = entry_of(appraisal, "王建国")
    services_appraisal.appraisal_paper(
        actor=secretary_a,
        entry=entry,
        counts={"paper_excellent": 5, "paper_qualified": "3", "paper_basic": 0, "paper_unqualified": ""},
    )
    entry.refresh_from_db()
    assert (entry.paper_excellent, entry.paper_qualified, entry.paper_unqualified) == (5, 3, 0)
    with pytest.raises(ValidationError) as exc:
        services_appraisal.appraisal_paper(actor=secretary_a, entry=entry, counts={"paper_basic": -1})
    assert exc.value.message_dict == {"paper_basic": ["票数应在0到100000之间。"]}
    with pytest.raises(PermissionDenied):
        services_appraisal.appraisal_paper(actor=member_a, entry=entry, counts={"paper_basic": 1})


# --- conclusion and the office's rule -----------------------------------------------------------------------


def _conclude(actor, appraisal, name, grade, note=""):
    return services_appraisal.appraisal_conclude(
        actor=actor, entry=entry_of(appraisal, name), conclusion=grade, note=note
    )


def test_without_the_rule_an_unregistered_member_may_be_qualified(world, secretary_a, appraisal):
    entry = _conclude(secretary_a, appraisal, "王建国", Grade.QUALIFIED, "按时汇报")
    assert (entry.conclusion, entry.conclusion_note, entry.concluded_by) == (
        Grade.QUALIFIED,
        "按时汇报",
        secretary_a,
    )


def test_with_the_rule_an_unregistered_in_service_member_cannot_be_qualified(
    world, office, secretary_a, appraisal
):
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=3, bar_unregistered=True
    )
    for grade in (Grade.EXCELLENT, Grade.QUALIFIED):
        with pytest.raises(ValidationError) as exc:
            _conclude(secretary_a, appraisal, "王建国", grade)
        label = Grade(grade).label
        assert exc.value.message_dict == {
            "conclusion": [
                "王建国是在职党员,尚未到居住社区报到(或报到未经社区确认);按党委“未到社区报到者不得评为合格”的规定,"
                f"不能评为“{label}”。请先督促其报到,或评为基本合格、不合格。"
            ]
        }
    assert entry_of(appraisal, "王建国").conclusion == ""
    # 基本合格 is allowed; a retired member (赵小组) is not bound by the rule.
    _conclude(secretary_a, appraisal, "王建国", Grade.BASIC)
    _conclude(secretary_a, appraisal, "赵小组", Grade.EXCELLENT)


def test_with_the_rule_a_submitted_registration_is_not_enough_but_a_confirmed_one_is(
    world, office, secretary_a, member_a, community_worker, appraisal
):
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=3, bar_unregistered=True
    )
    registration = community.registration_submit(
        actor=member_a, member=world.member_a, community=world.community
    )
    with pytest.raises(ValidationError):
        _conclude(secretary_a, appraisal, "王建国", Grade.QUALIFIED)
    community.registration_confirm(actor=community_worker, registration=registration)
    assert _conclude(secretary_a, appraisal, "王建国", Grade.QUALIFIED).conclusion == Grade.QUALIFIED


def test_a_branchs_own_setting_turns_the_rule_off_for_it(world, office, secretary_a, appraisal):
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=3, bar_unregistered=True
    )
    services_year.settings_update(
        actor=office, organisation=world.branch_a, prior_weight=3, bar_unregistered=False
    )
    assert _conclude(secretary_a, appraisal, "王建国", Grade.QUALIFIED).conclusion == Grade.QUALIFIED


def test_nobody_concludes_their_own_entry_and_members_do_not_conclude(world, member_a, zhao, appraisal):
    secretary = _user("sec_wang", Role.SECRETARY, organisation=world.branch_a)
    world.member_a.person.user = secretary
    world.member_a.person.save()
    with pytest.raises(PermissionDenied) as exc:
        _conclude(secretary, appraisal, "王建国", Grade.EXCELLENT)
    assert str(exc.value) == "不能评定本人,请由上级组织或其他支委评定。"
    with pytest.raises(PermissionDenied):
        _conclude(zhao, appraisal, "赵小组", Grade.EXCELLENT)
    with pytest.raises(ValidationError) as exc:
        _conclude(SYSTEM, appraisal, "赵小组", "perfect")
    assert exc.value.message_dict == {"conclusion": ["请选择优秀、合格、基本合格或不合格。"]}


def test_closing_needs_every_conclusion_and_then_nothing_changes(
    world, secretary_a, member_a, zhao, appraisal
):
    _conclude(secretary_a, appraisal, "王建国", Grade.QUALIFIED)
    with pytest.raises(ValidationError) as exc:
        services_appraisal.appraisal_close(actor=secretary_a, appraisal=appraisal)
    assert exc.value.messages == ["还有1名党员没有组织评定,全部评定后才能结束评议。"]
    _conclude(secretary_a, appraisal, "赵小组", Grade.EXCELLENT)
    with pytest.raises(PermissionDenied):
        services_appraisal.appraisal_close(actor=member_a, appraisal=appraisal)
    closed = services_appraisal.appraisal_close(actor=secretary_a, appraisal=appraisal)
    assert closed.status == Appraisal.Status.CLOSED
    for attempt in (
        lambda: vote(member_a, appraisal, "赵小组", Grade.BASIC),
        lambda: services_appraisal.appraisal_self(
            actor=member_a, entry=entry_of(appraisal, "王建国"), text="x"
        ),
        lambda: _conclude(secretary_a, appraisal, "王建国", Grade.BASIC),
        lambda: services_appraisal.appraisal_close(actor=secretary_a, appraisal=appraisal),
    ):
        with pytest.raises(ValidationError):
            attempt()


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_secretary_opens_an_appraisal_on_the_page(world, secretary_a, zhao, as_user):
    client = as_user(secretary_a)
    response = client.post(
        url("appraisal_create"), {"organisation": world.branch_a.pk, "year": 2026}, follow=True
    )
    assert "已开始一分公司党支部2026年度民主评议,评议对象2人。" in text(response)
    response = client.post(url("appraisal_create"), {"organisation": world.branch_b.pk, "year": 2026})
    assert "所选党组织不存在或不在您的管理范围内。" in text(response)
    assert Appraisal.objects.count() == 1


def test_a_member_votes_from_the_sheet_and_sees_only_their_own_votes(
    world, member_a, zhao, appraisal, as_user
):
    client = as_user(member_a)
    sheet = text(client.get(url("appraisal_detail", appraisal.pk)))
    zhao_entry = entry_of(appraisal, "赵小组")
    assert url("entry_vote", zhao_entry.pk) in sheet
    assert url("entry_vote", entry_of(appraisal, "王建国").pk) not in sheet  # no vote on oneself
    # htmx swaps the buttons in place: the chosen one pressed.
    fragment = text(
        client.post(url("entry_vote", zhao_entry.pk), {"grade": "excellent"}, HTTP_HX_REQUEST="true")
    )
    assert "<html" not in fragment
    assert re.search(r'value="excellent"\s+class="btn btn-vanguard"', fragment)
    assert fragment.count('aria-pressed="true"') == 1
    # Without JavaScript, back to the sheet.
    response = client.post(url("entry_vote", zhao_entry.pk), {"grade": "qualified"}, follow=True)
    assert "已投票:赵小组“合格”。" in text(response)
    assert AppraisalVote.objects.get().grade == Grade.QUALIFIED
    sheet = text(client.get(url("appraisal_detail", appraisal.pk)))
    assert re.search(r'value="qualified"\s+class="btn btn-vanguard"', sheet)
    # 赵小组 sees neither 王建国's vote nor any tally.
    other = as_user(zhao)
    assert 'aria-pressed="true"' not in text(other.get(url("appraisal_detail", appraisal.pk)))
    entry_page = text(other.get(url("entry_detail", zhao_entry.pk)))
    assert "评议票数" not in entry_page and "网上投票" not in entry_page


def test_a_member_reads_their_tally_and_conclusion_only_once_closed(
    world, secretary_a, member_a, zhao, appraisal, as_user
):
    vote(zhao, appraisal, "王建国", Grade.EXCELLENT)
    _conclude(secretary_a, appraisal, "王建国", Grade.EXCELLENT, "带头作用突出")
    _conclude(secretary_a, appraisal, "赵小组", Grade.QUALIFIED)
    own = entry_of(appraisal, "王建国")
    client = as_user(member_a)
    page = text(client.get(url("entry_detail", own.pk)))
    assert "评议结束后公布。" in page and "带头作用突出" not in page and "评议票数" not in page
    services_appraisal.appraisal_close(actor=secretary_a, appraisal=appraisal)
    page = text(client.get(url("entry_detail", own.pk)))
    assert "带头作用突出" in page and "评议票数" in page


def test_the_secretary_sees_tallies_but_not_the_voters(
    world, secretary_a, member_a, zhao, appraisal, as_user
):
    vote(member_a, appraisal, "赵小组", Grade.EXCELLENT)
    vote(zhao, appraisal, "王建国", Grade.BASIC)
    page = text(as_user(secretary_a).get(url("appraisal_detail", appraisal.pk)))
    assert "结束评议" in page
    zhao_entry = entry_of(appraisal, "赵小组")
    row = page.split(f'id="entry-{zhao_entry.pk}"')[1].split("</tr>")[0]
    assert ">1 <span" in row  # one 优秀
    entry_page = text(as_user(secretary_a).get(url("entry_detail", zhao_entry.pk)))
    assert "评议票数" in entry_page and "王建国" not in entry_page


def test_the_page_warns_and_refuses_under_the_rule(world, office, secretary_a, appraisal, as_user):
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=3, bar_unregistered=True
    )
    client = as_user(secretary_a)
    entry = entry_of(appraisal, "王建国")
    assert "未报到" in text(client.get(url("appraisal_detail", appraisal.pk)))
    assert "尚未到居住社区报到" in text(client.get(url("entry_detail", entry.pk)))
    response = client.post(
        url("entry_conclude", entry.pk), {"conclusion": "qualified", "conclusion_note": ""}
    )
    assert "不能评为“合格”" in text(response)
    entry.refresh_from_db()
    assert entry.conclusion == ""
    response = client.post(url("entry_conclude", entry.pk), {"conclusion": "basic"}, follow=True)
    assert "已将王建国评定为“基本合格”。" in text(response)


def test_the_member_writes_the_self_appraisal_on_the_page(world, member_a, appraisal, as_user):
    entry = entry_of(appraisal, "王建国")
    client = as_user(member_a)
    response = client.post(url("entry_self", entry.pk), {"self_appraisal": ""})
    assert "请填写个人自评。" in text(response)
    response = client.post(url("entry_self", entry.pk), {"self_appraisal": "按时缴纳党费"}, follow=True)
    assert "已保存个人自评。" in text(response)
    zhao_entry = entry_of(appraisal, "赵小组")
    assert client.post(url("entry_self", zhao_entry.pk), {"self_appraisal": "x"}).status_code == 403


def test_the_secretary_enters_paper_tallies_on_the_page(world, secretary_a, appraisal, as_user):
    entry = entry_of(appraisal, "王建国")
    client = as_user(secretary_a)
    response = client.post(
        url("entry_paper", entry.pk),
        {"paper_excellent": "4", "paper_qualified": "x", "paper_basic": "0", "paper_unqualified": "0"},
    )
    assert "请填写整数票数。" in text(response)
    client.post(
        url("entry_paper", entry.pk),
        {"paper_excellent": "4", "paper_qualified": "2", "paper_basic": "0", "paper_unqualified": "0"},
    )
    entry.refresh_from_db()
    assert (entry.paper_excellent, entry.paper_qualified) == (4, 2)


def test_another_branchs_secretary_gets_404_everywhere(world, secretary_b, appraisal, as_user):
    entry = entry_of(appraisal, "王建国")
    client = as_user(secretary_b)
    assert client.get(url("appraisal_detail", appraisal.pk)).status_code == 404
    assert client.post(url("appraisal_close", appraisal.pk)).status_code == 404
    assert client.get(url("entry_detail", entry.pk)).status_code == 404
    for name, data in (
        ("entry_self", {"self_appraisal": "x"}),
        ("entry_vote", {"grade": "excellent"}),
        ("entry_paper", {"paper_excellent": 1}),
        ("entry_conclude", {"conclusion": "excellent"}),
    ):
        assert client.post(url(name, entry.pk), data).status_code == 404, name
    assert "一分公司党支部" not in text(client.get(url("appraisal_list")))


def test_a_supervisor_reads_but_cannot_conclude(world, supervisor, appraisal, as_user):
    entry = entry_of(appraisal, "王建国")
    client = as_user(supervisor)
    assert client.get(url("appraisal_detail", appraisal.pk)).status_code == 200
    assert client.post(url("entry_conclude", entry.pk), {"conclusion": "excellent"}).status_code == 403
    assert client.post(url("appraisal_close", appraisal.pk)).status_code == 403


@pytest.mark.parametrize("name", ["appraisal_list", "appraisal_create", "index"])
def test_the_pages_need_a_login(world, resident, name):
    response = resident.get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_sheet_runs_a_fixed_number_of_queries(world, secretary_a, zhao, as_user):
    appraisal = y.appraisal(world.branch_a)
    client = as_user(secretary_a)
    client.get(url("appraisal_detail", appraisal.pk))
    with CaptureQueriesContext(connection) as few:
        text(client.get(url("appraisal_detail", appraisal.pk)))
    for i in range(10):
        appraisal.entries.create(member=org_factories.member(world.branch_a, f"党员{i}"))
    with CaptureQueriesContext(connection) as more:
        text(client.get(url("appraisal_detail", appraisal.pk)))
    assert len(more) == len(few)


@pytest.mark.parametrize("persona", ["member_a", "supervisor", "community_worker"])
def test_only_editors_open_an_appraisal_on_the_page(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("appraisal_create")).status_code == 403
    assert (
        client.post(url("appraisal_create"), {"organisation": world.branch_a.pk, "year": 2026}).status_code
        == 403
    )
    assert not Appraisal.objects.exists()


def test_a_vote_after_the_close_is_refused_on_the_sheet(
    world, secretary_a, member_a, zhao, appraisal, as_user
):
    for name in ("王建国", "赵小组"):
        _conclude(secretary_a, appraisal, name, Grade.QUALIFIED)
    services_appraisal.appraisal_close(actor=secretary_a, appraisal=appraisal)
    entry = entry_of(appraisal, "赵小组")
    fragment = text(
        as_user(member_a).post(url("entry_vote", entry.pk), {"grade": "excellent"}, HTTP_HX_REQUEST="true")
    )
    assert "本次民主评议已经结束,不能再修改。" in fragment and "disabled" in fragment
    assert not AppraisalVote.objects.exists()
