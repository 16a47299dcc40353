"""The server killed (SIGKILL to gunicorn's whole process group) while it confirms a roster import, twenty
times at random moments: each time the database holds exactly the data from before the import or the data
after it, the audit chain verifies, and the server starts again and serves.

A real gunicorn (two workers) runs against its own database: a SQLite file in a temporary VANGUARD_VAR_DIR,
and in the second variant a fresh PostgreSQL database made and dropped here. An office user logs in over
HTTP (password, then the TOTP code of a device whose key the test knows), uploads a workbook of new people
and confirms it. One confirm is timed unkilled first; every later one is killed after a delay drawn from a
seeded generator over that duration (corrected by what each kill finds), so some kills land before the
import's commit and some after it. With -s the test prints each round and the tally of old and new.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import xlsxwriter
from django_otp.oath import TOTP

from vanguard.audit.models import AuditRecord
from vanguard.org.models import Activist, Cell, Member, Organisation, Person
from vanguard.org.validators import id_number_check_digit

BIN = Path(sys.executable).parent
VANGUARD = str(BIN / "vanguard")
GUNICORN = str(BIN / "gunicorn")

ROUNDS = 20
PEOPLE = 1000  # per workbook: enough that a confirm lasts long enough to be hit
BRANCHES = 3
SEED = 20_251_122
COMMITTEE = "起始党委"
USERNAME = "office"
PASSWORD = "Kill-test-2025"
MODELS = (Organisation, Cell, Person, Member, Activist, AuditRecord)

SETUP = """
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.accounts.scope import console_actor
from vanguard.org.models import Organisation
from vanguard.org.services import organisation_create
committee = organisation_create(
    actor=console_actor(), parent=None, name={committee!r}, kind=Organisation.Kind.COMMITTEE
)
user = User.objects.create_user(username={username!r}, password={password!r})
user.password_changed_at = timezone.now()
user.save(update_fields=["password_changed_at"])
RoleAssignment.objects.create(user=user, role=Role.OFFICE, organisation=committee)
TOTPDevice.objects.create(user=user, name="kill-test", key={key!r}, confirmed=True)
"""

# --- the database the server uses ---------------------------------------------------------------------------


def _pg_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def _pg_connect(url: str, dbname: str, **kwargs):
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=dbname,
        **kwargs,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def server_env(request, tmp_path):
    var = tmp_path / "var"
    # With the keys in the environment nothing else makes the directory the SQLite file lives in.
    var.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="vanguard.settings",
        VANGUARD_VAR_DIR=str(var),
        # Production settings, minus what needs HTTPS in front.
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_ENCRYPTION_KEY=base64.b64encode(secrets.token_bytes(64)).decode(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if request.param == "sqlite":
        yield env
        return
    admin_url = _pg_admin_url()
    try:
        admin = _pg_connect(admin_url, "postgres", autocommit=True, connect_timeout=3)
    except Exception as exc:  # whatever the reason, nothing to test against
        pytest.skip(f"no PostgreSQL answers at {admin_url}: {exc}")
    name = f"vanguard_srvkill_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def vanguard(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([VANGUARD, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def counts(env: dict[str, str]) -> dict[str, int]:
    """Row counts of what an import writes, read straight from the database file or server."""
    queries = [f"SELECT COUNT(*) FROM {model._meta.db_table}" for model in MODELS]
    if "DATABASE_URL" in env:
        url = env["DATABASE_URL"]
        with _pg_connect(url, url.rsplit("/", 1)[1]) as connection:
            values = [connection.execute(query).fetchone()[0] for query in queries]
    else:
        connection = sqlite3.connect(Path(env["VANGUARD_VAR_DIR"]) / "vanguard.sqlite3", timeout=20)
        try:
            values = [connection.execute(query).fetchone()[0] for query in queries]
        finally:
            connection.close()
    return {model.__name__: value for model, value in zip(MODELS, values, strict=True)}


# --- the server ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running_in_group(group: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command's closing parenthesis: state, parent, process group.
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue
        if int(pgrp) == group and state not in ("Z", "X"):
            return True
    return False


class Server:
    """gunicorn in a process group of its own, so one killpg reaches the master and every worker."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log, self.port = env, log, free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        with open(self.log, "a") as log:
            # --preload: the application is loaded once, in the master, before the workers fork, which
            # halves the CPU of each of the twenty restarts; the processes a kill reaches are the same.
            # gunicorn's control socket (by default ~/.gunicorn/gunicorn.ctl, shared by every gunicorn of
            # the user) goes beside the log: the kill leaves it behind, and the restart must cope.
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "vanguard.wsgi",
                    "--preload",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--control-socket",
                    str(self.log.with_name("gunicorn.ctl")),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited at start:\n{self.tail()}"
            try:
                # Refused until the master listens; once it does, the request waits for a worker.
                status, _, _ = Client(self.port).request("GET", "/healthz/", timeout=timeout)
            except ConnectionRefusedError:
                time.sleep(0.05)
                continue
            assert status == 200, self.tail()
            return
        raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{self.tail()}")

    def kill(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
        # The workers die on their own time: wait until none of the group is still running (a zombie holds
        # no socket), so the next start finds the port free.
        deadline = time.monotonic() + 10
        while running_in_group(group):
            assert time.monotonic() < deadline, "gunicorn's workers outlived SIGKILL"
            time.sleep(0.01)
        self.process = None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Client:
    """A browser without a browser: cookies kept across requests (and across server restarts)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: bytes = b"", headers: dict | None = None, timeout=60):
        """Send a request and return the connection, its response not yet read."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body or None, headers=headers)
        return connection

    def receive(self, connection) -> tuple[int, dict[str, str], str]:
        try:
            response = connection.getresponse()
            body = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, dict(response.headers), body

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None, timeout=60):
        return self.receive(self.send(method, path, body, headers, timeout))

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def upload(self, path: str, fields: dict[str, str], name: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def form_value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"no {name} in the page:\n{page[:2000]}"
    return found.group(1)


def log_in(client: Client, key: str) -> None:
    status, _, page = client.get("/accounts/login/")
    assert status == 200
    status, headers, _ = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": form_value(page, "csrfmiddlewaretoken"),
            "username": USERNAME,
            "password": PASSWORD,
        },
    )
    assert status == 302, "the password is refused"
    # The office owes its second factor before anything else.
    status, headers, _ = client.get("/data/import/")
    assert status == 302 and headers["Location"].startswith("/accounts/two-factor/")
    status, _, page = client.get("/accounts/two-factor/")
    assert status == 200
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    status, _, _ = client.post(
        "/accounts/two-factor/",
        {"csrfmiddlewaretoken": form_value(page, "csrfmiddlewaretoken"), "token": code},
    )
    assert status == 302, "the TOTP code is refused"


