"""The script-heavy pages in Chromium under the site's Content-Security-Policy (scripts from the site's own
files only, no inline script, no eval): the dashboards with their charts, the big screen, the scoring sheet
and the member list working through htmx, the residents' form and the API docs. Any
`securitypolicyviolation`, console error, script error or dialog fails the test."""

from __future__ import annotations

import re

import pytest

from vanguard.assessment.models import Result
from vanguard.assessment.tests import factories as assessment
from vanguard.conftest import client_for
from vanguard.dashboard.tests.world import fill
from vanguard.org.models import Organisation
from vanguard.public.tests.factories import full_community, screen_url
from vanguard.service_requests.models import ServiceRequest
from vanguard.service_requests.tests import factories as requests

from .conftest import RESULTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Added to every document before its own scripts (through the DevTools protocol, so the policy does not
# apply to it): every violation is reported to the test as it happens.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:` +
    `${event.lineNumber} ${event.sample}`
  );
}, true);
"""
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
QUESTION = re.compile(r"(\d+)\s*(加|减)\s*(\d+)")


def solve(text: str) -> str:
    """The answer to the residents' form's offline challenge ("3 加 4 等于几?")."""
    a, op, b = QUESTION.search(text).groups()
    return str(int(a) + int(b) if op == "加" else int(a) - int(b))


def console_error(page, message) -> None:
    # Chromium asks for /favicon.ico by itself, and the site has none: that 404 says nothing of the policy.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        page.problems.append(f"console: {message.text} ({message.location.get('url')})")


def settled(page) -> list[str]:
    """The page's problems, once the reports still on their way from the page have arrived."""
    page.wait_for_timeout(300)
    return page.problems


@pytest.fixture
def watched(browser, live_server, request):
    """open_(path, user=None, **context options): a page at `path` (signed in as `user`, past the second
    factor), its policy checked; `page.problems` collects what went wrong on it."""
    pages = []

    def open_(path: str, user=None, **options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(locale="zh-CN", **options)
        if user is not None:
            session = client_for(user).cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.problems = []
        page.expose_function("reportViolation", lambda text: page.problems.append(f"CSP: {text}"))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: console_error(page, message))
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on(
            "dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
        )
        response = page.goto(live_server.url + path)
        policy = response.headers.get("content-security-policy", "")
        scripts = next(p.split()[1:] for p in policy.split(";") if p.split()[:1] == ["script-src"])
        assert scripts[0] == "'self'" and all(s.startswith("'nonce-") for s in scripts[1:]), policy
        pages.append(page)
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    for number, page in enumerate(pages):
        if report is not None and report.failed:
            RESULTS.mkdir(exist_ok=True)
            page.screenshot(path=str(RESULTS / f"{request.node.name}-{number}.png"), full_page=True)
        page.context.close()


def test_the_dashboards_draw_their_charts(world, time_machine, office, member_a, watched):
    fill(world, time_machine)
    page = watched("/", office)
    # A function, not a string: Playwright evaluates a string predicate with eval, which the policy refuses.
    page.wait_for_function(
        "() => document.querySelectorAll('#dash-organisation .dash-chart canvas').length === 6"
    )
    page.locator("#dash-organisation .dash-chart canvas").first.hover()  # ECharts' tooltip
    page.locator("#dash-org-children").get_by_role("link", name=world.branch_a.name).click()
    page.wait_for_url(f"**/?organisation={world.branch_a.pk}#dash-organisation")
    page.wait_for_function(
        "() => document.querySelectorAll('#dash-organisation .dash-chart canvas').length > 0"
    )
    assert settled(page) == []

    phone = watched("/", member_a, **PHONE)
    phone.wait_for_selector("#dash-own .dash-chart canvas")
    phone.locator("#chart-own-hours-figure summary").click()
    assert settled(phone) == []


def test_the_big_screen_draws_and_fetches_its_data(world, watched):
    full_community(world)
    # A name with markup in it shows as text: the screen writes text, never HTML.
    marked = "一分公司党支部<img src=x onerror=alert(1)>"
    Organisation.objects.filter(pk=world.branch_a.pk).update(name=marked)
    page = watched(screen_url("community", world.community.pk) + "?still=1")
    page.wait_for_selector('#screen[data-loaded="1"]')
    page.wait_for_selector("#chart-coverage canvas")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
    assert marked in page.locator("#results-rows").text_content()
    assert page.locator("#results-rows img").count() == 0
    assert settled(page) == []


def test_the_scoring_sheet_saves_a_row_through_htmx(world, office, watched):
    round_ = assessment.quarter_round(assessment.member_scheme(world.committee), world.committee)
    result = Result.objects.get(round=round_, member=world.member_a)
    indicator = assessment.indicator(round_, "思想政治")
    page = watched(f"/assessment/rounds/{round_.pk}/score/?source=organisation", office)
    row = page.locator(f"#row-{result.pk}")
    row.locator(f"#p-{result.pk}-{indicator.pk}").fill("8.5")
    row.get_by_role("button", name="保存").click()
    page.locator(f"#row-{result.pk}").get_by_text("已保存").wait_for()
    assert settled(page) == []


def test_the_member_list_filters_through_htmx(world, office, watched):
    page = watched("/org/members/", office)
    page.fill("#id_q", "李红梅")
    page.wait_for_url("**/org/members/?*q=*")
    page.locator("#member-rows").get_by_text("李红梅").first.wait_for()
    page.wait_for_function("() => !document.querySelector('#member-rows').textContent.includes('王建国')")
    assert settled(page) == []


def test_the_residents_form_is_filled_and_sent(world, watched):
    zone = requests.zone(world)
    page = watched(f"/p/requests/new/?zone={zone.pk}", **PHONE)
    page.select_option("#id_category", "drain")
    page.fill("#id_description", "厨房下水道堵了")
    page.fill("#id_name", "张阿姨")
    page.fill("#id_phone", "13600001111")
    page.check("#id_consent")
    page.fill("#id_answer", solve(page.locator("label[for=id_answer]").inner_text()))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/p/requests/*/?new=1")
    assert page.get_by_text(ServiceRequest.objects.get().tracking_code).first.is_visible()
    assert settled(page) == []


def test_the_api_docs_run_their_start_up_script_by_its_nonce(world, watched):
    page = watched("/api/v1/docs/")
    page.locator(".opblock-tag", has_text="党员").first.wait_for()
    page.locator(".opblock-tag", has_text="党员").first.click()
    page.locator(".opblock-summary").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert settled(page) == []


def test_the_watch_sees_a_refused_inline_script(world, watched):
    # The control: an inline script added to a page is refused by the policy, and the watch reports it.
    page = watched("/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )
    assert page.evaluate("() => window.ran") is None
    assert any(problem.startswith("CSP: script-src-elem refused inline") for problem in settled(page))
