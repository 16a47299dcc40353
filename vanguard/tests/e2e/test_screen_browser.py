"""The big screen in Chromium: it draws its data, switches slides with the arrow keys, starts at ?slide=N,
stands still with ?still=1, rotates by itself, and fetches new data without reloading the page."""

from __future__ import annotations

import re

import pytest

from vanguard.public import views
from vanguard.public.tests.factories import full_community, screen_url
from vanguard.service_requests.tests import factories as requests

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def active(page) -> str:
    return page.locator(".screen-slide.active").get_attribute("data-slide")


def open_screen(page, live_server, world, query: str = "") -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}{screen_url('community', world.community.pk)}{query}")
    page.wait_for_selector('#screen[data-loaded="1"]')
    assert errors == []


def test_the_screen_draws_its_data_and_switches_with_the_arrow_keys(live_server, page, world):
    full_community(world)
    open_screen(page, live_server, world, "?still=1")
    assert active(page) == "coverage"
    assert page.locator('[data-field="coverage.percent"]').inner_text() == "50"
    assert page.locator("#coverage-gaps li").all_inner_texts() == ["南园小区/2号楼"]
    assert page.locator("#chart-coverage canvas").count() == 1
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.locator("#screen-updated").inner_text())
    page.keyboard.press("ArrowRight")
    assert active(page) == "results"
    cells = page.locator("#results-rows tr").first.locator("td").all_inner_texts()
    assert cells == ["1", "王**", "一分公司党支部", "72.00"]
    page.keyboard.press("ArrowRight")
    assert active(page) == "stars"
    assert "一车队1路党员示范岗" in page.locator("#stars-rows").inner_text()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert active(page) == "hours"  # round the ring
    assert "13812345678" not in page.content()


def test_slide_n_starts_there_and_still_stays_there(live_server, page, world, monkeypatch):
    monkeypatch.setattr(views, "SLIDE_SECONDS", 1)
    full_community(world)
    open_screen(page, live_server, world, "?slide=4&still=1")
    assert active(page) == "requests"
    assert page.locator('[data-field="requests.received"]').inner_text() == "1"
    page.wait_for_timeout(2500)
    assert active(page) == "requests"


def test_it_rotates_by_itself_and_fetches_new_data_without_reloading(live_server, page, world, monkeypatch):
    monkeypatch.setattr(views, "SLIDE_SECONDS", 1)
    monkeypatch.setattr(views, "REFRESH_SECONDS", 1)
    full_community(world)
    open_screen(page, live_server, world)
    page.evaluate("window.sameDocument = true")
    page.wait_for_function(
        "() => document.querySelector('.screen-slide.active').dataset.slide !== 'coverage'"
    )
    requests.submit(world, description="小区路灯不亮了")
    page.wait_for_function(
        "() => document.querySelector('[data-field=\"requests.received\"]').textContent === '2'",
        timeout=10000,
    )
    assert page.evaluate("window.sameDocument") is True
