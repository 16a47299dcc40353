"""A person's own data (PIPL art. 45, 47, 4): the export, the rules of anonymisation, anonymisation itself,
the pages and the console command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from python_calamine import CalamineWorkbook
from rest_framework.authtoken.models import Token

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import Action, AuditRecord
from vanguard.community.tests import api_factories as community
from vanguard.conftest import _user
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.contacts.tests import factories as contacts
from vanguard.org import personal_data
from vanguard.org.models import Activist, Cell, Member, Person
from vanguard.org.tests import factories
from vanguard.reports.tests import factories as reports
from vanguard.service_requests import services as requests_services
from vanguard.service_requests.models import Event, ServiceRequest
from vanguard.service_requests.tests import factories as requests
from vanguard.timebank import services as timebank
from vanguard.zones.tests import zone_factories

pytestmark = pytest.mark.django_db

RESIDENT_MOBILE = "13700001234"
RESIDENT_ID = factories.valid_id_number("19500305", "003")


def url(name: str, *args) -> str:
    return reverse(f"org:{name}", args=args)


def workbook(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def cells(sheets: dict[str, list[list]]) -> str:
    return "\n".join(str(value) for rows in sheets.values() for row in rows for value in row)


def audit_text(record: AuditRecord) -> str:
    return (
        " ".join(
            str(v)
            for v in (record.object_type, record.object_id, record.object_repr, record.before, record.after)
        )
        + record.detail
    )


@pytest.fixture
def member_data(world, member_a):
    """member_a's rows across apps: a contact and a talk, a report, a verified service record (with its
    time-bank credit), a request of their own by their mobile and one they handle for another resident.
    And member_b's report, which is not theirs."""
    member = world.member_a
    member.person.id_number = factories.valid_id_number("19800101", "011")
    member.person.save()
    contact = contacts.assignment(member, contacts.resident("张大爷"))
    contacts.talk(contact, dt.date(2026, 2, 1), content="聊了孙子上学的事")
    reports.report(member, dt.date(2026, 1, 1), work_done="本月走访了三户居民")
    community.record(member, world.community, activity="帮独居老人买菜")
    requests.submit(world, name="王建国", phone=member.person.mobile, description="我家楼道灯坏了")
    requests.submit(world)  # 张阿姨's, 13600001111, routed to member_a
    reports.report(world.member_b, dt.date(2026, 1, 1), work_done="李红梅的月度汇报")
    return member


@pytest.fixture
def elder(world):
    """One of the masses with every identifying field filled, kept as a contact by branch A's member."""
    person = factories.person(
        "张大爷",
        gender=Person.Gender.MALE,
        birth_date=dt.date(1950, 3, 5),
        id_number=RESIDENT_ID,
        mobile=RESIDENT_MOBILE,
        workplace=world.team,
        residence=world.community,
        occupation="退休工人",
        notes="独居,腿脚不便",
    )
    person.strengths.create(name="修自行车")
    return person


@pytest.fixture
def resident_data(world, elder):
    """The resident's rows: kept as member_a's contact (with notes and a talk), a closed request of theirs
    by phone (its timeline's note says why it was closed), and a login without a role."""
    contact = contacts.assignment(world.member_a, elder)
    contact.notes = "张大爷的儿子在外地"
    contact.save()
    contacts.talk(contact, dt.date(2026, 2, 1), content="张大爷说想学用智能手机", problems="药费高")
    req = requests.submit(world, name="张大爷", phone=RESIDENT_MOBILE, description="张大爷家水管漏水")
    requests_services.close(actor=SYSTEM, request=req, reason="张大爷说已自己修好")
    user = _user("zhangdaye")
    user.email = "zhangdaye@example.com"
    user.display_name = "张大爷"
    user.save()
    elder.user = user
    elder.save()
    Token.objects.create(user=user)
    TOTPDevice.objects.create(user=user, name="phone")
    return elder


# --- collect() and the export ------------------------------------------------------------------------------


