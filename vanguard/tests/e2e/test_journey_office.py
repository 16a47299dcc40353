"""The party office's journey, at a desk: signs in with the second factor, sets up the quarter's assessment
round of the committee from its scheme, opens scoring, enters the organisation's scores, closes the round
(totals and ranks are computed) and publishes it; the results are then on the public results page, with the
members' names masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanguard.assessment.models import Result, Round
from vanguard.assessment.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def this_quarter() -> tuple[int, dt.date, dt.date]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    start = dt.date(today.year, 3 * quarter - 2, 1)
    end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    return quarter, start, end


def test_the_office_runs_a_round_from_draft_to_published_results(
    live_server, page, sign_in, watch_errors, world, office
):
    scheme = factories.member_scheme(world.committee)
    quarter, start, end = this_quarter()
    name = f"{start.year}年第{quarter}季度党员考核"
    # Every transition asks “确定……?” first (assessment.js); the office says yes.
    confirmations: list[str] = []
    page.on("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))

    errors = watch_errors(page)
    sign_in(page, office, "/assessment/")
    page.get_by_role("link", name="新建考核轮次").click()
    page.wait_for_url("**/assessment/rounds/new/")
    page.select_option("#id_scheme", label=scheme.name)
    page.select_option("#id_organisation", label=world.committee.name)
    page.fill("#id_name", name)
    page.fill("#id_period_start", f"{start:%Y-%m-%d}")
    page.fill("#id_period_end", f"{end:%Y-%m-%d}")
    page.get_by_role("button", name="保存").click()
    page.get_by_text(f"已建立考核轮次“{name}”(草稿),确认无误后点击“开始评分”。").wait_for()
    round_ = Round.objects.get(name=name)
    assert (round_.status, round_.organisation, round_.period_start, round_.period_end) == (
        Round.Status.DRAFT,
        world.committee,
        start,
        end,
    )
    assert page.locator("h1 .badge").inner_text() == "草稿"

    # 开始评分: a result for each member of the committee's branches.
    page.get_by_role("button", name="开始评分").click()
    page.get_by_text(f"已开始评分:{name}。").wait_for()
    assert confirmations[-1].startswith("开始评分后将为范围内的每个考核对象建立考核结果")
    assert page.locator("h1 .badge").inner_text() == "评分中"
    assert page.get_by_role("heading", name="评分进度").is_visible()
    result_a = Result.objects.get(round=round_, member=world.member_a)
    result_b = Result.objects.get(round=round_, member=world.member_b)
    politics = factories.indicator(round_, "思想政治")
    zone_work = factories.indicator(round_, "责任区工作")

    # The organisation's scores, row by row on the sheet (each row saves by itself through htmx).
    page.get_by_role("link", name="评分表:组织评定").click()
    page.wait_for_url("**/score/?source=organisation")
    for result, points in ((result_a, ("9", "8")), (result_b, ("6", "5"))):
        row = page.locator(f"#row-{result.pk}")
        row.locator(f"#p-{result.pk}-{politics.pk}").fill(points[0])
        row.locator(f"#p-{result.pk}-{zone_work.pk}").fill(points[1])
        row.locator(f"#evidence-{result.pk}").fill("支部季度考察")
        row.get_by_role("button", name="保存").click()
        page.locator(f"#row-{result.pk}").get_by_text("已保存").first.wait_for()
    assert result_a.scores.count() == 2 and result_b.scores.count() == 2
    page.get_by_role("link", name="返回考核轮次").click()

    # 结束评分: totals and ranks are computed and shown to the office.
    page.get_by_role("button", name="结束评分").click()
    page.get_by_text(f"已结束评分,得分和排名已计算:{name}。").wait_for()
    assert page.locator("h1 .badge").inner_text() == "已结束"
    result_a.refresh_from_db()
    result_b.refresh_from_db()
    assert (result_a.rank, result_b.rank) == (1, 2)
    assert result_a.total > result_b.total
    rows = page.locator("#result-rows tbody tr")
    assert rows.nth(0).get_by_role("link", name=world.member_a.person.name).is_visible()
    assert rows.nth(1).get_by_role("link", name=world.member_b.person.name).is_visible()

    # Not public while closed: the public page answers 404 until the office publishes.
    public = live_server.url + f"/p/results/{round_.pk}/"
    assert page.request.get(public).status == 404

    page.get_by_role("button", name="公布结果").click()
    page.get_by_text(f"已公布结果:{name}。").wait_for()
    assert confirmations[-1].startswith("公布后结果锁定")
    assert page.locator("h1 .badge").inner_text() == "已公布"
    assert page.get_by_text("结果已公布并锁定").is_visible()
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED and round_.published_at is not None
    assert page.get_by_role("button", name="重新开放评分").count() == 0
    # The round's page links to the public page the office shares.
    assert page.get_by_role("link", name="公示页面").get_attribute("href") == f"/p/results/{round_.pk}/"

    # The masses open the public results page (no login): ranks, masked names and totals.
    resident = page.context.browser.new_context(locale="zh-CN")
    try:
        board = resident.new_page()
        board_errors = watch_errors(board)
        board.goto(public)
        assert board.get_by_role("heading", name=name).is_visible()
        assert board.get_by_text(f"公布于 {timezone.localdate():%Y-%m-%d}").is_visible()
        lines = board.locator("table.public-results tbody tr")
        assert lines.count() == 2
        first, second = lines.nth(0).locator("td"), lines.nth(1).locator("td")
        assert [first.nth(0).inner_text(), first.nth(1).inner_text().splitlines()[0]] == ["1", "王**"]
        assert [second.nth(0).inner_text(), second.nth(1).inner_text().splitlines()[0]] == ["2", "李**"]
        assert first.nth(2).inner_text() == str(result_a.total)
        assert second.nth(2).inner_text() == str(result_b.total)
        assert board.get_by_text(world.member_a.person.name).count() == 0  # never the full name
        assert errors == [] and board_errors == []  # no script error, no CSP violation on the way
    finally:
        resident.close()
