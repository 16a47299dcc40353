"""`make bench`: measure, side by side in one run on this machine, and write docs/benchmarks.md.

Roster workbook (issue: import and export in Excel):
- import of N people (default 100 000) by `vanguard import`, against its lower bound: calamine reading the
  same file plus one raw executemany of the same rows (bench/import_lower_bound.py);
- export of the same roster by `vanguard export roster`, against xlsxwriter writing the same cells directly
  (bench/export_peer.py).
And, to show where the import's time goes, what storing the same rows in Vanguard's own tables takes with
nothing else done (bench/import_schema_floor.py), and the import's own split (`--verbosity 2`).
Each measured command runs in its own process (bench/measure.py) so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VANGUARD = str(Path(PYTHON).with_name("vanguard"))
DOC = ROOT / "docs" / "benchmarks.md"


def measure(command: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure.py"), *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['stderr']}")
    return result


def machine() -> str:
    memory = ""
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    cpu = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} memory, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def roster(rows: int, workdir: Path) -> list[tuple[str, dict, dict, float, str]]:
    cache = ROOT / "var" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    workbook = cache / f"roster-{rows}.xlsx"
    if not workbook.exists():
        print(f"generating {workbook} …", flush=True)
        subprocess.run([PYTHON, str(ROOT / "bench" / "roster_data.py"), str(workbook), str(rows)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"VANGUARD_VAR_DIR": str(workdir), "DEBUG": "1"})
    subprocess.run([VANGUARD, "migrate", "-v0"], env=env, check=True)

    # An empty migrated database for the floor below, copied before the import fills the real one.
    source, copy = sqlite3.connect(workdir / "vanguard.sqlite3"), sqlite3.connect(workdir / "floor.sqlite3")
    source.backup(copy)
    source.close()
    copy.close()

    print("import lower bound …", flush=True)
    bound = measure(
        [PYTHON, str(ROOT / "bench" / "import_lower_bound.py"), str(workbook), str(workdir / "lb.sqlite3")],
        env,
    )
    print("the same rows into Vanguard's tables …", flush=True)
    floor = measure(
        [
            PYTHON,
            str(ROOT / "bench" / "import_schema_floor.py"),
            str(workbook),
            str(workdir / "floor.sqlite3"),
        ],
        env,
    )
    print("vanguard import …", flush=True)
    imported = measure([VANGUARD, "import", str(workbook), "--verbosity", "2"], env)
    phases = re.search(r"读取和校验 ([\d.]+) 秒,写入 ([\d.]+) 秒", imported["stdout"])
    imported["phases"] = (float(phases[1]), float(phases[2])) if phases else None
    imported["floor"] = floor
    print("vanguard export roster …", flush=True)
    exported = measure([VANGUARD, "export", "roster", "--out", str(workdir / "export.xlsx")], env)
    print("xlsxwriter directly …", flush=True)
    peer_run = subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "measure.py"),
            PYTHON,
            str(ROOT / "bench" / "export_peer.py"),
            str(workdir / "export.xlsx"),
            str(workdir / "peer.xlsx"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    peer = json.loads(peer_run.stdout.strip().splitlines()[-1])
    write_only = json.loads(
        subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "export_peer.py"),
                str(workdir / "export.xlsx"),
                str(workdir / "peer2.xlsx"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    peer_write = {"seconds": write_only["write_seconds"], "peak_mib": peer["peak_mib"]}
    return [
        (f"import {rows:,} people", imported, bound, 3.0, "calamine read + raw executemany"),
        (f"export {rows:,} people", exported, peer_write, 1.5, "xlsxwriter writing the same cells"),
    ]


def render(results, rows: int, command: str) -> str:
    lines = [
        "<!-- roster:start -->",
        f"Command: `{command}` — {dt.date.today().isoformat()}, on {machine()}.",
        "",
        "| scenario | Vanguard | peak memory | reference | reference time | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, ours, ref, target, ref_name in results:
        ratio = ours["seconds"] / ref["seconds"] if ref["seconds"] else float("inf")
        met = "yes" if ratio <= target and ours["peak_mib"] <= 500 else "**no**"
        lines.append(
            f"| {name} | {ours['seconds']:.1f} s | {ours['peak_mib']:.0f} MiB | {ref_name} | "
            f"{ref['seconds']:.1f} s | {ratio:.2f}× | ≤ {target:g}×, ≤ 500 MiB | {met} |"
        )
    lines += [
        "",
        "Times are wall-clock for the whole command (interpreter and Django start-up included) except the",
        "xlsxwriter reference, timed for its writing alone: the export's ratio is a conservative one.",
        *_where_the_import_goes(results[0][1], results[0][2]),
        "<!-- roster:end -->",
    ]
    return "\n".join(lines)


def _where_the_import_goes(ours: dict, bound: dict) -> list[str]:
    """The import's time split, beside what SQLite alone takes to store the same rows in this schema."""
    floor = ours["floor"]["seconds"]
    lines = [
        "",
        "Where the import's time goes. Storing the same rows in Vanguard's own tables (calamine's read,",
        "then raw executemany of the tree nodes, people, memberships and strength links into the real",
        "schema, with its indexes and constraints and the import's page cache; no validation, no pinyin,",
        f"no audit trail: `bench/import_schema_floor.py`) takes {floor:.1f} s here,",
        f"{floor / bound['seconds']:.2f}× the lower bound by itself; the import takes"
        f" {ours['seconds'] / floor:.2f}× that floor.",
    ]
    if ours.get("phases"):
        read, write = ours["phases"]
        rest = ours["seconds"] - read - write
        lines += [
            f"Of the import's {ours['seconds']:.1f} s: {rest:.1f} s start-up and exit"
            " (interpreter, Django, pypinyin's dictionaries),",
            f"{read:.1f} s reading and checking every row, {write:.1f} s writing (inserts, pinyin keys,"
            " the audit trail's batch records, commit).",
        ]
    return lines


def write_doc(section: str) -> None:
    text = (
        DOC.read_text()
        if DOC.exists()
        else "# Benchmarks\n\n## Roster workbook\n\n<!-- roster:start -->\n<!-- roster:end -->\n"
    )
    text = re.sub(r"<!-- roster:start -->.*?<!-- roster:end -->", lambda _: section, text, flags=re.S)
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "city"])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vanguard-bench-") as tmp:
        results = roster(args.rows, Path(tmp))
    command = f"make bench SCALE={args.scale}" + (f" ROWS={args.rows}" if args.rows != 100_000 else "")
    section = render(results, args.rows, command)
    write_doc(section)
    print(section)


if __name__ == "__main__":
    main()
