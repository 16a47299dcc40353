"""The opinion book on a post's page: the branch enters entries from the paper book and the complaint line,
answers each entry and marks a complaint upheld or not (a serious one upheld removes the plaque); the post's
members read the book with the residents' names masked and no phone; another branch gets 404."""

from __future__ import annotations

import datetime as dt

import pytest

from vanguard.posts import services
from vanguard.posts.models import ModelPost, Opinion

from . import factories
from .pages import text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(world) -> ModelPost:
    return factories.approved_post(world)


def _complaint(post, **fields) -> Opinion:
    return services.opinion_submit(
        actor=None,
        post=post,
        kind=Opinion.Kind.COMPLAINT,
        content=fields.pop("content", "到站不停车"),
        name=fields.pop("name", "张三丰"),
        phone=fields.pop("phone", "13900001111"),
        **fields,
    )


def _entry(**changes) -> dict:
    return {
        "channel": "phone",
        "kind": "complaint",
        "received_on": "2026-03-05",
        "content": "车内空调未开",
        "name": "刘芳",
        "phone": "0317-7654321",
        **changes,
    }


def test_the_secretary_enters_a_call_to_the_complaint_line(post, secretary_a, as_user):
    client = as_user(secretary_a)
    response = client.post(url("opinion_add", post.pk), _entry(), follow=True)
    page = text(response)
    assert "已录入意见簿:投诉(投诉电话)。" in page and "车内空调未开" in page
    opinion = Opinion.objects.get(post=post)
    assert (opinion.channel, opinion.received_on, opinion.entered_by, opinion.phone) == (
        Opinion.Channel.PHONE,
        dt.date(2026, 3, 5),
        secretary_a,
        "0317-7654321",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": " "}, "请填写内容。"),
        ({"received_on": "2099-01-01"}, "收到日期不能晚于今天。"),
        ({"received_on": "3月5日"}, "请按“年-月-日”填写日期。"),
        ({"phone": "打不通"}, "请填写正确的电话号码"),
        ({"channel": "online"}, "渠道"),
    ],
)
def test_a_bad_entry_is_refused_with_a_message(post, secretary_a, as_user, changes, message):
    page = text(as_user(secretary_a).post(url("opinion_add", post.pk), _entry(**changes)))
    assert message in page
    assert not Opinion.objects.exists()


def test_the_secretary_answers_a_complaint_and_marks_it_upheld(post, secretary_a, as_user):
    opinion = _complaint(post)
    client = as_user(secretary_a)
    page = text(client.get(url("detail", post.pk)))
    assert url("opinion_answer", opinion.pk) in page and "13900001111" in page and "张三丰" in page
    response = client.post(
        url("opinion_answer", opinion.pk),
        {f"answer-{opinion.pk}-answer": "经核实属实,已批评教育。", f"answer-{opinion.pk}-upheld": "yes"},
        follow=True,
    )
    page = text(response)
    assert "已答复该留言。" in page and "经核实属实,已批评教育。" in page and "投诉属实" in page
    opinion.refresh_from_db()
    assert (opinion.upheld, opinion.serious, opinion.answered_by) == (True, False, secretary_a)
    post.refresh_from_db()
    assert post.status == ModelPost.Status.APPROVED


def test_a_complaint_must_be_checked_before_it_is_answered(post, secretary_a, as_user):
    opinion = _complaint(post)
    page = text(
        as_user(secretary_a).post(
            url("opinion_answer", opinion.pk), {f"answer-{opinion.pk}-answer": "已处理"}
        )
    )
    assert "请核实投诉是否属实。" in page and "已处理" in page
    opinion.refresh_from_db()
    assert opinion.answered_at is None


def test_an_answer_needs_text(post, secretary_a, as_user):
    opinion = services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.OPINION, content="多开一班车")
    page = text(
        as_user(secretary_a).post(url("opinion_answer", opinion.pk), {f"answer-{opinion.pk}-answer": ""})
    )
    assert "请填写答复内容。" in page
    opinion.refresh_from_db()
    assert opinion.answered_at is None


def test_a_serious_complaint_upheld_removes_the_plaque(post, secretary_a, as_user):
    opinion = _complaint(post, content="辱骂乘客")
    prefix = f"answer-{opinion.pk}"
    response = as_user(secretary_a).post(
        url("opinion_answer", opinion.pk),
        {f"{prefix}-answer": "经调查属实。", f"{prefix}-upheld": "yes", f"{prefix}-serious": "on"},
        follow=True,
    )
    assert "严重投诉经核实属实,“一车队1路党员示范岗”已摘牌。" in text(response)
    post.refresh_from_db()
    assert post.status == ModelPost.Status.REMOVED


