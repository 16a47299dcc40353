"""Every rule of the roster and the trees, with the message a person reads: first on the model or the
service (ValidationError.message_dict), then through the member edit page, which must show the same
message and save nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField
from django.urls import reverse

from vanguard.org import services, validators
from vanguard.org.models import Activist, Cell, Member, Organisation, Person
from vanguard.org.tests import factories
from vanguard.org.tests.factories import member_form_data, snapshot, valid_id_number

TOMORROW = "tomorrow"


def tomorrow() -> dt.date:
    return validators.today() + dt.timedelta(days=1)


def invalid_choice() -> str:
    """Django's own message for a choice the form does not offer (选择一个有效的选项…)."""
    return str(ModelChoiceField.default_error_messages["invalid_choice"])


def errors_of(obj, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean(**kwargs)
    return exc.value.message_dict


def message_of(func, value) -> str:
    with pytest.raises(ValidationError) as exc:
        func(value)
    return exc.value.messages[0]


# --- 身份证号 -------------------------------------------------------------------------------------------


def test_the_check_digit_follows_gb_11643():
    # The standard's own worked example: 11010519491231002X.
    assert validators.id_number_check_digit("11010519491231002") == "X"
    assert validators.id_number_check_digit("44052418800101001") == "4"


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "11010519491231002x",  # a lower-case x is what people type
        valid_id_number("19800101", "001"),
        valid_id_number("20000229", "124", region="440305"),
        valid_id_number("19991231", "998", region="650102"),
    ],
)
def test_it_accepts_identity_numbers_with_a_correct_check_digit(number):
    validators.validate_id_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "12345",
        "1101051949123100",  # 16 characters
        "11010519491231002Y",
        "1101051949123100XX",
        "A1010519491231002X",
    ],
)
def test_it_rejects_an_identity_number_that_is_not_17_digits_and_a_check_character(number):
    assert message_of(validators.validate_id_number, number) == (
        "身份证号应为18位:前17位是数字,最后一位是数字或X。"
    )


def test_it_rejects_a_wrong_check_digit_and_names_the_expected_one():
    good = valid_id_number("19800101", "001")
    wrong_last = "0" if good[-1] != "0" else "1"
    message = message_of(validators.validate_id_number, good[:17] + wrong_last)
    assert message == f"身份证号校验位错误:按GB 11643计算最后一位应为{good[-1]}。"


def test_it_names_x_when_the_expected_check_digit_is_x():
    message = message_of(validators.validate_id_number, "110105194912310021")
    assert "最后一位应为X" in message


@pytest.mark.parametrize("birth", ["19801301", "19800230", "19800000", "20010229"])
def test_it_rejects_an_identity_number_whose_birth_date_does_not_exist(birth):
    message = message_of(validators.validate_id_number, valid_id_number(birth))
    assert message == "身份证号中的出生日期(第7至14位)不是有效日期。"


def test_it_rejects_an_identity_number_born_in_the_future():
    number = valid_id_number(tomorrow().strftime("%Y%m%d"))
    assert message_of(validators.validate_id_number, number) == "身份证号中的出生日期晚于今天。"


def test_the_model_rejects_a_bad_identity_number_on_its_field(db):
    errors = errors_of(Person(name="张三", id_number="11010519491231002Y"))
    assert errors["id_number"] == ["身份证号应为18位:前17位是数字,最后一位是数字或X。"]


def test_the_model_stores_the_identity_number_upper_cased(db):
    person = Person(name="张三", id_number="11010519491231002x")
    person.full_clean()
    assert person.id_number == "11010519491231002X"


def test_it_rejects_a_birth_date_that_differs_from_the_identity_number(db):
    person = Person(name="张三", id_number=valid_id_number("19800101"), birth_date=dt.date(1980, 1, 2))
    assert errors_of(person)["birth_date"] == ["出生日期与身份证号中的出生日期(1980-01-01)不一致。"]


def test_it_accepts_a_birth_date_that_matches_the_identity_number(db):
    Person(name="张三", id_number=valid_id_number("19800101"), birth_date=dt.date(1980, 1, 1)).full_clean()


