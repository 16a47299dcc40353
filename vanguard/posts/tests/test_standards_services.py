"""The post standard's three steps (党员提标准、群众议标准、组织定标准), its publication and the benchmark
records: who may do each, and every refusal, with nothing changed after a refusal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.posts import services_standards as services
from vanguard.posts.models import BenchmarkRecord, Standard, StandardComment

from . import standards_factories as factories

pytestmark = pytest.mark.django_db

Status = Standard.Status
JUNE = "2026-06-15 10:00 +0800"


def _propose(actor, member, **changes):
    fields = {"year": 2026, "post_title": factories.POST, "text": factories.TEXT, **changes}
    return services.standard_propose(actor=actor, member=member, **fields)


# --- 党员提标准 ---------------------------------------------------------------------------------------------


def test_a_member_proposes_the_standard_of_their_post(world, member_a):
    standard = _propose(member_a, world.member_a)
    assert (standard.status, standard.year, standard.post_title) == (Status.PROPOSED, 2026, factories.POST)
    assert standard.proposed_text == factories.TEXT and standard.final_text == ""
    record = AuditRecord.objects.get(object_type="posts.standard", action="create")
    assert record.username == "member_a" and record.detail == "提出2026年度岗位标准"


@pytest.mark.parametrize("persona", ["secretary_a", "office", "secretary_b"])
def test_nobody_proposes_a_standard_for_someone_else(world, persona, request):
    with pytest.raises(PermissionDenied) as exc:
        _propose(request.getfixturevalue(persona), world.member_a)
    assert str(exc.value) == "岗位标准须由党员本人提出。"
    assert not Standard.objects.exists()


def test_a_member_proposes_one_standard_a_year(world, member_a):
    _propose(member_a, world.member_a)
    with pytest.raises(ValidationError) as exc:
        _propose(member_a, world.member_a, post_title="另一个岗位")
    assert exc.value.message_dict == {"year": ["王建国2026年度的岗位标准已经提出,请在原标准上修改。"]}
    assert Standard.objects.count() == 1
    # Next year is another standard.
    assert _propose(member_a, world.member_a, year=2027).year == 2027


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"post_title": "  "}, "post_title", "请填写岗位。"),
        ({"post_title": "岗" * 101}, "post_title", "岗位不能超过100字。"),
        ({"text": ""}, "proposed_text", "请填写您为本岗位提出的标准。"),
        ({"text": "标" * 5001}, "proposed_text", "标准不能超过5000字。"),
        ({"year": 1999}, "year", "年度应在2000年至明年之间。"),
    ],
)
def test_a_proposal_with_bad_input_names_the_field(world, member_a, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        _propose(member_a, world.member_a, **changes)
    assert message in exc.value.message_dict[field]
    assert not Standard.objects.exists()


def test_the_member_edits_their_proposal_until_it_is_set(world, member_a, secretary_a):
    standard = _propose(member_a, world.member_a)
    services.standard_update(actor=member_a, standard=standard, post_title="1路驾驶员", text="新的标准")
    standard.refresh_from_db()
    assert (standard.post_title, standard.proposed_text) == ("1路驾驶员", "新的标准")
    with pytest.raises(PermissionDenied):
        services.standard_update(actor=secretary_a, standard=standard, post_title="x", text="y")
    services.standard_set(actor=secretary_a, standard=standard, final_text="确定的标准")
    with pytest.raises(ValidationError) as exc:
        services.standard_update(actor=member_a, standard=standard, post_title="改", text="改")
    assert exc.value.messages == ["组织已确定2026年度的岗位标准,不能再修改。"]
    standard.refresh_from_db()
    assert standard.proposed_text == "新的标准"


# --- 群众议标准 ---------------------------------------------------------------------------------------------


def test_the_public_comments_on_a_proposed_standard(world):
    standard = factories.proposed(world.member_a)
    comment = services.standard_comment(
        actor=None, standard=standard, content=" 多帮助老人上车 ", name="张大爷"
    )
    assert (comment.channel, comment.entered_by, comment.content) == (
        StandardComment.Channel.ONLINE,
        None,
        "多帮助老人上车",
    )
    record = AuditRecord.objects.get(object_type="posts.standardcomment")
    assert record.user_id is None and record.detail == "群众网上留言"


def test_the_public_cannot_comment_on_a_set_standard(world):
    standard = factories.set_(world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.standard_comment(actor=None, standard=standard, content="意见")
    assert exc.value.messages == ["该岗位标准已由组织确定,不再征求意见。"]
    assert not StandardComment.objects.exists()


def test_the_branch_enters_comments_from_paper(world, secretary_a, office):
    standard = factories.proposed(world.member_a)
    comment = services.standard_comment(
        actor=secretary_a, standard=standard, content="服务热情", name="李阿姨"
    )
    assert (comment.channel, comment.entered_by) == (StandardComment.Channel.PAPER, secretary_a)
    services.standard_comment(actor=office, standard=standard, content="再接再厉")
    assert standard.comments.count() == 2


@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "member_a", "community_worker"])
def test_only_the_branch_enters_paper_comments(world, persona, request):
    standard = factories.proposed(world.member_a)
    with pytest.raises(PermissionDenied):
        services.standard_comment(actor=request.getfixturevalue(persona), standard=standard, content="意见")
    assert not StandardComment.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "field", "message"),
    [
        ("  ", "", "content", "请填写意见。"),
        ("意" * 1001, "", "content", "意见不能超过1000字。"),
        ("意见", "名" * 51, "name", "提意见人不能超过50字。"),
    ],
)
def test_a_public_comment_with_bad_input_is_refused(world, content, name, field, message):
    standard = factories.proposed(world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.standard_comment(actor=None, standard=standard, content=content, name=name)
    assert exc.value.message_dict == {field: [message]}
    assert not StandardComment.objects.exists()


# --- 组织定标准 and 公示 ------------------------------------------------------------------------------------


def test_the_secretary_sets_and_publishes_the_standard(world, secretary_a):
    standard = factories.proposed(world.member_a)
    standard = services.standard_set(actor=secretary_a, standard=standard, final_text=factories.FINAL)
    assert (standard.status, standard.final_text, standard.set_by) == (
        Status.SET,
        factories.FINAL,
        secretary_a,
    )
    assert standard.set_at is not None and standard.published_at is None
    # The text may be corrected until it is published.
    standard = services.standard_set(actor=secretary_a, standard=standard, final_text="更正后的标准")
    standard = services.standard_publish(actor=secretary_a, standard=standard)
    assert standard.status == Status.PUBLISHED and standard.published_at is not None
    details = list(
        AuditRecord.objects.filter(object_type="posts.standard", action="update").values_list(
            "detail", flat=True
        )
    )
    assert details == ["确定岗位标准", "修改组织确定的标准", "公示岗位标准"]


def test_setting_a_standard_needs_the_final_text(world, secretary_a):
    standard = factories.proposed(world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.standard_set(actor=secretary_a, standard=standard, final_text="  ")
    assert exc.value.message_dict == {"final_text": ["请填写组织确定的标准。"]}
    standard.refresh_from_db()
    assert standard.status == Status.PROPOSED and standard.set_at is None


@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "member_a"])
def test_only_the_branch_or_the_office_sets_a_standard(world, persona, request):
    standard = factories.proposed(world.member_a)
    with pytest.raises(PermissionDenied):
        services.standard_set(actor=request.getfixturevalue(persona), standard=standard, final_text="标准")
    standard.refresh_from_db()
    assert standard.status == Status.PROPOSED


def test_the_office_sets_a_standard_but_nobody_sets_their_own(world, office, secretary_a):
    standard = factories.proposed(world.member_a)
    # The secretary's login is also the member's own.
    world.member_a.person.user = secretary_a
    world.member_a.person.save()
    with pytest.raises(PermissionDenied) as exc:
        services.standard_set(actor=secretary_a, standard=standard, final_text="标准")
    assert str(exc.value) == "不能确定自己的岗位标准,须由支部其他委员或党委办公室确定。"
    assert services.standard_set(actor=office, standard=standard, final_text="标准").status == Status.SET


def test_a_published_standard_is_final(world, secretary_a):
    standard = factories.published(world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.standard_set(actor=secretary_a, standard=standard, final_text="改")
    assert exc.value.messages == ["岗位标准已经公示,不能再修改。"]
    with pytest.raises(ValidationError) as exc:
        services.standard_publish(actor=secretary_a, standard=standard)
    assert exc.value.messages[0].startswith("该岗位标准已于") and exc.value.messages[0].endswith("公示。")


def test_a_standard_is_published_only_once_set(world, secretary_a, secretary_b):
    standard = factories.proposed(world.member_a)
    with pytest.raises(ValidationError) as exc:
        services.standard_publish(actor=secretary_a, standard=standard)
    assert exc.value.messages == ["组织确定标准后才能公示。"]
    standard = services.standard_set(actor=secretary_a, standard=standard, final_text="标准")
    with pytest.raises(PermissionDenied):
        services.standard_publish(actor=secretary_b, standard=standard)
    standard.refresh_from_db()
    assert standard.status == Status.SET and standard.published_at is None


# --- 对标记录 -----------------------------------------------------------------------------------------------


@time_machine.travel(JUNE)
def test_the_member_and_the_branch_keep_benchmark_records(world, member_a, secretary_a):
    standard = factories.set_(world.member_a, year=2026)
    mine = services.benchmark_add(
        actor=member_a, standard=standard, recorded_on=dt.date(2026, 6, 15), content="帮助老人上车12次"
    )
    theirs = services.benchmark_add(
        actor=secretary_a, standard=standard, recorded_on=dt.date(2026, 3, 1), content="季度检查:做到"
    )
    assert (mine.created_by, theirs.created_by) == (member_a, secretary_a)
    assert list(standard.records.values_list("content", flat=True)) == ["季度检查:做到", "帮助老人上车12次"]
    assert AuditRecord.objects.filter(object_type="posts.benchmarkrecord", action="create").count() == 2


@time_machine.travel(JUNE)
@pytest.mark.parametrize(
    ("recorded_on", "content", "field", "message"),
    [
        (dt.date(2026, 6, 16), "明天的事", "recorded_on", "日期不能晚于今天。"),
        (dt.date(2025, 12, 31), "去年的事", "recorded_on", "日期须在2026年内(岗位标准的年度)。"),
        (None, "没有日期", "recorded_on", "请填写日期。"),
        (dt.date(2026, 6, 1), "  ", "content", "请填写对标情况。"),
    ],
)
def test_a_benchmark_record_with_bad_input_is_refused(world, member_a, recorded_on, content, field, message):
    standard = factories.set_(world.member_a, year=2026)
    with pytest.raises(ValidationError) as exc:
        services.benchmark_add(actor=member_a, standard=standard, recorded_on=recorded_on, content=content)
    assert exc.value.message_dict == {field: [message]}
    assert not BenchmarkRecord.objects.exists()


@time_machine.travel(JUNE)
def test_benchmark_records_start_once_the_standard_is_set(world, member_a):
    standard = factories.proposed(world.member_a, year=2026)
    with pytest.raises(ValidationError) as exc:
        services.benchmark_add(
            actor=member_a, standard=standard, recorded_on=dt.date(2026, 6, 1), content="做了"
        )
    assert exc.value.messages == ["组织确定岗位标准后才能记录对标情况。"]
    assert not BenchmarkRecord.objects.exists()


@time_machine.travel(JUNE)
@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "community_worker", "other_member"])
def test_nobody_else_writes_benchmark_records(world, persona, request):
    if persona == "other_member":
        actor = factories.member_login(world.member_b, "member_b")
    else:
        actor = request.getfixturevalue(persona)
    standard = factories.set_(world.member_a, year=2026)
    with pytest.raises(PermissionDenied) as exc:
        services.benchmark_add(
            actor=actor, standard=standard, recorded_on=dt.date(2026, 6, 1), content="做了"
        )
    assert str(exc.value) == "对标记录由党员本人或所在支部填写。"
    assert not BenchmarkRecord.objects.exists()


def test_the_console_writes_every_step_for_the_demo(world):
    member = org_factories.member(world.branch_a, "赵文")
    standard = factories.published(member, year=2026)
    record = services.benchmark_add(
        actor=SYSTEM, standard=standard, recorded_on=dt.date(2026, 1, 2), content="元旦值守"
    )
    assert standard.status == Status.PUBLISHED and record.created_by is None