def test_praise_is_answered_without_a_verdict(post, secretary_a, as_user):
    opinion = services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.PRAISE, content="司机很热心")
    client = as_user(secretary_a)
    assert f"answer-{opinion.pk}-upheld" not in text(client.get(url("detail", post.pk)))
    client.post(url("opinion_answer", opinion.pk), {f"answer-{opinion.pk}-answer": "感谢您的表扬!"})
    opinion.refresh_from_db()
    assert opinion.answer == "感谢您的表扬!" and opinion.upheld is None


def test_a_verdict_once_made_does_not_change(post, secretary_a, as_user):
    opinion = _complaint(post)
    services.opinion_answer(actor=secretary_a, opinion=opinion, answer="不属实", upheld=False)
    page = text(
        as_user(secretary_a).post(
            url("opinion_answer", opinion.pk),
            {f"answer-{opinion.pk}-answer": "改为属实", f"answer-{opinion.pk}-upheld": "yes"},
        )
    )
    assert "投诉核实结论已作出,不能更改。" in page
    opinion.refresh_from_db()
    assert opinion.upheld is False


def test_the_office_answers_too(post, office, as_user):
    opinion = _complaint(post)
    as_user(office).post(
        url("opinion_answer", opinion.pk),
        {f"answer-{opinion.pk}-answer": "不属实", f"answer-{opinion.pk}-upheld": "no"},
    )
    opinion.refresh_from_db()
    assert opinion.upheld is False and opinion.answered_by is not None


def test_a_member_of_the_post_reads_the_book_masked_and_may_not_answer(post, member_a, as_user):
    opinion = _complaint(post)
    client = as_user(member_a)
    page = text(client.get(url("detail", post.pk)))
    assert "到站不停车" in page and "张**" in page
    assert "张三丰" not in page and "13900001111" not in page and "139****1111" not in page
    assert url("opinion_answer", opinion.pk) not in page
    response = client.post(
        url("opinion_answer", opinion.pk),
        {f"answer-{opinion.pk}-answer": "x", f"answer-{opinion.pk}-upheld": "no"},
    )
    assert response.status_code == 403
    assert client.post(url("opinion_add", post.pk), _entry()).status_code == 403
    opinion.refresh_from_db()
    assert opinion.answered_at is None and Opinion.objects.count() == 1


def test_another_branchs_secretary_gets_404(post, secretary_b, as_user):
    opinion = _complaint(post)
    response = as_user(secretary_b).post(
        url("opinion_answer", opinion.pk),
        {f"answer-{opinion.pk}-answer": "x", f"answer-{opinion.pk}-upheld": "no"},
    )
    assert response.status_code == 404
    opinion.refresh_from_db()
    assert opinion.answered_at is None


def test_answering_needs_a_login_and_a_post(post, secretary_a, resident, as_user):
    opinion = _complaint(post)
    response = resident.post(url("opinion_answer", opinion.pk), {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert as_user(secretary_a).get(url("opinion_answer", opinion.pk)).status_code == 405


def test_the_book_pages_and_an_answer_returns_to_its_page(post, secretary_a, as_user):
    first = _complaint(post, received_on=dt.date(2026, 1, 2))
    for i in range(25):
        services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.PRAISE, content=f"表扬{i}")
    client = as_user(secretary_a)
    assert "到站不停车" not in text(client.get(url("detail", post.pk)))
    second = text(client.get(url("detail", post.pk), {"op": 2}))
    assert "到站不停车" in second and "第 2 / 2 页" in second
    response = client.post(
        url("opinion_answer", first.pk),
        {"op": "2", f"answer-{first.pk}-answer": "已核实", f"answer-{first.pk}-upheld": "no"},
    )
    assert response["Location"] == url("detail", post.pk) + "?op=2#opinions"
    # A refused answer comes back on the page where it was typed.
    other = _complaint(post, content="另一件投诉", received_on=dt.date(2026, 1, 1))
    page = text(client.post(url("opinion_answer", other.pk), {"op": "2", f"answer-{other.pk}-answer": "x"}))
    assert "另一件投诉" in page and "请核实投诉是否属实。" in page