# --- the workbooks ------------------------------------------------------------------------------------------


def roster(path: Path, number: int) -> Path:
    """Workbook `number`: BRANCHES new branches under the committee and PEOPLE new members in them, none of
    them in any other workbook (their 身份证号 and mobiles carry the number)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    orgs = workbook.add_worksheet("党组织")
    orgs.write_row(0, 0, ["名称", "类型", "上级"])
    for b in range(BRANCHES):
        orgs.write_row(b + 1, 0, [f"第{number}批第{b + 1}支部", "党支部", COMMITTEE])
    people = workbook.add_worksheet("人员")
    people.write_row(0, 0, ["姓名", "身份证号", "手机号", "人员类型", "所在党组织", "入党日期"])
    for i in range(PEOPLE):
        first17 = f"{120000 + number * 10 + i // 1000:06d}19800101{i % 1000:03d}"
        row = i + 1
        people.write_string(row, 0, f"批{number}人{i}")
        people.write_string(row, 1, first17 + id_number_check_digit(first17))
        people.write_string(row, 2, f"13{number:02d}{i:07d}")
        people.write_string(row, 3, "党员")
        people.write_string(row, 4, f"{COMMITTEE}/第{number}批第{i % BRANCHES + 1}支部")
        people.write_string(row, 5, "2005-07-01")
    workbook.close()
    return path


def upload(client: Client, path: Path, page: str, media: Path) -> tuple[str, str]:
    """Upload a workbook from the form on `page`; the preview's CSRF token and upload token."""
    status, _, preview = client.upload(
        "/data/import/",
        {"csrfmiddlewaretoken": form_value(page, "csrfmiddlewaretoken")},
        path.name,
        path.read_bytes(),
    )
    assert status == 200 and "确认导入" in preview, preview[:2000]
    # The previous round's upload, confirmed or left behind by the kill, is gone: only this one is kept.
    assert len(list((media / "imports").glob("*.xlsx"))) == 1
    return form_value(preview, "csrfmiddlewaretoken"), form_value(preview, "token")


