"""Benchmark: peak extra memory and time of every kind of .xlsx upload (prints a table).

    .venv/bin/python benchmarks/upload_memory.py [UNITS]

Builds hostile workbooks (tests/excel/hostile.py: cells at A1 and XFD1048576, zip bombs, a
many-part zip, a huge shared-strings table, billion laughs, deep nesting, …), a 1 MB workbook
of many cells, the largest workbook the limits let through, and a legitimate offline sheet
for UNITS units (default 1,000) filled in. Each file goes through the real import path
(kaohe.excel.sheets.import_sheet, and kaohe.excel.rubric.import_rubrics for the rubric
upload) in a fresh subprocess under a 4 GiB address-space limit; the child resets its peak
RSS just before the import and reports the peak above its RSS at that moment. The ceiling
is 200 MB extra for any upload. Runs against a fresh SQLite database in a temporary folder.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CEILING_MB = 200


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _django(folder: str) -> None:
    os.environ["KAOHE_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django

    django.setup()


def child(folder: str, path: str, kind: str) -> None:
    """Import one file in this fresh process; print one JSON line with the figures."""
    _django(folder)
    from kaohe.engine import InputError, load_scheme
    from kaohe.excel.rubric import import_rubrics
    from kaohe.excel.sheets import import_sheet
    from kaohe.monthly.models import Sheet
    from kaohe.monthly.services import CycleError
    from kaohe.people.models import User

    content = Path(path).read_bytes()
    base = load_scheme("district-2014")
    sheet = Sheet.objects.select_related("cycle__year", "department").get(department__key="org")
    user = User.objects.get(username="org")
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS (VmHWM) starts again from here
    before = _rss_kb("VmRSS")
    started = time.perf_counter()
    try:
        if kind == "sheet":
            outcome = f"saved, {import_sheet(acting_user=user, sheet=sheet, content=content, name=Path(path).name)} cells changed"
        else:
            scheme, _warnings = import_rubrics(content, base, Path(path).name)
            outcome = f"read, {len(scheme.rubrics)} rubrics"
    except (CycleError, InputError) as exc:
        outcome = "refused: " + str(exc).splitlines()[-1 if kind == "rubric" else 0][:110]
    seconds = time.perf_counter() - started
    peak = _rss_kb("VmHWM")
    print(json.dumps({"extra_mb": (peak - before) / 1024, "seconds": seconds, "outcome": outcome}))


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def run_child(folder: str, path: Path, kind: str) -> dict[str, object]:
    db = Path(folder) / "kaohe.sqlite3"
    work = tempfile.mkdtemp(prefix="kaohe-upload-")
    for part in db.parent.glob(db.name + "*"):
        shutil.copy(part, Path(work) / part.name)
    try:
        done = subprocess.run(  # noqa: S603 — this script with its own file names
            [sys.executable, __file__, "--child", work, str(path), kind],
            capture_output=True,
            text=True,
            preexec_fn=_limited,  # a fresh child: no threads to deadlock
            timeout=600,
            check=False,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"extra_mb": float("nan"), "seconds": float("nan"), "outcome": f"CRASHED: {tail}"}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def worst_inline() -> bytes:
    """The most a sheet may hold and still pass the checks: 1,000,000 cells (50,000 rows ×
    20 columns) of distinct 15-character texts, each in its own cell: about 64 MB of sheet
    XML and 15 million characters, just under the part and text limits."""
    from tests.excel.hostile import sheet_xml, workbook

    rows = []
    for r in range(1, 50_001):
        cells = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{r:06d}{c:03d}abcdef</t></is></c>'
            for c in range(20)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    return workbook(sheet_xml("".join(rows)))


def worst_shared() -> bytes:
    """1,000,000 cells that use 200,000 shared strings of 15 characters: 15 million
    characters once copied into the cells, under the 16 million limit."""
    from tests.excel.hostile import MAIN, sheet_xml, workbook

    count = 200_000
    strings = "".join(f"<si><t>{i:09d}abcdef</t></si>" for i in range(count))
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{strings}</sst>'
    rows = []
    for r in range(1, 50_001):
        cells = "".join(
            f'<c r="{chr(65 + c)}{r}" t="s"><v>{(r * 20 + c) % count}</v></c>' for c in range(20)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    return workbook(sheet_xml("".join(rows)), {"xl/sharedStrings.xml": sst.encode()})


def worst_rubric() -> bytes:
    """The largest rubric upload the rubric limits let through: 2,000 rows × 50 columns =
    100,000 cells (the cell limit) of distinct 39-character texts, 3.9 million characters
    (under 4 million), read by openpyxl, which keeps an object per cell."""
    from tests.excel.hostile import sheet_xml, workbook

    def column(c: int) -> str:
        return chr(65 + c) if c < 26 else "A" + chr(65 + c - 26)

    rows = []
    for r in range(1, 2_001):
        cells = "".join(
            f'<c r="{column(c)}{r}" t="inlineStr"><is><t>{r:05d}{c:02d}{"考核细则" * 8}</t></is></c>'
            for c in range(50)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    return workbook(sheet_xml("".join(rows)))


def setup(folder: str, units: int) -> dict[str, bytes]:
    """A fresh database with a year, UNITS streets and January open; the legitimate files."""
    import io

    _django(folder)
    from django.core.management import call_command
    from openpyxl import load_workbook

    from kaohe.engine import load_scheme
    from kaohe.engine.loader import read_scheme_text
    from kaohe.excel.rubric import export_rubrics
    from kaohe.excel.sheets import export_sheet
    from kaohe.monthly.services import cycle_open
    from kaohe.people.models import Department, Unit, User
    from kaohe.years.services import year_create

    call_command("migrate", verbosity=0)
    office = User.objects.create_user("office", is_office=True)
    source, text = read_scheme_text("district-2014")
    year = year_create(acting_user=office, scheme_text=text, source=source)
    Unit.objects.bulk_create(
        [Unit(code=f"S{i:05d}", name=f"街道{i}", category="street") for i in range(units)]
    )
    cycle = cycle_open(acting_user=office, year=year, month=1)
    User.objects.create_user("org", department=Department.objects.get(key="org"))
    book = load_workbook(io.BytesIO(export_sheet(cycle.sheets.get(department__key="org"))))
    ws = book["评分表"]
    for row in range(3, ws.max_row + 1):
        ws.cell(row=row, column=13).value = "是"  # every cell scored, nothing found …
        if row % 7 == 0 and ws.cell(row=row, column=3).value == "2":
            ws.cell(row=row, column=8).value = 1  # … but a count on some rows
            ws.cell(row=row, column=11).value = "=抽查发现"  # a reason that looks like a formula
    out = io.BytesIO()
    book.save(out)
    from django.db import connections

    connections.close_all()  # the children copy the database file
    return {
        f"legitimate {units}-unit sheet ({ws.max_row - 2} rows)": out.getvalue(),
        "legitimate rubric workbook": export_rubrics(load_scheme("district-2014")),
    }


def main(units: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.excel import hostile

    folder = tempfile.mkdtemp(prefix="kaohe-bench-")
    files_dir = Path(folder) / "files"
    files_dir.mkdir()
    files = setup(folder, units)
    files["many cells, 1 MB"] = hostile.many_cells()
    files["largest inline within the limits (1M cells)"] = worst_inline()
    files["largest shared within the limits (1M cells)"] = worst_shared()
    files["largest rubric within the rubric limits (100k cells)"] = worst_rubric()
    for label, build in hostile.HOSTILE.items():
        files[label] = build()
    print(f"{'file':52} {'size':>10}  {'path':6} {'extra RSS':>10} {'time':>7}  outcome")
    worst = 0.0
    for i, (label, content) in enumerate(files.items()):
        path = files_dir / f"upload{i}.xlsx"
        path.write_bytes(content)
        kinds = ["rubric"] if "rubric" in label else ["sheet", "rubric"]
        for kind in kinds:
            r = run_child(folder, path, kind)
            extra, seconds = float(r["extra_mb"]), float(r["seconds"])  # type: ignore[arg-type]
            worst = max(worst, extra) if extra == extra else float("inf")
            print(
                f"{label[:52]:52} {len(content):>10,}  {kind:6} {extra:>7.1f} MB {seconds:>6.2f}s"
                f"  {r['outcome']}",
                flush=True,
            )
    shutil.rmtree(folder, ignore_errors=True)
    verdict = "within" if worst <= CEILING_MB else "OVER"
    print(f"worst extra RSS {worst:.1f} MB: {verdict} the {CEILING_MB} MB ceiling")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
