"""`make load`: the demo database under gunicorn, and locust's people (bench/locustfile.py) against it.

1. a fresh SQLite database in a temporary directory: `vanguard migrate` and `vanguard demo` (or, with
   --database-url, a fresh PostgreSQL database on that server, dropped afterwards);
2. the plan for locust: the ids its pages need (zones, communities, posts, published rounds, branches,
   tracking codes, search terms) read from that database, and a session for each simulated login — office
   and secretaries with a confirmed TOTP device marked as verified in their session, as after the second
   factor, since no one can type a code under load;
3. gunicorn (`vanguard.wsgi`, DEBUG off, its own SECRET_KEY and ALLOWED_HOSTS, plain HTTP on a free port of
   127.0.0.1) and `locust --headless` with USERS people for DURATION seconds;
4. from locust's final statistics and the status counts, which the locustfile writes when the run ends
   (locust's own --csv files stay in the working directory, but their last snapshot is taken up to a second
   before the end): requests, failures, 5xx, median and 95th percentile latency and requests per second,
   overall and per page; and the server's log read for tracebacks and "database is locked". A table goes
   to stdout and test-results/load.md (and .json). Optionally a reference: GET /healthz/ back to back on
   the same server, the requests per second of a request that does nothing.

The exit status is 1 when any request failed, answered 5xx, or the server logged an error: the run is a
check as well as a measurement. --reuse-build keeps the built database under var/bench/, keyed by a hash of
the code and migrations, so that the bounded test in the suite builds it once per code change.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTHON = sys.executable
VANGUARD = str(BIN / "vanguard")
GUNICORN = str(BIN / "gunicorn")
LOCUST = str(BIN / "locust")
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
RESULTS = ROOT / "test-results"
USER_CLASSES = ["Resident", "Member", "Secretary", "Office", "CommunityWorker"]


# --- the database ---------------------------------------------------------------------------------------


def source_hash() -> str:
    """What the built demo database depends on: the code, templates and migrations (not the tests)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "vanguard").rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if not path.is_file() or parts & {"tests", "__pycache__", "locale", "static"}:
            continue
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()[:16]


def run(command: list[str], env: dict[str, str], what: str) -> None:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    print(f"  {what}: {time.monotonic() - started:.1f} s", flush=True)