def test_the_export_holds_the_persons_rows_from_several_apps(member_data, office):
    person = member_data.person
    sheets = workbook(personal_data.export_workbook(person, user=office))
    for title in ("人员", "党员", "联系对象", "谈心走访", "月度汇报", "服务记录", "群众诉求", "时间银行账户"):
        assert title in sheets, f"no sheet {title}: {list(sheets)}"
    text = cells(sheets)
    # Their own numbers in full: it is their copy.
    assert person.mobile in text and person.id_number in text
    assert "本月走访了三户居民" in text
    assert "聊了孙子上学的事" in text
    assert "帮独居老人买菜" in text
    assert "我家楼道灯坏了" in text
    assert sheets["人员"][0][:4] == ["编号", "创建时间", "更新时间", "姓名"]


def test_the_export_holds_nothing_of_another_person(member_data, office, world):
    text = cells(workbook(personal_data.export_workbook(member_data.person, user=office)))
    assert "李红梅" not in text
    assert world.member_b.person.mobile not in text
    assert "李红梅的月度汇报" not in text
    # A request the member handles for a resident: the resident's phone and name are masked.
    assert "13600001111" not in text and "136****1111" in text
    assert "张阿姨" not in text and "张**" in text


def test_the_export_masks_other_people_two_steps_away(member_data, office):
    from vanguard.posts.models import StandardComment
    from vanguard.posts.tests import standards_factories

    standard = standards_factories.proposed(member_data)
    StandardComment.objects.create(standard=standard, name="赵群众", content="标准可以再具体些")
    text = cells(workbook(personal_data.export_workbook(member_data.person, user=office)))
    assert "标准可以再具体些" in text
    assert "赵群众" not in text and "赵**" in text


def test_the_export_leaves_out_secrets(member_data, member_a, office):
    token = Token.objects.create(user=member_a)
    device = TOTPDevice.objects.create(user=member_a, name="phone")
    text = cells(workbook(personal_data.export_workbook(member_data.person, user=office)))
    assert member_a.password not in text
    assert token.key not in text
    assert device.key not in text
    assert "member_a" in text  # the login itself is theirs: its name is in


def test_collecting_takes_the_same_number_of_queries_whatever_the_rows(member_data, world):
    person = member_data.person
    with CaptureQueriesContext(connection) as before:
        first = personal_data.collect(person)
    for month in range(2, 7):
        reports.report(member_data, dt.date(2026, month, 1))
        contacts.talk(ContactAssignment.objects.get(member=member_data), dt.date(2026, month, 2))
        requests.submit(world, name="王建国", phone=person.mobile, description=f"第{month}件事:楼道灯又坏了")
    with CaptureQueriesContext(connection) as after:
        second = personal_data.collect(person)
    assert sum(len(s.rows) for s in second) > sum(len(s.rows) for s in first) + 15
    assert len(after) == len(before)


def test_a_residents_export_holds_their_requests_and_where_they_are_kept_as_a_contact(resident_data, office):
    text = cells(workbook(personal_data.export_workbook(resident_data, user=office)))
    assert "张大爷家水管漏水" in text
    assert "张大爷的儿子在外地" in text
    assert RESIDENT_MOBILE in text and RESIDENT_ID in text
    assert "zhangdaye" in text


def test_the_export_is_audited_without_the_data(member_data, office):
    person = member_data.person
    count = AuditRecord.objects.count()
    personal_data.export_workbook(person, user=office)
    assert AuditRecord.objects.count() == count + 1
    record = AuditRecord.objects.order_by("-pk").first()
    assert record.action == Action.EXPORT
    assert (record.object_type, record.object_id, record.username) == ("org.person", str(person.pk), "office")
    assert record.detail.startswith("person.export:")
    assert record.after["kind"] == "personal_data" and record.after["count"] > 10
    text = audit_text(record)
    for value in (person.name, person.mobile, person.id_number, "本月走访了三户居民"):
        assert value not in text


def test_only_the_office_or_the_person_may_export(member_data, secretary_a, member_a, office):
    assert personal_data.export_workbook(member_data.person, user=member_a)
    with pytest.raises(PermissionDenied):
        personal_data.export_workbook(member_data.person, user=secretary_a)


# --- the rules ---------------------------------------------------------------------------------------------