def send_confirm(client: Client, tokens: tuple[str, str]):
    csrf, token = tokens
    return client.send(
        "POST",
        "/data/import/confirm/",
        urlencode({"csrfmiddlewaretoken": csrf, "token": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def audit_verify(env: dict[str, str]) -> subprocess.Popen:
    """`vanguard audit verify`, started; its system checks skipped, since the server just ran them."""
    return subprocess.Popen(
        [VANGUARD, "audit", "--skip-checks", "verify"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def verified(verifier: subprocess.Popen) -> None:
    output, _ = verifier.communicate(timeout=120)
    assert verifier.returncode == 0 and "审计记录完整" in output, output


@contextlib.contextmanager
def timed(spent: Counter[str], name: str) -> Iterator[None]:
    began = time.monotonic()
    try:
        yield
    finally:
        spent[name] += time.monotonic() - began


# --- the test -----------------------------------------------------------------------------------------------


def test_a_server_killed_during_twenty_imports_keeps_old_or_new_data_and_restarts(server_env, tmp_path):
    started = time.monotonic()
    env = server_env
    media = Path(env["VANGUARD_VAR_DIR"]) / "media"
    wal = Path(env["VANGUARD_VAR_DIR"]) / "vanguard.sqlite3-wal"
    key = secrets.token_hex(20)
    with ThreadPoolExecutor(1) as pool:
        # The workbooks are written while the database is made, which keeps this process waiting anyway.
        workbooks = pool.map(lambda n: roster(tmp_path / f"round-{n}.xlsx", n), range(ROUNDS + 1))
        vanguard(env, "migrate", "--skip-checks", "-v0")
        vanguard(
            env,
            "shell",
            "-c",
            SETUP.format(username=USERNAME, password=PASSWORD, committee=COMMITTEE, key=key),
        )
        workbooks = list(workbooks)
    setup_seconds = time.monotonic() - started

    server = Server(env, tmp_path / "gunicorn.log")
    verifier: subprocess.Popen | None = None
    try:
        server.start()
        client = Client(server.port)
        log_in(client, key)

        # One confirm left to finish: how long a confirm takes, and what an import adds. The server is
        # restarted first, so the confirm meets workers as fresh as every later round's.
        server.kill()
        server.start()
        page = client.get("/data/import/")[2]
        tokens = upload(client, workbooks[0], page, media)
        before = counts(env)
        began = time.monotonic()
        status, headers, _ = client.receive(send_confirm(client, tokens))
        duration = measured = time.monotonic() - began
        assert status == 302 and headers["Location"] == "/data/import/"
        page = client.get("/data/import/")[2]
        assert "已导入round-0.xlsx" in page
        delta = {name: value - before[name] for name, value in counts(env).items()}
        assert (delta["Organisation"], delta["Person"], delta["Member"]) == (BRANCHES, PEOPLE, PEOPLE)

        rng = random.Random(SEED)
        tally: Counter[str] = Counter()
        answered_before_kill = wal_left = 0
        spent: Counter[str] = Counter()
        for number in range(1, ROUNDS + 1):
            with timed(spent, "upload"):
                tokens = upload(client, workbooks[number], page, media)
            if verifier is not None:
                with timed(spent, "verify wait"):
                    # The last round's verify ran beside this upload, which writes nothing it reads.
                    verified(verifier)
            before = counts(env)
            after = {name: value + delta[name] for name, value in before.items()}
            delay = rng.uniform(0.1, 1.4) * duration
            connection = send_confirm(client, tokens)
            time.sleep(delay)
            with timed(spent, "kill"):
                server.kill()
            try:
                answered = client.receive(connection)[0]
            except (OSError, http.client.HTTPException):
                answered = None
            answered_before_kill += answered == 302
            wal_left += wal.exists() and wal.stat().st_size > 0

            # The server starts again on whatever the kill left behind (SQLite: the -wal and -shm files)
            # and serves a page that reads the database (the session) before anything else opens it.
            with timed(spent, "restart"):
                server.start()
            with timed(spent, "first page"):
                status, _, page = client.get("/data/import/")
            assert status == 200 and 'name="file"' in page, server.tail()

            now = counts(env)
            assert now in (before, after), f"round {number}: {before=} {now=} {after=}"
            outcome = "new" if now == after else "old"
            if answered == 302:
                assert outcome == "new", f"round {number}: answered, yet the import is not there"
            tally[outcome] += 1
            # The confirm's duration drifts (a growing database, a busy machine): what each kill found
            # corrects the estimate, so the delays keep straddling the commit.
            if outcome == "old" and delay > duration:
                duration = delay * 1.1
            elif outcome == "new" and delay < duration:
                duration = (duration + delay) / 2
            verifier = audit_verify(env)
            print(f"round {number:2d}: killed after {delay:.2f} s → {outcome}, confirm now {duration:.2f} s")
        verified(verifier)
    finally:
        server.kill()
        if verifier is not None and verifier.poll() is None:
            verifier.kill()
            verifier.wait()

    elapsed = time.monotonic() - started
    print(
        f"{'PostgreSQL' if 'DATABASE_URL' in env else 'SQLite'}: {ROUNDS} rounds of {PEOPLE} people, "
        f"old {tally['old']} new {tally['new']}, answered before the kill {answered_before_kill}, "
        f"WAL left by the kill {wal_left}; confirm {measured:.2f} s (lately {duration:.2f} s); "
        f"setup {setup_seconds:.1f} s, "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items())
        + f"; in all {elapsed:.1f} s"
    )
    assert tally["old"] and tally["new"], f"every kill landed on the same side of the commit: {tally}"
