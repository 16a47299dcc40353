"""The dashboard in Chromium: the charts are drawn from their data with no script error, a child's row
drills one level down, and a member's home fits a 390-pixel phone."""

from __future__ import annotations

import pytest

from vanguard.conftest import client_for
from vanguard.dashboard.tests.world import fill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_(user, path: str = "/", **options):
        """A page signed in as `user` (past the second factor), opened at `path`; errors collected."""
        context = browser.new_context(locale="zh-CN", **options)
        contexts.append(context)
        session = client_for(user).cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def test_the_office_charts_are_drawn_and_a_branch_opens_one_level_down(world, time_machine, office, open_as):
    filled = fill(world, time_machine)
    page = open_as(office, viewport={"width": 1280, "height": 900})
    boxes = page.locator("#dash-organisation .dash-chart")
    assert boxes.count() == 6
    page.wait_for_function(
        "() => document.querySelectorAll('#dash-organisation .dash-chart canvas').length === 6"
    )
    assert page.errors == []
    page.locator("#dash-org-children").get_by_role("link", name=filled.world.branch_a.name).click()
    page.wait_for_url(f"**/?organisation={filled.world.branch_a.pk}#dash-organisation")
    crumbs = page.get_by_role("navigation", name="所在层级")
    assert crumbs.get_by_role("link", name=filled.world.committee.name).is_visible()
    assert page.locator('[data-figure="coverage"]').first.inner_text() == "60%"


def test_a_members_home_fits_a_phone(world, time_machine, member_a, open_as):
    fill(world, time_machine)
    page = open_as(member_a, viewport=PHONE, is_mobile=True, has_touch=True)
    assert page.get_by_role("heading", name="工作台").is_visible()
    page.wait_for_selector("#dash-own .dash-chart canvas")
    assert page.locator("#dash-todo .dash-todo").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The numbers are there in words for whoever cannot see the chart.
    page.locator("#chart-own-hours-figure summary").click()
    assert page.locator("#chart-own-hours-figure table").is_visible()
    assert page.errors == []
