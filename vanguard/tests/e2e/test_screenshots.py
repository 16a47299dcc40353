"""The screenshots of docs/screenshots/, taken from a small realistic world in Chromium: every run takes them
into test-results/screenshots/, `make screenshots` into the docs.

- zone-board.png: a zone's public board (/p/zones/<pk>/) on a phone, as a resident sees it after scanning
  the sign's QR code;
- big-screen.png: a community's big screen (/p/screen/community/<pk>/?still=1) at 1920 × 1080;
- member-home.png: a member's home page (their dashboard) on a 390 × 844 phone;
- sign-board.png: the zone's A4 sign board (标志牌) as it prints.

Each test also checks the page: the zone's name is there, the charts are drawn, and no full mobile number
or full name of a member shows on a public page."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from vanguard.conftest import client_for
from vanguard.posts.tests import standards_factories as standards
from vanguard.public.tests.factories import full_community
from vanguard.service_requests import services as request_services
from vanguard.service_requests.tests import factories as requests
from vanguard.zones.models import Task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every run takes them (into test-results/screenshots/); `make screenshots` takes them into the docs.
SCREENSHOTS = Path(
    os.environ.get("VANGUARD_SCREENSHOTS")
    or Path(__file__).resolve().parents[3] / "test-results" / "screenshots"
)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
PHONE = {"width": 390, "height": 844}


def save(png: bytes, name: str) -> Path:
    """Write a screenshot with a 256-colour palette: a page of flat colours stays sharp and small."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def sign_in(context, live_server, user) -> None:
    """Give the browser the session of a signed-in client (past the second factor where the role needs
    one): the screenshots are of pages, not of the login."""
    session = client_for(user).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@pytest.fixture
def shown(world, member_a):
    """南园社区 with everything its pages show, and its zone filled in as a branch would: scope, commitment,
    tasks, the responsible member's published standard, and a few residents' requests at each stage."""
    full = full_community(world)
    zone = full.zone
    zone.scope = "南园小区1号楼的环境卫生、楼道安全和邻里互助"
    zone.commitment = "有求必应,有难必帮;小事不过夜,大事不拖延"
    zone.save()
    for title in ("楼道杂物清理", "独居老人每周探望", "垃圾分类宣传"):
        Task.objects.create(zone=zone, category=Task.Category.CIVILITY, title=title)
    standards.published(world.member_a)
    accepted = requests.submit(world, category="repair", description="楼道灯坏了", name="李大爷")
    request_services.accept(actor=member_a, request=accepted)
    resolved = requests.submit(world, category="environment", description="门口垃圾堆放", name="赵阿姨")
    request_services.accept(actor=member_a, request=resolved)
    request_services.resolve(actor=member_a, request=resolved, resolution="已联系物业清运")
    request_services.rate(request=resolved, rating=5)
    return full


@pytest.fixture
def context_for(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(locale="zh-CN", **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_zone_board_on_a_phone(live_server, context_for, shown):
    page = context_for(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server.url}/p/zones/{shown.zone.pk}/")
    assert page.get_by_role("heading", name=shown.zone.name).is_visible()
    assert page.get_by_role("link", name="我要求助").is_visible()
    assert page.locator(".zone-qr svg").count() == 1
    body = page.content()
    assert "王*" in body and "王建国" not in body and not MOBILE.search(body)
    save(page.screenshot(full_page=True), "zone-board.png")


def test_big_screen_at_1920(live_server, context_for, shown, world):
    page = context_for(viewport={"width": 1920, "height": 1080}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/p/screen/community/{world.community.pk}/?still=1")
    page.wait_for_selector('#screen[data-loaded="1"]')
    page.wait_for_selector("#chart-coverage canvas")
    page.wait_for_timeout(800)  # the chart's opening animation
    assert errors == []
    assert world.community.name in page.locator("body").inner_text()
    assert not MOBILE.search(page.content()) and "王建国" not in page.content()
    save(page.screenshot(), "big-screen.png")


def test_member_home_on_a_phone(live_server, context_for, shown, member_a):
    context = context_for(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, member_a)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="工作台").is_visible()
    assert page.locator("#dash-own").is_visible()
    page.wait_for_selector("#dash-own .dash-chart canvas")  # the member's own charts, drawn
    page.wait_for_timeout(800)  # their opening animation
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    save(page.screenshot(full_page=True), "member-home.png")


def test_sign_board_a4(live_server, context_for, shown, secretary_a):
    context = context_for(viewport={"width": 1200, "height": 900})
    sign_in(context, live_server, secretary_a)
    page = context.new_page()
    zone = shown.zone
    page.goto(f"{live_server.url}/zones/print/{zone.pk}/sign/?size=A4&orientation=landscape")
    sheet = page.locator(f"#sign-{zone.pk}")
    assert sheet.locator(".sign-title").inner_text().replace(" ", "") == "党员责任区"
    assert sheet.locator(".sign-zone").inner_text() == zone.name
    assert sheet.locator(".qr svg").count() == 1
    assert sheet.locator(".url").inner_text() == f"{live_server.url}/p/zones/{zone.pk}/"
    text = sheet.inner_text()
    assert "王*" in text and "王建国" not in text and not MOBILE.search(text)
    assert zone.service_phone in text
    # The toolbar is for the screen only: printed, the page is the sheet alone.
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    page.emulate_media(media="screen")
    save(sheet.screenshot(), "sign-board.png")