@pytest.mark.parametrize(("serial", "gender"), [("001", Person.Gender.FEMALE), ("002", Person.Gender.MALE)])
def test_it_rejects_a_gender_that_differs_from_the_identity_number(db, serial, gender):
    person = Person(name="张三", id_number=valid_id_number("19800101", serial), gender=gender)
    assert errors_of(person)["gender"] == ["性别与身份证号第17位所示性别不一致。"]


@pytest.mark.parametrize(("serial", "gender"), [("001", Person.Gender.MALE), ("002", Person.Gender.FEMALE)])
def test_it_accepts_the_gender_the_identity_number_shows(db, serial, gender):
    Person(name="张三", id_number=valid_id_number("19800101", serial), gender=gender).full_clean()


def test_it_rejects_an_identity_number_someone_else_has(db):
    number = valid_id_number("19800101")
    factories.person("李四", id_number=number)
    assert errors_of(Person(name="张三", id_number=number))["id_number"] == ["身份证号已被李四使用。"]


def test_a_person_keeps_their_own_identity_number_when_edited(db):
    person = factories.person("李四", id_number=valid_id_number("19800101"))
    person.notes = "已核对"
    person.full_clean()


def test_two_people_without_an_identity_number_are_not_duplicates(db):
    factories.person("李四")
    Person(name="张三").full_clean()


# --- 手机号 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mobile",
    [
        "1381234567",  # too short
        "23812345678",  # does not start with 1
        "10812345678",  # second digit 0
        "11812345678",  # second digit 1
        "12812345678",  # second digit 2
        "1381234567a",
    ],
)
def test_it_rejects_a_mobile_number_that_cannot_exist(db, mobile):
    expected = "手机号应为以1开头的11位数字,第二位为3至9。"
    assert message_of(validators.validate_mobile, mobile) == expected
    assert errors_of(Person(name="张三", mobile=mobile))["mobile"] == [expected]


@pytest.mark.parametrize("mobile", ["13812345678", "19912345678", "15000000000"])
def test_it_accepts_a_mobile_number(db, mobile):
    Person(name="张三", mobile=mobile).full_clean()


# --- dates --------------------------------------------------------------------------------------------


def test_a_birth_date_cannot_be_in_the_future(db):
    assert errors_of(Person(name="张三", birth_date=tomorrow()))["birth_date"] == ["日期不能晚于今天。"]


def test_today_is_not_in_the_future(db):
    Person(name="张三", birth_date=validators.today()).full_clean()


def test_a_join_date_cannot_be_in_the_future(world):
    member = world.member_a
    member.join_date = tomorrow()
    assert errors_of(member)["join_date"] == ["日期不能晚于今天。"]


@pytest.mark.parametrize("field", ["applied_on", "activist_on", "candidate_on", "admitted_on"])
def test_an_activist_date_cannot_be_in_the_future(world, field):
    person = factories.person("赵六", birth_date=dt.date(1995, 5, 5))
    activist = Activist(person=person, organisation=world.branch_a, **{field: tomorrow()})
    assert errors_of(activist)[field] == ["日期不能晚于今天。"]


# --- joining at 18 ------------------------------------------------------------------------------------


def _member_born(world, birth: dt.date, join: dt.date) -> Member:
    person = factories.person("钱七", birth_date=birth)
    return Member(person=person, organisation=world.branch_a, join_date=join)


def test_it_rejects_joining_at_17_years_and_364_days(world):
    # 2008-03-15 → 2009-03-14 is 364 days: the day before the 18th birthday.
    member = _member_born(world, dt.date(1991, 3, 15), dt.date(2009, 3, 14))
    assert errors_of(member)["join_date"] == [
        "入党时须年满18岁:按出生日期1991-03-15,入党日期不能早于2009-03-15。"
    ]


def test_it_accepts_joining_on_the_18th_birthday(world):
    _member_born(world, dt.date(1991, 3, 15), dt.date(2009, 3, 15)).full_clean()


