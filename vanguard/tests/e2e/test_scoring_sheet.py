"""The scoring sheet in a browser: the secretary scores a member on a phone-sized screen, each row saving
by itself through htmx; the office, working from a page loaded before that save, is told of the conflict in
the row instead of overwriting the secretary's score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vanguard.api.tests.helpers import confirmed_device, current_code
from vanguard.assessment.models import Result, Score
from vanguard.assessment.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Vanguard-test-1"


def sign_in_with_code(page, username: str, device, url: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_token", current_code(device))
    page.get_by_role("button", name="验证").click()


def test_a_secretary_scores_on_a_phone_and_a_stale_edit_is_refused(
    live_server, phone_page, page, world, secretary_a, office
):
    round_ = factories.quarter_round(factories.member_scheme(world.committee), world.committee)
    result = Result.objects.get(round=round_, member=world.member_a)
    indicator = factories.indicator(round_, "思想政治")
    sheet = f"{live_server.url}/assessment/rounds/{round_.pk}/score/?source=organisation"

    # The office opens the sheet first, at a desk, and leaves it open.
    sign_in_with_code(page, "office", confirmed_device(office), sheet)
    page.wait_for_url("**/score/**")
    office_row = page.locator(f"#row-{result.pk}")
    office_row.wait_for()

    # The secretary, on a phone: the row is a card with stacked inputs that fit the screen.
    phone = phone_page
    sign_in_with_code(phone, "secretary_a", confirmed_device(secretary_a), sheet)
    phone.wait_for_url("**/score/**")
    row = phone.locator(f"#row-{result.pk}")
    field = row.locator(f"#p-{result.pk}-{indicator.pk}")
    box = field.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.locator(f"#row-{Result.objects.get(round=round_, member=world.member_b).pk}").count() == 0
    field.fill("8.5")
    row.get_by_role("button", name="保存").click()
    phone.locator(f"#row-{result.pk}").get_by_text("已保存").wait_for()
    assert Score.objects.get(result=result, indicator=indicator).points == Decimal("8.5")

    # The office's page still holds the old version: its save is refused with who changed it.
    office_field = office_row.locator(f"#p-{result.pk}-{indicator.pk}")
    office_field.fill("6")
    office_row.get_by_role("button", name="保存").click()
    page.locator(f"#row-{result.pk}").get_by_text("请刷新页面").wait_for()
    assert "secretary_a" in page.locator(f"#row-{result.pk}").inner_text()
    assert Score.objects.get(result=result, indicator=indicator).points == Decimal("8.5")
