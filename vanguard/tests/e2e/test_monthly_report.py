"""A month's report, end to end: the member submits it on a phone and finds it in their list; the branch
secretary signs in with their second factor, reviews it with a comment; the member sees the comment."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vanguard.api.tests.helpers import confirmed_device, current_code
from vanguard.reports.models import MonthlyReport

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Vanguard-test-1"


def sign_in(page, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_member_reports_on_a_phone_and_the_secretary_reviews_it(
    live_server, phone_page, page, world, member_a, secretary_a
):
    month = timezone.localdate().replace(day=1)
    label = f"{month.year}年{month.month}月"

    # The member, on a phone: the submit page asks them to sign in first (member_a has no second factor).
    phone = phone_page
    phone.goto(live_server.url + "/reports/new/")
    assert "/accounts/login/" in phone.url
    sign_in(phone, "member_a")
    phone.wait_for_url("**/reports/new/")
    assert phone.locator("#id_month").input_value() == f"{month:%Y-%m}"
    phone.fill("#id_work_done", "本月组织班组学习安全行车规程,检查了1路沿线站牌。")
    phone.fill("#id_ideas", "建议早高峰加开两班车。")
    phone.fill("#id_masses_opinions", "乘客反映南园站站牌字太小。")
    submit = phone.get_by_role("button", name="提交汇报")
    # A big button a thumb can hit on a 390-pixel-wide screen.
    box = submit.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    submit.click()
    phone.wait_for_url("**/reports/mine/")
    phone.get_by_text(f"已提交{label}的月度汇报,等待支部审阅。").wait_for()
    mine = phone.locator("#my-reports")
    assert mine.get_by_text(label).is_visible()
    assert mine.get_by_text("已提交").is_visible()
    report = MonthlyReport.objects.get()
    assert report.member == world.member_a and report.month == month

    # The secretary, at a desk: signs in with the code of the authenticator app, reviews from the queue.
    device = confirmed_device(secretary_a)
    page.goto(live_server.url + "/reports/review/")
    sign_in(page, "secretary_a")
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_token", current_code(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/reports/review/")
    page.locator("#report-rows").get_by_role("link", name="审阅").click()
    page.wait_for_url(f"**/reports/{report.pk}/review/")
    assert page.get_by_text("建议早高峰加开两班车。").is_visible()
    page.fill("#id_comment", "工作扎实,站牌的意见已转公司营运科。")
    page.get_by_role("button", name="审阅通过").click()
    page.wait_for_url("**/reports/review/")
    page.get_by_text(f"已审阅王建国{label}的汇报。").wait_for()
    assert page.get_by_text("没有待审阅的汇报。").is_visible()

    # Back on the phone, the member sees the review.
    phone.reload()
    assert mine.get_by_text("已审阅").is_visible()
    assert mine.get_by_text("工作扎实,站牌的意见已转公司营运科。").is_visible()
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (MonthlyReport.Status.REVIEWED, secretary_a)