def test_the_age_rule_uses_the_birth_date_in_the_identity_number(world):
    person = factories.person("钱七", id_number=valid_id_number("19910315"))
    member = Member(person=person, organisation=world.branch_a, join_date=dt.date(2009, 3, 14))
    assert "入党日期不能早于2009-03-15" in errors_of(member)["join_date"][0]


def test_someone_born_on_29_february_may_join_from_1_march_of_their_18th_year(world):
    member = _member_born(world, dt.date(2000, 2, 29), dt.date(2018, 2, 28))
    assert errors_of(member)["join_date"] == [
        "入党时须年满18岁:按出生日期2000-02-29,入党日期不能早于2018-03-01。"
    ]
    _member_born(world, dt.date(2000, 2, 29), dt.date(2018, 3, 1)).full_clean()


def test_the_age_rule_holds_for_a_member_being_created_with_a_new_person(world, office):
    # The person is not saved yet when a new member is validated (the form and member_save do this).
    person = Person(name="孙八", birth_date=dt.date(1991, 3, 15))
    member = Member(organisation=world.branch_a, join_date=dt.date(2009, 3, 14))
    with pytest.raises(ValidationError) as exc:
        services.member_save(actor=office, person=person, member=member)
    assert "入党时须年满18岁" in exc.value.message_dict["join_date"][0]
    assert not Person.objects.filter(name="孙八").exists()


# --- where a member, a node, a person may be ----------------------------------------------------------


def test_a_member_cannot_be_placed_in_a_committee(world):
    member = world.member_a
    member.organisation = world.committee
    assert errors_of(member)["organisation"] == ["党员只能编入党支部或党小组,“公交公司党委”是党委。"]


def test_a_member_may_be_placed_in_a_group(world):
    member = world.member_a
    member.organisation = world.group_a
    member.full_clean()


def test_an_activist_is_trained_by_a_branch_or_group(world):
    person = factories.person("赵六")
    activist = Activist(person=person, organisation=world.committee)
    assert errors_of(activist)["organisation"] == ["培养党组织必须是党支部或党小组。"]


def test_a_group_can_only_sit_under_a_branch(world, office):
    for parent in (world.committee, world.group_a):
        with pytest.raises(ValidationError) as exc:
            services.organisation_create(
                actor=office, parent=parent, name="新党小组", kind=Organisation.Kind.GROUP
            )
        assert "党小组的上级必须是党支部。" in exc.value.message_dict["kind"]


def test_a_group_cannot_be_a_root(db):
    from vanguard.accounts.models import User

    root = User.objects.create_superuser("root", password="Vanguard-test-1")
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=root, parent=None, name="孤立党小组", kind=Organisation.Kind.GROUP)
    assert exc.value.message_dict["kind"] == ["党小组的上级必须是党支部。"]


@pytest.mark.parametrize(
    "kind", [Organisation.Kind.BRANCH, Organisation.Kind.GENERAL_BRANCH, Organisation.Kind.COMMITTEE]
)
def test_only_groups_can_sit_under_a_branch(world, office, kind):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=office, parent=world.branch_a, name="下级", kind=kind)
    assert exc.value.message_dict["kind"] == ["党支部下只能设党小组。"]
    assert Organisation.objects.get_children(world.branch_a).count() == 1


def test_a_group_may_be_added_under_a_branch(world, office):
    group = services.organisation_create(
        actor=office, parent=world.branch_a, name="第二党小组", kind=Organisation.Kind.GROUP
    )
    assert Organisation.objects.get_parent(group) == world.branch_a


def test_siblings_cannot_share_a_name(world, office):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=office, parent=world.committee, name="一分公司党支部", kind=Organisation.Kind.BRANCH
        )
    assert exc.value.message_dict["name"] == ["同一上级下已有同名节点“一分公司党支部”。"]


def test_cousins_may_share_a_name(world, office):
    # 第一党小组 exists under branch A; branch B may have one too.
    services.organisation_create(
        actor=office, parent=world.branch_b, name="第一党小组", kind=Organisation.Kind.GROUP
    )


