"""Fifty people on the demo database under gunicorn for a few seconds (issue 12, item 4): the bounded form of
`make load` (bench/load.py, bench/locustfile.py). Every request answers 200, none 5xx, and the server logs
no traceback and no "database is locked". On SQLite the built demo database is kept under var/bench/ and
reused while the code is unchanged; when the suite runs on PostgreSQL (DATABASE_URL), the load runs on a
fresh database of that server instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USERS = 50
SECONDS = 12


def test_fifty_people_for_a_few_seconds_get_no_error(tmp_path):
    out = tmp_path / "load.md"
    command = [
        sys.executable,
        str(ROOT / "bench" / "load.py"),
        f"--users={USERS}",
        "--rate=25",
        f"--duration={SECONDS}",
        "--reference=0",
        f"--out={out}",
    ]
    url = os.environ.get("DATABASE_URL", "")
    command.append(f"--database-url={url}" if url.startswith("postgres") else "--reuse-build")
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    report = json.loads(out.with_suffix(".json").read_text()) if out.with_suffix(".json").exists() else None
    assert report is not None, done.stdout[-3000:] + done.stderr[-3000:]
    total = report["main"]["total"]
    assert total["failures"] == 0, report["main"]["failures"]
    assert total["5xx"] == 0
    assert total["database_locked"] == 0
    assert report["server_log"] == {"tracebacks": 0, "database_locked": 0, "worker_timeouts": 0}
    # Every role's pages were reached: residents', members' and managers' (their names carry the role).
    names = {page["name"] for page in report["main"]["pages"]}
    for expected in ("/p/zones/[id]/", "/reports/new/", "/org/members/?… (secretary)", "/ (community)"):
        assert expected in names, names
    # Fifty people with one to three seconds between pages ask for well over a hundred pages in that time.
    assert total["requests"] >= 100, total
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
