"""A resident's request, end to end: on a phone, from the zone's board, the resident asks for help and gets a
tracking code; the zone's responsible member signs in, accepts and resolves it; the resident rates it by the
tracking code and the request is closed."""

from __future__ import annotations

import re

import pytest

from vanguard.service_requests.models import ServiceRequest, Status
from vanguard.service_requests.tests import factories as rf

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Vanguard-test-1"
QUESTION = re.compile(r"(\d+)\s*(加|减)\s*(\d+)")


def solve(text: str) -> str:
    a, op, b = QUESTION.search(text).groups()
    return str(int(a) + int(b) if op == "加" else int(a) - int(b))


def test_a_resident_asks_a_member_resolves_and_the_resident_rates(
    live_server, phone_page, page, world, member_a
):
    zone = rf.zone(world)

    # The resident, on a phone, scans the board's QR code: the board, then 我要求助.
    phone = phone_page
    phone.goto(f"{live_server.url}/p/zones/{zone.pk}/")
    assert phone.get_by_text("南园1号楼责任区").first.is_visible()
    assert phone.get_by_text("13812345678").count() == 0  # the member's mobile is never shown in full
    phone.get_by_role("link", name="我要求助").click()
    phone.wait_for_url(f"**/p/requests/new/?zone={zone.pk}**")
    phone.select_option("#id_category", "drain")
    phone.fill("#id_description", "厨房下水道堵了,水漫到客厅")
    phone.fill("#id_name", "张阿姨")
    phone.fill("#id_phone", "13600001111")
    phone.check("#id_consent")
    question = phone.locator("label[for=id_answer]").inner_text()
    phone.fill("#id_answer", solve(question))
    submit = phone.get_by_role("button", name="提交")
    box = submit.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb's target on a 390-pixel screen
    submit.click()
    phone.wait_for_url("**/p/requests/*/?new=1")
    req = ServiceRequest.objects.get()
    assert req.member == world.member_a and req.status == Status.ASSIGNED
    assert phone.get_by_text(req.tracking_code).first.is_visible()
    assert phone.get_by_text("请记下您的查询码").is_visible()
    tracking_url = phone.url.split("?")[0]

    # The member signs in and finds it in their list, accepts it and resolves it.
    page.goto(live_server.url + "/requests/")
    page.fill("#id_username", "member_a")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/requests/")
    page.get_by_role("link", name=req.tracking_code).first.click()
    page.wait_for_url(f"**/requests/{req.pk}/")
    assert page.get_by_text("厨房下水道堵了,水漫到客厅").is_visible()
    assert page.locator("a[href='tel:13600001111']").count() >= 1  # the handler may call the resident
    page.locator("#action-accept").get_by_role("button", name="受理").click()
    page.get_by_text("已受理,请尽快与居民联系。").wait_for()
    page.get_by_role("button", name="办结").first.click()
    page.fill("#id_resolution", "上门疏通了下水道,已恢复排水")
    page.locator("#action-resolve").get_by_role("button", name="办结").click()
    page.get_by_text("已办结,等待群众评价。").wait_for()
    req.refresh_from_db()
    assert req.status == Status.RESOLVED

    # The resident opens the tracking page again, sees what was done and rates it.
    phone.goto(tracking_url)
    assert phone.get_by_text("上门疏通了下水道,已恢复排水").is_visible()
    assert phone.get_by_text("张阿姨").count() == 0  # masked on the public page
    phone.locator("label[for=id_rating_0]").click()
    phone.fill("#id_comment", "来得很快,谢谢")
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("谢谢您的评价!").wait_for()
    req.refresh_from_db()
    assert (req.status, req.rating, req.rating_comment) == (Status.CLOSED, 5, "来得很快,谢谢")
    assert phone.get_by_role("button", name="提交评价").count() == 0  # no second rating