def test_grid_siblings_cannot_share_a_name_and_roots_are_siblings(world, office):
    with pytest.raises(ValidationError) as exc:
        services.cell_create(actor=office, parent=world.street, name="南园社区", kind=Cell.Kind.COMMUNITY)
    assert exc.value.message_dict["name"] == ["同一上级下已有同名节点“南园社区”。"]
    with pytest.raises(ValidationError) as exc:
        services.cell_create(actor=office, parent=None, name="东风街道", kind=Cell.Kind.STREET)
    assert exc.value.message_dict["name"] == ["同一上级下已有同名节点“东风街道”。"]


def test_only_a_community_has_a_community_type(world, office):
    with pytest.raises(ValidationError) as exc:
        services.cell_create(
            actor=office,
            parent=world.community,
            name="一号小区",
            kind=Cell.Kind.ESTATE,
            community_type=Cell.CommunityType.CULTURE,
        )
    assert exc.value.message_dict["community_type"] == ["只有社区可以设置社区类型。"]


def test_a_workplace_must_be_a_workplace_cell(world):
    person = Person(name="张三", workplace=world.community)
    assert errors_of(person)["workplace"] == ["工作单位必须是单位、公司、分公司、部门、班组、线路或岗位。"]
    Person(name="张三", workplace=world.team).full_clean()


def test_a_residence_must_be_a_residential_cell(world):
    person = Person(name="张三", residence=world.team)
    assert errors_of(person)["residence"] == ["居住社区必须是街道、社区、小区、楼栋或户。"]
    Person(name="张三", residence=world.community).full_clean()


# --- activist stages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dates",
    [
        {"applied_on": dt.date(2020, 5, 1), "activist_on": dt.date(2020, 4, 30)},
        {
            "applied_on": dt.date(2020, 1, 1),
            "activist_on": dt.date(2020, 6, 1),
            "candidate_on": dt.date(2020, 3, 1),
        },
        {"activist_on": dt.date(2021, 6, 1), "admitted_on": dt.date(2021, 5, 1)},
    ],
)
def test_activist_stage_dates_must_be_in_order(world, dates):
    person = factories.person("赵六", birth_date=dt.date(1995, 5, 5))
    activist = Activist(person=person, organisation=world.branch_a, **dates)
    assert errors_of(activist)["stage"] == [
        "各阶段日期须依次不早于上一阶段:申请、积极分子、发展对象、预备党员。"
    ]


def test_activist_stage_dates_may_fall_on_the_same_day(world):
    person = factories.person("赵六", birth_date=dt.date(1995, 5, 5))
    day = dt.date(2020, 5, 1)
    Activist(person=person, organisation=world.branch_a, applied_on=day, activist_on=day).full_clean()


# --- the same rules through the member edit page -------------------------------------------------------

ID_19800101_M = valid_id_number("19800101", "001")

FORM_CASES = [
    pytest.param({"person-id_number": "12345"}, "身份证号应为18位", id="id-format"),
    pytest.param(
        {"person-id_number": ID_19800101_M[:17] + ("0" if ID_19800101_M[-1] != "0" else "1")},
        f"最后一位应为{ID_19800101_M[-1]}",
        id="id-check-digit",
    ),
    pytest.param({"person-id_number": valid_id_number("19801301")}, "不是有效日期", id="id-birth-invalid"),
    pytest.param(
        {"person-id_number": "FUTURE-ID", "person-birth_date": ""},
        "身份证号中的出生日期晚于今天",
        id="id-birth-future",
    ),
    pytest.param(
        {"person-id_number": valid_id_number("19850615"), "person-birth_date": "1980-01-01"},
        "出生日期与身份证号中的出生日期(1985-06-15)不一致",
        id="birth-date-inconsistent",
    ),
    pytest.param(
        {"person-id_number": ID_19800101_M, "person-gender": Person.Gender.FEMALE},
        "性别与身份证号第17位所示性别不一致",
        id="gender-inconsistent",
    ),
    pytest.param({"person-id_number": "DUPLICATE"}, "身份证号已被李四使用", id="id-duplicate"),
    pytest.param({"person-mobile": "1381234567"}, "手机号应为以1开头的11位数字", id="mobile-short"),
    pytest.param({"person-mobile": "23812345678"}, "手机号应为以1开头的11位数字", id="mobile-not-1"),
    pytest.param({"person-mobile": "12812345678"}, "手机号应为以1开头的11位数字", id="mobile-second"),
    pytest.param({"person-birth_date": TOMORROW}, "日期不能晚于今天", id="birth-future"),
    pytest.param({"member-join_date": TOMORROW}, "日期不能晚于今天", id="join-future"),
    pytest.param(
        {"person-birth_date": "1991-03-15", "member-join_date": "2009-03-14"},
        "入党时须年满18岁:按出生日期1991-03-15,入党日期不能早于2009-03-15。",
        id="join-under-18",
    ),
    pytest.param({"person-name": ""}, "必填项", id="name-missing"),
]


