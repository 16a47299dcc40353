"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live
server. A failing test leaves a screenshot in test-results/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe. The ORM calls here are the test's own, made between page actions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("VANGUARD_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parents[3] / "test-results"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium fonts-noto-cjk)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(browser, request, **context_options):
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request):
    """A desktop screen, as the office and secretaries use it."""
    yield from _page(browser, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser, request):
    """A phone-sized screen, as members use it."""
    yield from _page(browser, request, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def sign_in(live_server):
    """Signs a persona in on `page` as a person would: opens `path`, is sent to the login form, types the
    password and, for the roles that need a second factor, the code of their authenticator app (a confirmed
    device made for them here); waits until the page asked for is back."""
    from vanguard.accounts import policy
    from vanguard.api.tests.helpers import confirmed_device, current_code

    def sign_in_(page, user, path: str) -> None:
        page.goto(live_server.url + path)
        page.fill("#id_username", user.username)
        page.fill("#id_password", "Vanguard-test-1")
        page.get_by_role("button", name="登录").click()
        if policy.requires_two_factor(user):
            page.wait_for_url("**/accounts/two-factor/**")
            page.fill("#id_token", current_code(confirmed_device(user)))
            page.get_by_role("button", name="验证").click()
        page.wait_for_url(lambda url: url == live_server.url + path)

    return sign_in_


@pytest.fixture
def watch_errors():
    """`watch_errors(page)` returns a list that fills with the page's script errors and console errors (a
    Content-Security-Policy violation is one); the browser's own request for /favicon.ico is not an error."""

    def watch(page) -> list[str]:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        def on_console(message) -> None:
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
                errors.append(message.text)

        page.on("console", on_console)
        return errors

    return watch
