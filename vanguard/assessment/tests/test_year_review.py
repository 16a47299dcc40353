"""The year-end branch review (听、看、谈、访): the office enters points and notes, the total is their sum;
the branches are ranked with ties sharing a place; the secretaries' performance list names each branch's
secretary with the review and the branch's members' mean in the year's roll-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import selectors_year, services_year
from vanguard.assessment.models import BranchReview, RollupResult
from vanguard.audit.models import AuditRecord
from vanguard.org.models import Organisation
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
def secretary_person(world, secretary_a):
    """secretary_a's login belongs to a member of branch A: the branch's secretary as a person."""
    member = org_factories.member(world.branch_a, "张书记")
    member.person.user = secretary_a
    member.person.save()
    return member.person


# --- the service --------------------------------------------------------------------------------------------


def test_the_office_reviews_a_branch_and_the_total_is_the_sum(world, office, secretary_person):
    review = services_year.branch_review_create(
        actor=office,
        organisation=world.branch_a,
        year=2026,
        values={
            "listen_points": "22.5",
            "listen_notes": "书记述职清楚",
            "look_points": 20,
            "look_notes": "三会一课记录齐全",
            "talk_points": 18,
            "talk_notes": "谈话8人",
            "visit_points": 25,
            "visit_notes": "走访群众12户",
        },
    )
    assert review.total == Decimal("85.50")
    assert review.secretary == secretary_person  # from the branch's secretary login
    assert review.reviewed_by == office
    record = AuditRecord.objects.get(object_type="assessment.branchreview")
    assert record.action == "create" and record.after["total"] == "85.50"


def test_changing_the_points_recomputes_the_total(world, office):
    review = y.review(world)
    review = services_year.branch_review_update(
        actor=office,
        review=review,
        values={**{p: 10 for p in services_year.POINT_FIELDS}, "talk_notes": "补谈3人"},
    )
    assert (review.total, review.talk_notes) == (Decimal("40.00"), "补谈3人")
    assert AuditRecord.objects.filter(object_type="assessment.branchreview", action="update").count() == 1


def test_a_second_review_of_the_same_year_is_refused(world):
    y.review(world)
    with pytest.raises(ValidationError) as exc:
        y.review(world)
    assert exc.value.message_dict == {"year": ["一分公司党支部已有2026年度的考评,请修改原考评。"]}


def test_only_a_branch_is_reviewed(world):
    with pytest.raises(ValidationError) as exc:
        y.review(world, organisation=world.group_a)
    assert exc.value.message_dict == {"organisation": ["请选择党支部:“第一党小组”是党小组。"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("listen_points", -1, "得分应在0到100之间。"),
        ("visit_points", 101, "得分应在0到100之间。"),
        ("look_points", "十", "请填写数字。"),
    ],
)
def test_bad_points_are_refused_naming_the_field(world, field, value, message):
    with pytest.raises(ValidationError) as exc:
        y.review(world, **{field: value})
    assert exc.value.message_dict == {field: [message]}
    assert not BranchReview.objects.exists()


def test_a_year_out_of_range_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        y.review(world, year=1999)
    assert exc.value.message_dict == {"year": ["年度应在2000年至明年之间。"]}


def test_a_secretary_outside_the_branch_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services_year.branch_review_create(
            actor=SYSTEM,
            organisation=world.branch_a,
            year=2026,
            secretary=world.member_b.person,
            values={},
        )
    assert exc.value.message_dict == {"secretary": ["所选支部书记须是该支部的书记或党员。"]}


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor", "member_a"])
def test_only_the_office_reviews(world, persona, request):
    with pytest.raises(ValidationError) as exc:
        services_year.branch_review_create(
            actor=request.getfixturevalue(persona), organisation=world.branch_a, year=2026, values={}
        )
    assert exc.value.message_dict == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    review = y.review(world)
    with pytest.raises(PermissionDenied):
        services_year.branch_review_update(actor=request.getfixturevalue(persona), review=review, values={})


# --- ranking and the secretaries' performance --------------------------------------------------------------


def test_branches_are_ranked_by_total_and_ties_share_a_place(world, office):
    branch_c = org_factories.organisation("三分公司党支部", parent=world.committee)
    y.review(world, world.branch_a, listen_points=30)
    y.review(world, world.branch_b, listen_points=10)
    y.review(world, branch_c, listen_points=30)
    ranked = [(r.organisation.name, r.rank) for r in selectors_year.reviews(user=office, year=2026)]
    assert ranked == [("一分公司党支部", 1), ("三分公司党支部", 1), ("二分公司党支部", 3)]


def test_the_secretaries_list_shows_the_members_mean_of_the_years_roll_up(
    world, office, secretary_person, as_user
):
    q1, q2 = y.two_quarters(world)
    rollup = y.rollup(world, [q1, q2])
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    y.review(world, world.branch_a)
    y.review(world, world.branch_b, listen_points=0)
    page = text(as_user(office).get(url("secretary_list"), {"year": 2026}))
    rows = RollupResult.objects.filter(rollup=rollup)
    assert "张书记" in page and "一分公司党支部" in page
    for branch in (world.branch_a, world.branch_b):
        totals = [r.total for r in rows.filter(unit=branch)]
        mean = (sum(totals) / len(totals)).quantize(Decimal("0.01"))
        assert f"{mean} <span" in page
    assert rows.filter(unit=world.branch_a).count() == 2  # 王建国 and 张书记
    assert rollup.name in page


def test_the_secretaries_list_runs_a_fixed_number_of_queries(world, office, as_user):
    client = as_user(office)
    for i in range(3):
        branch = org_factories.organisation(f"第{i}支部", parent=world.committee)
        y.review(world, branch, listen_points=i)
    client.get(url("secretary_list"))
    with CaptureQueriesContext(connection) as few:
        text(client.get(url("secretary_list")))
    for i in range(3, 12):
        branch = org_factories.organisation(f"第{i}支部", parent=world.committee)
        y.review(world, branch, listen_points=i)
    with CaptureQueriesContext(connection) as more:
        page = text(client.get(url("secretary_list")))
    assert "第11支部" in page
    assert len(more) == len(few)


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_office_enters_a_review_on_the_page(world, office, secretary_person, as_user):
    client = as_user(office)
    form = text(client.get(url("review_create"), {"organisation": world.branch_a.pk}))
    assert "张书记" in form  # the secretaries offered follow the branch chosen
    response = client.post(
        url("review_create"),
        {
            "organisation": world.branch_a.pk,
            "year": 2026,
            "secretary": secretary_person.pk,
            "listen_points": "25",
            "listen_notes": "述职",
            "look_points": "25",
            "look_notes": "",
            "talk_points": "20",
            "talk_notes": "",
            "visit_points": "15",
            "visit_notes": "",
        },
        follow=True,
    )
    assert "已保存一分公司党支部2026年度考评,总分85.00。" in text(response)
    review = BranchReview.objects.get()
    listing = text(client.get(url("review_list"), {"year": 2026}))
    assert url("review_detail", review.pk) in listing and "85.00" in listing


def test_bad_points_on_the_page_are_shown_and_nothing_is_saved(world, office, as_user):
    response = as_user(office).post(
        url("review_create"),
        {
            "organisation": world.branch_a.pk,
            "year": 2026,
            "listen_points": "abc",
            "look_points": "0",
            "talk_points": "0",
            "visit_points": "0",
        },
    )
    page = text(response)
    assert "请填写数字。" in page and "考评尚未保存" in page
    assert not BranchReview.objects.exists()


def test_the_office_edits_a_review(world, office, as_user):
    review = y.review(world)
    data = {p: "10" for p in services_year.POINT_FIELDS} | {n: "" for n in services_year.NOTE_FIELDS}
    as_user(office).post(url("review_edit", review.pk), {**data, "visit_notes": "补访"})
    review.refresh_from_db()
    assert (review.total, review.visit_notes) == (Decimal("40.00"), "补访")


def test_the_branchs_secretary_reads_its_review_but_not_the_ranking(world, secretary_a, as_user):
    review = y.review(world, listen_notes="汇报清楚")
    client = as_user(secretary_a)
    page = text(client.get(url("review_detail", review.pk)))
    assert "汇报清楚" in page and url("review_edit", review.pk) not in page
    assert client.get(url("review_edit", review.pk)).status_code == 403
    assert client.get(url("review_list")).status_code == 403
    assert client.get(url("secretary_list")).status_code == 403
    assert client.get(url("review_create")).status_code == 403


def test_another_branchs_secretary_gets_404(world, secretary_b, as_user):
    review = y.review(world)
    client = as_user(secretary_b)
    assert client.get(url("review_detail", review.pk)).status_code == 404
    assert client.get(url("review_edit", review.pk)).status_code == 404


@pytest.mark.parametrize("name", ["review_list", "secretary_list", "review_create"])
def test_the_review_pages_need_a_login(world, resident, name):
    response = resident.get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_has_no_review_pages(world, member_a, as_user):
    review = y.review(world)
    client = as_user(member_a)
    assert client.get(url("review_list")).status_code == 403
    assert client.get(url("review_detail", review.pk)).status_code == 404


def test_the_office_of_another_committee_sees_nothing(world, as_user):
    other = org_factories.organisation("另一党委", Organisation.Kind.COMMITTEE)
    from vanguard.conftest import _user

    stranger = _user("office_other", Role.OFFICE, organisation=other)
    review = y.review(world)
    client = as_user(stranger)
    assert "一分公司党支部" not in text(client.get(url("review_list"), {"year": 2026}))
    assert client.get(url("review_detail", review.pk)).status_code == 404
    assert RoleAssignment.objects.filter(user=stranger).count() == 1