def test_a_resident_may_be_anonymised(elder):
    assert personal_data.anonymisation_refusal(elder) is None


def test_a_member_may_not(world):
    reason = personal_data.anonymisation_refusal(world.member_a.person)
    assert "党员" in reason and "一分公司党支部" in reason and "档案" in reason


def test_someone_whose_membership_ended_may(world):
    person = world.member_b.person
    Member.objects.filter(pk=world.member_b.pk).delete()
    assert personal_data.anonymisation_refusal(Person.objects.get(pk=person.pk)) is None


def test_an_activist_on_the_rolls_may_not(world):
    person = contacts.activist(world.branch_a, "钱积极")
    reason = personal_data.anonymisation_refusal(person)
    assert "入党积极分子" in reason and "档案" in reason


def test_an_activist_admitted_whose_membership_ended_may(world):
    person = contacts.activist(world.branch_a, "钱积极", stage=Activist.Stage.ADMITTED)
    assert personal_data.anonymisation_refusal(person) is None


def test_a_login_with_an_active_role_may_not(elder, world):
    user = _user("zhangdaye", Role.COMMUNITY, cell=world.community)
    elder.user = user
    elder.save()
    reason = personal_data.anonymisation_refusal(elder)
    assert "zhangdaye" in reason and "社区工作人员" in reason


def test_a_superusers_login_may_not(elder):
    user = _user("zhangdaye")
    user.is_superuser = True
    user.save()
    elder.user = user
    elder.save()
    assert "超级管理员" in personal_data.anonymisation_refusal(elder)


def test_a_login_without_a_role_or_closed_may(elder, world):
    user = _user("zhangdaye")
    elder.user = user
    elder.save()
    assert personal_data.anonymisation_refusal(elder) is None
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, cell=world.community)
    user.is_active = False
    user.save()
    assert personal_data.anonymisation_refusal(Person.objects.get(pk=elder.pk)) is None


def test_a_person_of_a_current_zone_may_not(elder, world):
    zone = zone_factories.zone(world.branch_a, "南园社区责任区", lead=elder)
    reason = personal_data.anonymisation_refusal(elder)
    assert zone.name in reason and "负责人" in reason


def test_a_person_of_last_years_zone_may(elder, world):
    zone_factories.zone(world.branch_a, "南园社区责任区", lead=elder, year=2025)
    assert personal_data.anonymisation_refusal(elder) is None


def test_open_requests_by_their_mobile_refuse(elder, world):
    req = requests.submit(world, name="张大爷", phone=RESIDENT_MOBILE)
    reason = personal_data.anonymisation_refusal(elder)
    assert req.tracking_code in reason and "未办结" in reason
    requests_services.close(actor=SYSTEM, request=req, reason="重复")
    assert personal_data.anonymisation_refusal(elder) is None


def test_a_time_bank_balance_refuses(world):
    account = community.household(world.community, "刘奶奶")
    person = account.person
    community.record(world.member_a, world.community, "3")
    member_account = timebank.member_account(world.member_a, world.community)
    timebank.donate(actor=SYSTEM, source=member_account, target=account, hours="1.5")
    reason = personal_data.anonymisation_refusal(person)
    assert "时间银行" in reason and "1.5" in reason
    timebank.spend(actor=SYSTEM, source=account, target=member_account, hours="1.5", memo="理发")
    assert timebank.balance(account) == Decimal("0")
    assert personal_data.anonymisation_refusal(person) is None


def test_every_reason_is_given_at_once(world):
    person = world.member_a.person
    zone_factories.zone(world.branch_a, "一车队责任区", lead=person)
    reason = personal_data.anonymisation_refusal(person)
    assert "党员" in reason and "一车队责任区" in reason


# --- anonymise() -------------------------------------------------------------------------------------------


def test_anonymise_clears_every_identifying_field(resident_data, office):
    personal_data.anonymise(resident_data, user=office)
    person = Person.objects.get(pk=resident_data.pk)
    assert person.name == "已匿名"
    assert (person.gender, person.birth_date, person.id_number, person.mobile) == ("", None, "", "")
    assert (person.workplace_id, person.residence_id, person.occupation, person.notes) == (None, None, "", "")
    assert "zhang" not in person.name_pinyin and person.name_initials != "zdy"
    assert not person.strengths.exists()


