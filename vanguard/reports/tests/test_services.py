"""The report state machine: a member submits for themself, once a month, never ahead of time; edits while
submitted or returned (which submits it again); the branch's secretary reviews or returns with a comment.
Every refusal says why."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.reports import services
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import APRIL, DECEMBER, FEB, MARCH

Status = MonthlyReport.Status


def submit(user, member, month=MARCH, **fields):
    fields.setdefault("work_done", "组织班组学习安全规程。")
    return services.report_submit(actor=user, member=member, month=month, **fields)


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


# --- submitting ------------------------------------------------------------------------------------------


def test_a_member_submits_their_report_for_this_month(world, member_a):
    report = submit(
        member_a, world.member_a, ideas="建议增加早班车。", masses_opinions="乘客反映站牌字太小。"
    )
    report.refresh_from_db()
    assert (report.member, report.month, report.status) == (world.member_a, MARCH, Status.SUBMITTED)
    assert report.ideas == "建议增加早班车。"
    assert report.masses_opinions == "乘客反映站牌字太小。"
    assert report.submitted_at is not None
    assert report.reviewed_by is None


def test_a_member_may_report_an_earlier_month_they_missed(world, member_a):
    assert submit(member_a, world.member_a, month=DECEMBER).month == DECEMBER


def test_it_rejects_a_report_for_a_future_month(world, member_a):
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a, month=APRIL)
    assert exc.value.message_dict == {"month": ["不能提交未来月份(2026-04)的汇报。"]}
    assert not MonthlyReport.objects.exists()


def test_it_rejects_a_second_report_for_the_same_month(world, member_a):
    submit(member_a, world.member_a)
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a, work_done="又写了一份")
    assert exc.value.message_dict == {"month": ["2026年03月的汇报已经提交过,请修改原汇报。"]}
    assert MonthlyReport.objects.count() == 1


def test_a_duplicate_that_slips_past_validation_gets_the_same_message(world, member_a, monkeypatch):
    # Two submissions at the same moment both pass clean(); the unique constraint stops the second.
    factories.report(world.member_a, MARCH)
    original = MonthlyReport.full_clean
    calls = itertools.count()
    monkeypatch.setattr(
        MonthlyReport,
        "full_clean",
        lambda self, *a, **k: None if next(calls) == 0 else original(self, *a, **k),
    )
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a)
    assert messages(exc) == ["2026年03月的汇报已经提交过,请修改原汇报。"]
    assert MonthlyReport.objects.count() == 1


def test_a_report_needs_the_work_done(world, member_a):
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a, work_done="")
    assert list(exc.value.message_dict) == ["work_done"]


@pytest.mark.parametrize("persona", ["secretary_a", "office", "supervisor", "community_worker"])
def test_only_the_member_themself_submits_a_report(world, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match="月度汇报只能由党员本人提交和修改。"):
        submit(user, world.member_a)
    assert not MonthlyReport.objects.exists()


def test_a_member_cannot_submit_for_another_member(world, member_a):
    with pytest.raises(PermissionDenied):
        submit(member_a, world.member_b)


def test_the_console_may_write_a_report_for_the_demo(world):
    assert submit(SYSTEM, world.member_a).pk


def test_the_zone_defaults_to_the_one_zone_the_member_holds_a_role_in_that_year(world, member_a):
    older = factories.zone(world.branch_a, "旧责任区", year=2025)
    factories.zone_role(older, world.member_a)
    current = factories.zone(world.branch_a, year=2026)
    factories.zone_role(current, world.member_a)
    factories.zone_role(current, world.member_a, "业务带头人")  # two roles, one zone
    assert submit(member_a, world.member_a).zone == current
    assert submit(member_a, world.member_a, month=DECEMBER).zone == older


def test_no_zone_is_assumed_when_the_member_holds_roles_in_two_zones(world, member_a):
    for name in ("1路", "2路"):
        factories.zone_role(factories.zone(world.branch_a, name, year=2026), world.member_a)
    assert submit(member_a, world.member_a).zone is None


def test_a_member_picks_one_of_their_zones(world, member_a):
    first = factories.zone(world.branch_a, "1路", year=2026)
    second = factories.zone(world.branch_a, "2路", year=2026)
    factories.zone_role(first, world.member_a)
    factories.zone_role(second, world.member_a)
    assert submit(member_a, world.member_a, zone=second).zone == second


def test_a_zone_without_a_role_for_the_member_is_refused(world, member_a):
    other = factories.zone(world.branch_a, "别人的责任区", year=2026)
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a, zone=other)
    assert exc.value.message_dict == {"zone": ["王建国在责任区“别人的责任区”中没有分工,请选择自己的责任区。"]}


def test_a_zone_of_another_year_is_refused(world, member_a):
    older = factories.zone(world.branch_a, "旧责任区", year=2025)
    factories.zone_role(older, world.member_a)
    with pytest.raises(ValidationError) as exc:
        submit(member_a, world.member_a, zone=older)
    assert exc.value.message_dict == {"zone": ["责任区“旧责任区”属于2025年度,与汇报月份(2026年)不符。"]}


# --- editing ---------------------------------------------------------------------------------------------


def test_the_member_edits_a_submitted_report(world, member_a):
    report = submit(member_a, world.member_a)
    services.report_update(
        actor=member_a, report=report, fields={"work_done": "改过的内容", "ideas": "新建议"}
    )
    report.refresh_from_db()
    assert (report.work_done, report.ideas, report.status) == ("改过的内容", "新建议", Status.SUBMITTED)


def test_editing_a_returned_report_submits_it_again(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.RETURNED, comment="请写具体些")
    services.report_update(actor=member_a, report=report, fields={"work_done": "具体写了"})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    # The comment stays, so the member and the secretary still see what was asked for.
    assert report.review_comment == "请写具体些"
    assert AuditRecord.objects.filter(object_id=str(report.pk), detail="重新提交").exists()


def test_a_reviewed_report_cannot_be_edited(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)
    with pytest.raises(ValidationError) as exc:
        services.report_update(actor=member_a, report=report, fields={"work_done": "再改"})
    assert messages(exc) == ["2026年3月的汇报已经审阅,不能再修改。"]
    report.refresh_from_db()
    assert report.work_done == "组织班组学习安全规程。"


@pytest.mark.parametrize("persona", ["secretary_a", "office"])
def test_the_secretary_does_not_rewrite_a_members_report(world, member_a, persona, request):
    report = submit(member_a, world.member_a)
    with pytest.raises(PermissionDenied):
        services.report_update(
            actor=request.getfixturevalue(persona), report=report, fields={"work_done": "代写"}
        )


def test_the_month_of_a_report_is_not_editable(world, member_a):
    report = submit(member_a, world.member_a)
    with pytest.raises(ValueError, match="month"):
        services.report_update(actor=member_a, report=report, fields={"month": FEB})


# --- reviewing -------------------------------------------------------------------------------------------


def test_the_secretary_marks_a_report_reviewed_with_an_optional_comment(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_comment) == (Status.REVIEWED, secretary_a, "")
    assert report.reviewed_at is not None


def test_the_office_above_may_review_too(world, member_a, office):
    report = submit(member_a, world.member_a)
    services.report_review(actor=office, report=report, decision=Status.REVIEWED, comment="  很好  ")
    report.refresh_from_db()
    assert report.review_comment == "很好"


def test_returning_a_report_needs_a_comment(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=secretary_a, report=report, decision=Status.RETURNED, comment="  ")
    assert exc.value.message_dict == {"comment": ["退回汇报时须填写审阅意见,说明需要补充或修改的内容。"]}
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_an_unknown_decision_is_refused(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=secretary_a, report=report, decision="submitted")
    assert exc.value.message_dict == {"decision": ["审阅结果须为“已审阅”或“已退回”。"]}


def test_a_reviewed_report_is_not_reviewed_or_returned_again(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)
    for decision in (Status.REVIEWED, Status.RETURNED):
        with pytest.raises(ValidationError) as exc:
            services.report_review(actor=secretary_a, report=report, decision=decision, comment="再看看")
        assert messages(exc) == ["2026年3月的汇报已经审阅,不能再次审阅或退回。"]


def test_a_returned_report_waits_for_the_member_before_it_is_reviewed(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.RETURNED, comment="补充群众意见")
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)
    assert messages(exc) == ["2026年3月的汇报已退回给党员修改,须等其修改并重新提交后才能审阅。"]


@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "community_worker", "member_a"])
def test_only_the_branch_secretary_or_the_office_reviews(world, member_a, persona, request):
    report = submit(member_a, world.member_a)
    with pytest.raises(PermissionDenied):
        services.report_review(
            actor=request.getfixturevalue(persona), report=report, decision=Status.REVIEWED
        )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_secretary_does_not_review_their_own_report(world, secretary_a):
    world.member_a.person.user = secretary_a
    world.member_a.person.save()
    report = factories.report(world.member_a, MARCH)
    with pytest.raises(PermissionDenied, match="不能审阅自己的月度汇报。"):
        services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)


# --- the whole machine -----------------------------------------------------------------------------------


ALLOWED = set(services.TRANSITIONS)


@pytest.mark.parametrize(("start", "to"), list(itertools.product(Status.values, Status.values)))
def test_every_transition_outside_the_table_is_refused_with_a_message(
    world, member_a, secretary_a, start, to
):
    report = factories.report(world.member_a, FEB, status=start)
    try:
        if to == Status.SUBMITTED:
            services.report_update(actor=member_a, report=report, fields={"work_done": "改"})
        else:
            services.report_review(actor=secretary_a, report=report, decision=to, comment="意见")
    except ValidationError as exc:
        # Editing a submitted report is not a transition: it stays submitted, so it never lands here.
        assert (start, to) not in ALLOWED
        assert exc.messages and all("2026年2月" in m or "不能改为" in m for m in exc.messages)
    else:
        assert (start, to) in ALLOWED or start == to == Status.SUBMITTED
    report.refresh_from_db()
    assert report.status == (to if (start, to) in ALLOWED or start == to == Status.SUBMITTED else start)


def test_each_write_is_recorded_with_before_and_after(world, member_a, secretary_a):
    report = submit(member_a, world.member_a)
    services.report_review(actor=secretary_a, report=report, decision=Status.RETURNED, comment="补充")
    records = list(
        AuditRecord.objects.filter(object_type="reports.monthlyreport", object_id=str(report.pk)).order_by(
            "pk"
        )
    )
    assert [(r.action, r.username, r.detail) for r in records] == [
        ("create", "member_a", "提交2026年3月的汇报"),
        ("update", "secretary_a", "退回"),
    ]
    assert records[1].before["status"] == "submitted"
    assert records[1].after["status"] == "returned"
    assert records[1].after["review_comment"] == "补充"


def test_a_member_of_a_group_reports_to_the_branch_above(world, secretary_a):
    member = org_factories.member(world.group_a, "赵六")
    user = User.objects.create_user(username="zhaoliu", password="Vanguard-test-1")
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    member.person.user = user
    member.person.save()
    report = submit(user, member)
    services.report_review(actor=secretary_a, report=report, decision=Status.REVIEWED)
    report.refresh_from_db()
    assert report.status == Status.REVIEWED