def _resolve(world, overrides: dict[str, object]) -> dict[str, object]:
    resolved = dict(overrides)
    for key, value in overrides.items():
        if value == TOMORROW:
            resolved[key] = tomorrow().isoformat()
        elif value == "FUTURE-ID":
            resolved[key] = valid_id_number(tomorrow().strftime("%Y%m%d"))
        elif value == "DUPLICATE":
            number = valid_id_number("19800101", "003")
            factories.person("李四", id_number=number)
            resolved[key] = number
    return resolved


@pytest.mark.parametrize(("overrides", "message"), FORM_CASES)
def test_the_member_edit_page_shows_the_rule_and_saves_nothing(
    world, secretary_a, as_user, overrides, message
):
    member = world.member_a
    before = snapshot(member)
    response = as_user(secretary_a).post(
        reverse("org:member_edit", args=[member.pk]), member_form_data(member, _resolve(world, overrides))
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "请更正下面标出的错误,信息尚未保存。" in content
    assert snapshot(member) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("member-organisation", "committee"),  # a committee holds no members
        ("person-workplace", "community"),  # a community is not a workplace
        ("person-residence", "team"),  # a team is not a residence
    ],
)
def test_the_member_edit_page_does_not_offer_nodes_of_the_wrong_kind(world, office, as_user, field, value):
    member = world.member_a
    before = snapshot(member)
    response = as_user(office).post(
        reverse("org:member_edit", args=[member.pk]),
        member_form_data(member, {field: getattr(world, value).pk}),
    )
    assert response.status_code == 200
    form = response.context["member_form" if field.startswith("member") else "person_form"]
    assert form.errors[field.split("-", 1)[1]] == [invalid_choice()]
    assert invalid_choice() in response.content.decode()
    assert snapshot(member) == before


def test_the_member_edit_page_saves_a_valid_change(world, secretary_a, as_user):
    member = world.member_a
    response = as_user(secretary_a).post(
        reverse("org:member_edit", args=[member.pk]),
        member_form_data(
            member,
            {
                "person-id_number": ID_19800101_M.lower(),
                "person-gender": Person.Gender.MALE,
                "person-mobile": "13900001111",
                "member-organisation": world.group_a.pk,
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("org:member_detail", args=[member.pk])
    member.refresh_from_db()
    member.person.refresh_from_db()
    assert member.person.id_number == ID_19800101_M
    assert member.person.mobile == "13900001111"
    assert member.organisation == world.group_a


@pytest.mark.django_db
def test_a_birth_date_far_in_the_future_is_reported_not_a_server_error(world, office, as_user):
    from vanguard.org.tests.factories import member_form_data

    member = world.member_a
    data = member_form_data(member)
    data["person-birth_date"] = "9995-01-01"
    data["person-id_number"] = ""
    response = as_user(office).post(f"/org/members/{member.pk}/edit/", data)
    assert response.status_code == 200
    assert "日期不能晚于今天" in response.content.decode()
