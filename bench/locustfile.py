"""The load of `make load` (bench/load.py): what the demo database's people do on a working day.

- residents (anonymous): a zone's public board (the QR code on the sign), a community's board, published
  results, the big screen's data (it polls), the request form, a model post's board, a request's tracking;
- members on their phones: their home page, the monthly report form, their own time bank, their tasks;
- branch secretaries and the committee's office: the member list filtered and searched by pinyin, the
  organisation tree, coverage, the zone list and a zone, the review queue, their dashboards, and now and
  then a zone export (an audited write);
- a community worker: the dashboard, the book of in-service members, the time bank's accounts, and a
  household paying a member for help (a POST with its CSRF token: the time bank's locked balance check,
  several workers at once out of the same households).

Nothing is hard-coded: bench/load.py reads the ids from the database before the run and writes them, with a
session cookie for each login (office and secretaries are past their second factor), to the JSON file named
by VANGUARD_LOAD_PLAN. Every request must answer 200 itself (a redirect is a failure: a session that was
dropped would otherwise read as a success). When the run ends, locust's final numbers, the status of every
answer (so the runner can tell a 5xx from any other failure) and any answer that mentions a locked database
are written to the JSON file named by VANGUARD_LOAD_STATUS.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from collections import Counter

from locust import HttpUser, between, constant, events, task

PLAN: dict = {}
if os.environ.get("VANGUARD_LOAD_PLAN"):
    with open(os.environ["VANGUARD_LOAD_PLAN"], encoding="utf-8") as plan_file:
        PLAN = json.load(plan_file)

STATUS: Counter[str] = Counter()
SERVER_ERRORS: Counter[str] = Counter()
LOCKED: Counter[str] = Counter()
PAYMENTS: Counter[str] = Counter()
ENVIRONMENT = None
_sessions_taken: dict[str, itertools.count] = {}
_lock = threading.Lock()


@events.request.add_listener
def _count(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    code = getattr(response, "status_code", None) or 0
    STATUS[str(code)] += 1
    if code >= 500:
        SERVER_ERRORS[f"{request_type} {name}"] += 1
    body = getattr(response, "content", None) or b""
    if b"database is locked" in body:
        LOCKED[f"{request_type} {name}"] += 1


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    global ENVIRONMENT
    ENVIRONMENT = environment


def _entry(entry) -> dict:
    return {
        "method": entry.method,
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median_ms": entry.median_response_time,
        "p95_ms": entry.get_response_time_percentile(0.95),
        "max_ms": entry.max_response_time,
        "rps": round(entry.total_rps, 1),
    }


@events.quit.add_listener
def _write_summary(exit_code, **kwargs):
    """Locust's own numbers once every person has stopped. (The CSV is a snapshot taken each second while
    the run goes on, so it misses the requests still in flight when the time is up.)"""
    path = os.environ.get("VANGUARD_LOAD_STATUS")
    if not path or ENVIRONMENT is None or ENVIRONMENT.runner is None:
        return
    stats = ENVIRONMENT.runner.stats
    summary = {
        "total": _entry(stats.total),
        "pages": [_entry(e) for e in stats.entries.values()],
        "failures": [
            {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
        "status": STATUS,
        "server_errors": SERVER_ERRORS,
        "database_locked": LOCKED,
        "payments": PAYMENTS,
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(summary, out, ensure_ascii=False, indent=1)


def _pick(key: str):
    return random.choice(PLAN[key])


class _Visitor(HttpUser):
    abstract = True
    # A person reads a page before the next: one to three seconds on these short pages.
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        if self.role:
            # Each simulated person gets a session of their own, as if they had logged in on their phone.
            with _lock:
                index = next(_sessions_taken.setdefault(self.role, itertools.count()))
            sessions = PLAN["sessions"][self.role]
            cookie = sessions[index % len(sessions)]
            self.client.cookies.set(PLAN["session_cookie"], cookie)

    def page(self, url: str, name: str | None = None, **kwargs) -> None:
        """GET `url`; anything but a 200 of its own (a redirect to the login, a 404, a 500) is a failure."""
        with self.client.get(
            url, name=name or url, allow_redirects=False, catch_response=True, **kwargs
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif b"database is locked" in r.content:
                r.failure("database is locked")


class Resident(_Visitor):
    weight = 6

    @task(5)
    def zone_board(self) -> None:
        self.page(f"/p/zones/{_pick('zones')}/", "/p/zones/[id]/")

    @task(3)
    def community_board(self) -> None:
        self.page(f"/p/communities/{_pick('communities')}/", "/p/communities/[id]/")

    @task(2)
    def results(self) -> None:
        self.page(f"/p/results/{_pick('published_rounds')}/", "/p/results/[id]/")

    @task(3)
    def big_screen_data(self) -> None:
        if random.random() < 0.5:
            self.page(f"/p/screen/community/{_pick('communities')}/data/", "/p/screen/community/[id]/data/")
        else:
            self.page(f"/p/screen/branch/{_pick('branches')}/data/", "/p/screen/branch/[id]/data/")

    @task(2)
    def request_form(self) -> None:
        if PLAN["intake_zones"] and random.random() < 0.5:
            self.page(f"/p/requests/new/?zone={_pick('intake_zones')}", "/p/requests/new/?zone=[id]")
        else:
            self.page(f"/p/requests/new/?community={_pick('communities')}", "/p/requests/new/?community=[id]")

    @task(1)
    def post_board(self) -> None:
        self.page(f"/p/posts/{_pick('posts')}/", "/p/posts/[id]/")

    @task(1)
    def track_request(self) -> None:
        self.page(f"/p/requests/{_pick('tracking_codes')}/", "/p/requests/[code]/")

    @task(1)
    def home(self) -> None:
        self.page("/")


class Member(_Visitor):
    weight = 3
    role = "member"

    @task(3)
    def home(self) -> None:
        self.page("/", "/ (member)")

    @task(2)
    def monthly_report_form(self) -> None:
        self.page("/reports/new/")

    @task(2)
    def own_time_bank(self) -> None:
        self.page("/timebank/mine/")

    @task(1)
    def my_tasks(self) -> None:
        self.page("/zones/tasks/mine/")

    @task(1)
    def my_reports(self) -> None:
        self.page("/reports/mine/")


class _Manager(_Visitor):
    abstract = True

    @task(3)
    def dashboard(self) -> None:
        self.page("/", f"/ ({self.role})")

    @task(3)
    def member_list_filtered(self) -> None:
        params = random.choice(
            [
                {"q": _pick(f"searches_{self.role}")},
                {"organisation": _pick(f"organisations_{self.role}")},
                {"category": _pick("categories")},
                {"q": _pick(f"searches_{self.role}"), "status": "full"},
            ]
        )
        self.page("/org/members/", f"/org/members/?… ({self.role})", params=params)

    @task(1)
    def member_search_as_you_type(self) -> None:
        self.page(
            "/org/members/",
            f"/org/members/?q= (htmx, {self.role})",
            params={"q": _pick(f"searches_{self.role}")},
            headers={"HX-Request": "true"},
        )

    @task(2)
    def organisation_tree(self) -> None:
        self.page("/org/organisations/", f"/org/organisations/ ({self.role})")

    @task(2)
    def coverage(self) -> None:
        self.page("/zones/coverage/", f"/zones/coverage/ ({self.role})")

    @task(2)
    def zone_list(self) -> None:
        self.page("/zones/", f"/zones/ ({self.role})")

    @task(2)
    def zone_detail(self) -> None:
        self.page(f"/zones/{_pick(f'zones_{self.role}')}/", f"/zones/[id]/ ({self.role})")

    @task(1)
    def review_queue(self) -> None:
        self.page("/reports/review/", f"/reports/review/ ({self.role})")

    @task(1)
    def rounds(self) -> None:
        self.page("/assessment/", f"/assessment/ ({self.role})")

    @task(1)
    def zone_export(self) -> None:
        # An export is recorded in the audit trail: a write on every call, under load.
        self.page("/zones/export/", f"/zones/export/ ({self.role})")


class Secretary(_Manager):
    weight = 2
    role = "secretary"


class Office(_Manager):
    weight = 1
    role = "office"


class CommunityWorker(_Visitor):
    weight = 1
    role = "community"

    @task(3)
    def dashboard(self) -> None:
        self.page("/", "/ (community)")

    @task(2)
    def book(self) -> None:
        self.page("/community/book/members/")

    @task(2)
    def accounts(self) -> None:
        self.page("/timebank/accounts/")

    @task(1)
    def service_records(self) -> None:
        self.page("/community/service/")

    @task(1)
    def community_board(self) -> None:
        self.page(f"/p/communities/{_pick('communities')}/", "/p/communities/[id]/")

    @task(3)
    def pay_for_help(self) -> None:
        """A household pays a member half an hour (the form as the page renders it, its CSRF token included).
        Several workers pay out of the same two households at once: a payment is saved (302) or refused
        for want of hours with the balance shown (200); anything else is a failure."""
        with self.client.get(
            "/timebank/spend/", name="/timebank/spend/", allow_redirects=False, catch_response=True
        ) as form:
            page = form.text if form.status_code == 200 else ""
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            sources, members = _options(page, "source"), _options(page, "member")
            if token is None or not sources or not members:
                form.failure(f"HTTP {form.status_code}, no form to pay with")
                return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "source": random.choice(sources),
            "member": random.choice(members),
            "hours": "0.5",
            "memo": "负载测试:陪同就医",
        }
        with self.client.post(
            "/timebank/spend/", data, name="/timebank/spend/", allow_redirects=False, catch_response=True
        ) as answer:
            refused = answer.status_code == 200 and "余额不足" in answer.text
            if answer.status_code == 302:
                PAYMENTS["paid"] += 1
            elif refused:
                PAYMENTS["refused"] += 1
            else:
                answer.failure(f"HTTP {answer.status_code}")
            if b"database is locked" in answer.content:
                answer.failure("database is locked")


def _options(page: str, field: str) -> list[str]:
    """The values a <select name=field> of the page offers."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S)
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v] if select else []


class Healthz(HttpUser):
    """The reference: the cheapest request the server answers (no template, no database), back to back.
    Run alone (`locust … Healthz`); the main run names its classes and leaves it out."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz/")