def build(workdir: Path, env: dict[str, str], reuse: bool) -> str:
    """Migrate and load the demo into workdir (a SQLite file there, or env's DATABASE_URL)."""
    if env.get("DATABASE_URL") or not reuse:
        run([VANGUARD, "migrate", "--noinput", "-v0"], env, "migrate")
        run([VANGUARD, "demo"], env, "vanguard demo")
        return "built"
    cache = ROOT / "var" / "bench" / f"load-build-{source_hash()}"
    if not (cache / "vanguard.sqlite3").exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        for stale in cache.parent.glob("load-build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        partial = Path(tempfile.mkdtemp(prefix="partial-load-build-", dir=cache.parent))
        build(partial, {**env, "VANGUARD_VAR_DIR": str(partial)}, reuse=False)
        partial.rename(cache)
    # A fresh copy every run: the run writes (sessions, audit records), the cache stays as built.
    shutil.copytree(cache, workdir, dirs_exist_ok=True)
    return f"copied from {cache.relative_to(ROOT)}"


def fresh_postgres(url: str) -> tuple[str, str, str]:
    """A new empty database on the server of `url`: its URL, the admin URL to drop it with, the server's
    version."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"vanguard_load_{os.getpid()}_{int(time.time())}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        version = conn.execute("SHOW server_version").fetchone()[0]
    return urlunsplit(parts._replace(path=f"/{name}")), admin, version


def drop_postgres(url: str, admin: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the plan: ids and sessions, read inside Django ---------------------------------------------------


def prepare(path: str, per_role: int) -> None:
    """Write the locustfile's plan, with `per_role` sessions of each login (one per simulated person). Runs
    in its own process with the server's environment."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vanguard.accounts import policy, scope
    from vanguard.accounts.middleware import LAST_SEEN, LOGIN_AT
    from vanguard.accounts.models import User
    from vanguard.assessment.models import Round
    from vanguard.core.pinyin import initials
    from vanguard.org.models import Cell, Member, Organisation
    from vanguard.org.validators import today
    from vanguard.posts.models import ModelPost
    from vanguard.service_requests.models import ServiceRequest
    from vanguard.zones.models import Zone

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]

    def sessions(user: User) -> list[str]:
        device = None
        if policy.requires_two_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="负载测试", defaults={"confirmed": True}
            )
        keys = []
        now = time.time()
        for _ in range(per_role):
            session = store()
            session.update(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                    LOGIN_AT: now,
                    LAST_SEEN: now,
                }
            )
            if device is not None:
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.create()
            keys.append(session.session_key)
        return keys

    def ids(queryset, limit: int = 200) -> list[int]:
        return list(queryset.order_by("pk").values_list("pk", flat=True)[:limit])

    worker = User.objects.get(username="community")
    top_up_households(worker)
    year = Zone.objects.order_by("-year").values_list("year", flat=True).first()
    plan: dict = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "zones": ids(Zone.objects.filter(year=year)),
        "intake_zones": ids(Zone.objects.filter(year=today().year)),
        "communities": ids(Cell.objects.filter(kind=Cell.Kind.COMMUNITY)),
        "published_rounds": ids(Round.objects.filter(status=Round.Status.PUBLISHED)),
        "branches": ids(Organisation.objects.filter(kind=Organisation.Kind.BRANCH)),
        "posts": ids(ModelPost.objects.filter(status=ModelPost.Status.APPROVED)),
        "tracking_codes": list(
            ServiceRequest.objects.order_by("pk").values_list("tracking_code", flat=True)[:200]
        ),
        "categories": [value for value, _label in Member.Category.choices],
        "sessions": {},
    }
    for role in ("member", "secretary", "office", "community"):
        user = User.objects.get(username=role)
        plan["sessions"][role] = sessions(user)
        if role in ("secretary", "office"):
            members = scope.visible_to(user, Member.objects.select_related("person")).order_by("pk")[:200]
            names = [m.person.name for m in members]
            # What people type: a whole name, a surname, the initials (zs), the first syllables.
            plan[f"searches_{role}"] = sorted(
                {n for n in names[:20]} | {n[0] for n in names[:20]} | {initials(n) for n in names[:40]}
            )
            plan[f"organisations_{role}"] = ids(scope.visible_to(user, Organisation.objects.all()))
            plan[f"zones_{role}"] = ids(scope.visible_to(user, Zone.objects.filter(year=year)))
    empty = [
        key for key, value in plan.items() if isinstance(value, list) and not value and key != "intake_zones"
    ]
    if empty:
        raise SystemExit(f"the demo database has nothing for {', '.join(empty)}")
    Path(path).write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")


def top_up_households(worker, days: int = 10) -> None:
    """Hours for the worker's households to pay members with during the run (the demo gives them one or
    two): a member registered at the community serves `days` long days, entered (and so verified) by the
    worker, and donates them to the households in equal parts. All through the services, audited."""
    import datetime as dt
    from decimal import Decimal

    from vanguard.community import selectors_pages, services_work
    from vanguard.org.validators import today
    from vanguard.timebank import selectors, services

    households = list(selectors.household_accounts(user=worker))
    member = selectors_pages.confirmed_members(user=worker).first()
    if not households or member is None:
        raise SystemExit("the demo database has no household account or registered member to pay")
    community = households[0].community
    for day in range(1, days + 1):
        services_work.service_report(
            actor=worker,
            member=member,
            community=community,
            activity="负载测试:社区值守",
            served_on=today() - dt.timedelta(days=day),
            hours="24",
        )
    source = services.member_account(member, community)
    share = (services.balance(source) / len(households)).quantize(Decimal("1"))
    for household in households:
        services.donate(actor=worker, source=source, target=household, hours=share, memo="负载测试")


