from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_page_renders_chinese_text_in_chromium(live_server, page):
    page.goto(live_server.url + "/")

    heading = page.locator("h1")
    assert heading.inner_text() == "先锋 · 党员责任区管理"
    assert page.title() == "首页 · 先锋"
    # The CJK font is installed: a Chinese glyph is drawn wider than a Latin letter, not as a missing box.
    widths = page.evaluate(
        """() => {
            const c = document.createElement("canvas").getContext("2d");
            c.font = "32px sans-serif";
            return [c.measureText("党").width, c.measureText("i").width];
        }"""
    )
    assert widths[0] > widths[1] * 2
    # The vendored Bootstrap loaded (no CDN): the navbar is styled.
    assert page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display") == "flex"


def test_a_secretary_enrols_two_factor_and_finds_a_member_by_initials_on_a_phone(
    live_server, phone_page, world, secretary_a
):
    page = phone_page
    page.goto(live_server.url + "/org/members/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "secretary_a")
    page.fill("#id_password", "Vanguard-test-1")
    page.get_by_role("button", name="登录").click()
    # A secretary's login needs a second factor: the first time, an authenticator app is enrolled by QR code.
    page.wait_for_url("**/accounts/two-factor/**")
    assert page.locator("img[alt='动态验证码二维码']").is_visible()
    secret = page.locator("code").inner_text()
    page.fill("#id_token", f"{TOTP(base64.b32decode(secret)).token():06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/org/members/")
    page.fill("#id_q", "wjg")
    page.locator("#member-rows").get_by_text("共 1 名党员").wait_for()
    assert page.locator("#member-rows tbody tr").count() == 1
    assert page.locator("#member-rows").get_by_text("王建国").is_visible()