def test_anonymise_clears_the_free_text_about_them(resident_data, office):
    personal_data.anonymise(resident_data, user=office)
    contact = ContactAssignment.objects.get(person=resident_data)
    assert contact.notes == ""
    talk = Talk.objects.get(assignment=contact)
    assert (talk.content, talk.problems) == ("已匿名", "")
    req = ServiceRequest.objects.get(pk=ServiceRequest.objects.order_by("pk").last().pk)
    assert (req.name, req.phone, req.description) == ("已匿名", "", "已匿名")
    assert not Event.objects.filter(request=req, note__contains="张大爷").exists()


def test_anonymise_clears_a_pairings_notes_and_visits(resident_data, world, office):
    from vanguard.community import services_teams
    from vanguard.community.models import Pairing, PairingVisit

    community.registration(world.member_a, world.community)
    pairing = services_teams.pairing_create(
        actor=SYSTEM,
        community=world.community,
        member=world.member_a,
        person=resident_data,
        kind=Pairing.Kind.ELDERLY,
        started_on=dt.date(2026, 3, 1),
        notes="每周帮张大爷取药",
    )
    services_teams.pairing_visit(
        actor=SYSTEM, pairing=pairing, visited_on=dt.date(2026, 3, 8), content="张大爷血压偏高"
    )
    personal_data.anonymise(resident_data, user=office)
    pairing.refresh_from_db()
    assert pairing.notes == ""
    assert PairingVisit.objects.get(pairing=pairing).content == "已匿名"


def test_anonymise_closes_their_login(resident_data, office):
    user_id = resident_data.user_id
    personal_data.anonymise(resident_data, user=office)
    user = User.objects.get(pk=user_id)
    assert user.username == f"anonymised-{user_id}"
    assert (user.email, user.display_name, user.is_active) == ("", "", False)
    assert not user.has_usable_password()
    assert not Token.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_anonymise_keeps_the_rows_and_their_counts(resident_data, office, world):
    models = (Person, ContactAssignment, Talk, ServiceRequest, Event, User)
    before = {m: m.objects.count() for m in models}
    personal_data.anonymise(resident_data, user=office)
    assert {m: m.objects.count() for m in models} == before
    assert ContactAssignment.objects.filter(member=world.member_a, person=resident_data).exists()


def test_anonymise_writes_one_audit_record_with_no_personal_data(resident_data, office):
    count = AuditRecord.objects.count()
    personal_data.anonymise(resident_data, user=office)
    assert AuditRecord.objects.count() == count + 1
    record = AuditRecord.objects.order_by("-pk").first()
    assert record.action == Action.ANONYMISE
    assert record.detail.startswith("按《个人信息保护法》")
    assert (record.object_type, record.object_id) == ("org.person", str(resident_data.pk))
    assert record.before is None and record.after is None
    text = audit_text(record)
    for value in ("张大爷", RESIDENT_MOBILE, RESIDENT_ID, "zhangdaye", "独居", "水管漏水"):
        assert value not in text
    # Nor anywhere in the trail written since (the record is the only one).
    for record in AuditRecord.objects.filter(pk__gt=count):
        assert RESIDENT_MOBILE not in audit_text(record)


def test_a_refused_anonymisation_changes_nothing(world, office):
    person = world.member_a.person
    before = Person.objects.filter(pk=person.pk).values().get()
    count = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        personal_data.anonymise(person, user=office)
    assert "党员" in " ".join(refused.value.messages)
    assert Person.objects.filter(pk=person.pk).values().get() == before
    assert AuditRecord.objects.count() == count


def test_only_the_office_may_anonymise(resident_data, secretary_a, community_worker):
    for user in (secretary_a, community_worker):
        with pytest.raises(PermissionDenied):
            personal_data.anonymise(resident_data, user=user)
    assert Person.objects.get(pk=resident_data.pk).name == "张大爷"