# --- the server and locust ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        GUNICORN,
        "vanguard.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
    ]
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped ({server.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{host}/healthz/", timeout=2) as answer:
                if answer.status == 200:
                    return server, host
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz/ within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run_locust(
    host: str, classes: list[str], users: int, rate: float, seconds: int, prefix: Path, env: dict[str, str]
) -> dict:
    """Run locust headless; return the aggregated row, the rows per page and the status counts."""
    status_file = prefix.with_name(prefix.name + "_status.json")
    command = [
        LOCUST,
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(rate),
        "--run-time",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    locust_env = {**env, "VANGUARD_LOAD_STATUS": str(status_file)}
    done = subprocess.run(command, env=locust_env, capture_output=True, text=True, timeout=seconds + 120)
    if not status_file.exists():
        raise SystemExit(f"locust wrote no summary ({done.returncode}):\n{done.stderr[-4000:]}")
    summary = json.loads(status_file.read_text())
    total = summary["total"]
    total["5xx"] = sum(count for code, count in summary["status"].items() if int(code) >= 500)
    total["database_locked"] = sum(summary["database_locked"].values())
    total["status"] = dict(sorted(summary["status"].items()))
    total["locust_exit"] = done.returncode
    total["payments"] = summary.get("payments", {})
    for page in summary["pages"]:
        page["5xx"] = summary["server_errors"].get(f"{page['method']} {page['name']}", 0)
    # The CSV's per-second snapshot, checked against the final numbers: it may only lag behind them.
    with prefix.with_name(prefix.name + "_stats.csv").open(newline="", encoding="utf-8") as f:
        (csv_total,) = [int(r["Request Count"]) for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    total["csv_requests"] = csv_total
    return {"total": total, "pages": summary["pages"], "failures": summary["failures"]}


def server_log_findings(log: Path) -> dict:
    text = log.read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database_locked": text.count("database is locked"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }


# --- the report -------------------------------------------------------------------------------------------


def machine() -> str:
    # The same description of the machine as `make bench` writes (bench/run.py, beside this file).
    from run import machine as bench_machine

    return bench_machine()


def _table_row(label: str, r: dict) -> str:
    cells = [r["requests"], r["failures"], r["5xx"], f"{r['median_ms']:.0f}", f"{r['p95_ms']:.0f}"]
    cells += [f"{r['max_ms']:.0f}", r["rps"]]
    return f"| {label} | " + " | ".join(str(c) for c in cells) + " |"


def markdown(result: dict) -> str:
    s = result["settings"]
    t = result["main"]["total"]
    lines = [
        "# Load: the demo database under gunicorn (bench/load.py)",
        "",
        f"{s['date']} · {s['machine']} · load average {s['load_average_before']} before the run",
        "",
        f"{s['users']} simulated people (spawned {s['rate']}/s) for {s['duration']} s against gunicorn with "
        f"{s['workers']} sync workers on {s['database']}; think time 1–3 s between pages; every request must "
        "answer 200 itself.",
        "",
        "| | requests | failures | 5xx | median ms | p95 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _table_row("**all**", t),
    ]
    for p in sorted(result["main"]["pages"], key=lambda p: -p["requests"]):
        lines.append(_table_row(f"{p['method']} {p['name']}", p))
    lines += ["", f"Status codes: {', '.join(f'{k}: {v}' for k, v in t['status'].items())}."]
    paid = t.get("payments") or {}
    if paid:
        lines.append(
            f"Time-bank payments (POST /timebank/spend/): {paid.get('paid', 0)} saved, "
            f"{paid.get('refused', 0)} refused for want of hours."
        )
    log = result["server_log"]
    lines.append(
        f"Server log: {log['tracebacks']} tracebacks, {log['database_locked']} “database is locked”, "
        f"{log['worker_timeouts']} worker timeouts. Responses containing “database is locked”: "
        f"{t['database_locked']}."
    )
    if result["main"]["failures"]:
        lines += ["", "Failures:", ""]
        lines += [
            f"- {f['method']} {f['name']}: {f['error']} × {f['count']}" for f in result["main"]["failures"]
        ]
    ref = result.get("reference")
    if ref:
        r = ref["total"]
        lines += [
            "",
            f"Reference on the same server: GET /healthz/ (no template, no database) back to back by "
            f"{ref['users']} clients for {ref['duration']} s: {r['rps']} req/s, "
            f"median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, {r['failures']} failures.",
        ]
    lines += ["", f"Verdict: {'PASS' if result['ok'] else 'FAIL'}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10, help="people started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to build a fresh database on")
    parser.add_argument("--reuse-build", action="store_true", help="keep the built SQLite demo in var/bench/")
    parser.add_argument("--reference", type=int, default=10, help="seconds of GET /healthz/; 0: none")
    parser.add_argument("--out", default=str(RESULTS / "load.md"))
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs, CSVs)")
    parser.add_argument("--prepare", metavar="PLAN", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.sessions)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="vanguard-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "VANGUARD_VAR_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "vanguard.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback, as behind a reverse proxy that terminates TLS; the pages are what
            # is measured, not the static files (a browser has them cached), so they are not collected.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    admin = ""
    database = f"SQLite {sqlite3.sqlite_version} (WAL)"
    if args.database_url:
        env["DATABASE_URL"], admin, version = fresh_postgres(args.database_url)
        database = f"PostgreSQL {version}"
    server = None
    try:
        print(f"load: building the demo database ({database}) in {workdir}", flush=True)
        how = build(workdir, env, args.reuse_build)
        print(f"  database {how}", flush=True)
        plan = workdir / "plan.json"
        command = [PYTHON, __file__, "--prepare", str(plan), "--sessions", str(max(args.users, 1))]
        run(command, env, "plan (ids and sessions)")
        log = workdir / "server.log"
        server, host = start_server(env, args.workers, log)
        print(f"load: {args.users} people for {args.duration} s against {host} …", flush=True)
        locust_env = {**env, "VANGUARD_LOAD_PLAN": str(plan)}
        # Other work on the machine skews every figure: say how busy it was when the run began.
        load_before = os.getloadavg()[0]
        main_run = run_locust(
            host, USER_CLASSES, args.users, args.rate, args.duration, workdir / "locust", locust_env
        )
        reference = None
        if args.reference:
            print(f"load: reference, GET /healthz/ for {args.reference} s …", flush=True)
            reference = run_locust(host, ["Healthz"], 10, 10, args.reference, workdir / "healthz", locust_env)
            reference.update({"users": 10, "duration": args.reference})
        stop_server(server)
        findings = server_log_findings(log)
    finally:
        if server is not None:
            stop_server(server)
        if admin:
            drop_postgres(env["DATABASE_URL"], admin)

    total = main_run["total"]
    ok = (
        total["requests"] > 0
        and total["failures"] == 0
        and total["5xx"] == 0
        and total["database_locked"] == 0
        and not any(findings.values())
    )
    result = {
        "settings": {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
            "users": args.users,
            "rate": args.rate,
            "duration": args.duration,
            "workers": args.workers,
            "database": database,
            "load_average_before": round(load_before, 2),
        },
        "main": main_run,
        "reference": reference,
        "server_log": findings,
        "ok": ok,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = markdown(result)
    out.write_text(report, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report)
    print(f"written to {out} and {out.with_suffix('.json')}")
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"kept {workdir} (server.log, locust CSVs, plan.json) for a look", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