def test_the_office_of_another_committee_may_not(resident_data, world):
    other = factories.organisation("另一个党委", "committee")
    outsider = _user("other_office", Role.OFFICE, organisation=other)
    with pytest.raises(PermissionDenied):
        personal_data.anonymise(resident_data, user=outsider)


def test_after_anonymisation_the_export_names_no_one(resident_data, office):
    personal_data.anonymise(resident_data, user=office)
    text = cells(workbook(personal_data.export_workbook(resident_data, user=office)))
    for value in ("张大爷", RESIDENT_MOBILE, RESIDENT_ID, "修自行车", "独居", "水管漏水", "智能手机"):
        assert value not in text


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_office_sees_the_page_of_a_member_in_its_scope(world, member_data, office, as_user):
    response = as_user(office).get(url("personal_data", member_data.person_id))
    assert response.status_code == 200
    content = response.content.decode()
    assert "月度汇报" in content and "谈心走访" in content
    assert url("personal_data_export", member_data.person_id) in content
    assert "暂不能匿名化" in content  # a member: the reason is on the page


def test_the_office_downloads_the_workbook(world, member_data, office, as_user):
    response = as_user(office).get(url("personal_data_export", member_data.person_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert "月度汇报" in workbook(response.content)


@pytest.mark.parametrize("name", ["personal_data", "personal_data_export", "personal_data_anonymise"])
def test_the_secretary_of_another_branch_gets_404(world, secretary_b, as_user, name):
    assert as_user(secretary_b).get(url(name, world.member_a.person_id)).status_code == 404


@pytest.mark.parametrize("name", ["personal_data", "personal_data_export", "personal_data_anonymise"])
def test_a_missing_person_is_404(world, office, as_user, name):
    assert as_user(office).get(url(name, 999999)).status_code == 404


@pytest.mark.parametrize("name", ["personal_data", "personal_data_export", "personal_data_anonymise"])
def test_the_branchs_own_secretary_is_refused(world, secretary_a, as_user, name):
    assert as_user(secretary_a).get(url(name, world.member_a.person_id)).status_code == 403


@pytest.mark.parametrize("name", ["personal_data", "personal_data_export", "personal_data_anonymise"])
def test_anonymous_visitors_are_sent_to_log_in(world, resident, name):
    for method in ("get", "post"):
        response = getattr(resident, method)(url(name, world.member_a.person_id))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_are_sent_to_log_in_for_their_own_page(resident):
    response = resident.get(url("my_personal_data"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_person_exports_their_own_data_but_may_not_anonymise(world, member_data, member_a, as_user):
    client = as_user(member_a)
    own = member_data.person_id
    page = client.get(url("my_personal_data"))
    assert page.status_code == 200 and "导出我的个人信息" in page.content.decode()
    assert url("personal_data_anonymise", own) not in page.content.decode()
    assert client.get(url("personal_data", own)).status_code == 200
    assert client.get(url("personal_data_export", own)).status_code == 200
    assert client.get(url("personal_data_anonymise", own)).status_code == 403
    assert client.post(url("personal_data_anonymise", own), {"confirm": "on"}).status_code == 403
    assert client.get(url("personal_data", world.member_b.person_id)).status_code == 404


def test_a_login_without_a_person_is_told_what_is_held(nobody, as_user):
    response = as_user(nobody).get(url("my_personal_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有关联人员档案" in page and nobody.get_username() in page
    assert "导出" not in page


def test_the_name_in_the_menu_leads_to_my_personal_data(member_a, as_user):
    page = as_user(member_a).get(reverse("home")).content.decode()
    assert f'href="{url("my_personal_data")}"' in page


def test_the_pages_answer_only_their_methods(world, office, as_user):
    client = as_user(office)
    person = world.member_a.person_id
    assert client.post(url("personal_data", person)).status_code == 405
    assert client.post(url("personal_data_export", person)).status_code == 405
    assert client.put(url("personal_data_anonymise", person)).status_code == 405


def test_the_confirmation_page_shows_the_refusal_and_no_form(world, office, as_user):
    response = as_user(office).get(url("personal_data_anonymise", world.member_a.person_id))
    content = response.content.decode()
    assert response.status_code == 200
    assert "不能匿名化" in content and "档案" in content
    assert "确认匿名化" not in content


def test_posting_a_refused_anonymisation_changes_nothing(world, office, as_user):
    person = world.member_a.person
    response = as_user(office).post(url("personal_data_anonymise", person.pk), {"confirm": "on"})
    assert response.status_code == 200 and "不能匿名化" in response.content.decode()
    assert Person.objects.get(pk=person.pk).name == person.name


def test_the_confirmation_page_lists_the_consequences(resident_data, office, as_user):
    content = as_user(office).get(url("personal_data_anonymise", resident_data.pk)).content.decode()
    assert "确认匿名化" in content
    assert "联系对象 1 条" in content and "谈心走访 1 条" in content and "群众诉求 1 条" in content
    assert "登录账户停用" in content


def test_anonymising_needs_the_box_ticked(resident_data, office, as_user):
    response = as_user(office).post(url("personal_data_anonymise", resident_data.pk), {})
    assert response.status_code == 200
    assert "请勾选“我已了解匿名化后无法恢复”" in response.content.decode()
    assert Person.objects.get(pk=resident_data.pk).name == "张大爷"


def test_the_office_anonymises_a_resident(resident_data, office, as_user):
    response = as_user(office).post(url("personal_data_anonymise", resident_data.pk), {"confirm": "on"})
    # Still kept as branch A's member's contact, so still in the office's sight: back to their page.
    assert response.status_code == 302
    assert response["Location"] == url("personal_data", resident_data.pk)
    assert Person.objects.get(pk=resident_data.pk).name == "已匿名"


def test_the_member_page_offers_the_actions_by_role(world, member_a, office, secretary_a, as_user):
    page = url("member_detail", world.member_a.pk)
    export = url("personal_data_export", world.member_a.person_id)
    office_page = as_user(office).get(page).content.decode()
    assert export in office_page and url("personal_data_anonymise", world.member_a.person_id) in office_page
    own_page = as_user(member_a).get(page).content.decode()
    assert export in own_page and "导出我的个人信息" in own_page
    assert export not in as_user(secretary_a).get(page).content.decode()


# --- the console -------------------------------------------------------------------------------------------


def test_the_command_exports_a_persons_data(member_data, tmp_path):
    out = tmp_path / "王建国.xlsx"
    stdout = io.StringIO()
    call_command("personal-data", "export", str(member_data.person_id), "--out", str(out), stdout=stdout)
    assert "月度汇报" in workbook(out.read_bytes())
    record = AuditRecord.objects.order_by("-pk").first()
    assert record.action == Action.EXPORT and record.user_id is None and "控制台" in record.username
    assert record.object_id == str(member_data.person_id)


def test_the_command_anonymises_and_refuses_by_the_rules(resident_data, world):
    call_command("personal-data", "anonymise", str(resident_data.pk), stdout=io.StringIO())
    assert Person.objects.get(pk=resident_data.pk).name == "已匿名"
    record = AuditRecord.objects.order_by("-pk").first()
    assert record.action == Action.ANONYMISE and "控制台" in record.username
    with pytest.raises(CommandError, match="党员"):
        call_command("personal-data", "anonymise", str(world.member_a.person_id), stdout=io.StringIO())


def test_the_command_names_a_missing_person_or_directory(world, tmp_path):
    with pytest.raises(CommandError, match="999999"):
        call_command("personal-data", "anonymise", "999999")
    with pytest.raises(CommandError, match="不存在"):
        call_command(
            "personal-data", "export", str(world.member_a.person_id), "--out", str(tmp_path / "no" / "x.xlsx")
        )


def test_a_household_account_reads_as_anonymised_afterwards(world, office):
    account = community.household(world.community, "刘奶奶")
    person = account.person
    contacts.assignment(world.member_a, person)  # in the office's sight
    personal_data.anonymise(person, user=office)
    account.refresh_from_db()
    assert str(account) == "已匿名"
    assert Cell.objects.filter(pk=world.community.pk).exists()
