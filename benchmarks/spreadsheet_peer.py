"""The spreadsheet peer: the office's workbook for the same facts, recalculated by LibreOffice
Calc headless, timed as a whole process like `kaohe compute --json`.

    .venv/bin/python benchmarks/spreadsheet_peer.py FACTS.json [FACTS.json ...]

The workbook is what an office keeps without Kaohe: a sheet 月度 with one row per unit and
month, the points each item gained or lost that month in its own column (entered by the
assessors) and the month's score as 满分 + SUM(items); a sheet 年度 with one row per unit: the
target score T as the AVERAGE of its twelve months, its lowest month (MIN), B, F and R as
entered, the total, and the rank in its category by COUNTIFS (1 + units of the category with a
higher total). Written with openpyxl without cached values, so Calc computes every formula when
it opens the file; the time is `soffice --headless --convert-to csv` (the 年度 sheet, which
needs every formula), less nothing: the command as a user would run it, startup included. The
peak is the largest RSS among soffice's processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

RUN = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"wall": wall, "peak": peak, "code": done.returncode}))
"""


@dataclass(frozen=True)
class CalcRun:
    seconds: float
    peak_mib: float
    workbook: Path


def calc_available() -> bool:
    return shutil.which("soffice") is not None


def build_workbook(facts_path: Path, out: Path) -> Path:
    """The office's workbook for the facts in ``facts_path`` (item points from the engine)."""
    from kaohe.cli import load_facts
    from kaohe.engine import compute_year, load_scheme

    scheme = load_scheme("district-2014")
    facts = load_facts(str(facts_path))
    result = compute_year(scheme, facts)
    scorer = result.scorer
    index = scorer.index
    numbers = sorted(
        {n for rubric in index.rubrics.values() for n in rubric.items},
        key=lambda n: (len(n), n),
    )
    column = {n: 5 + i for i, n in enumerate(numbers)}
    last = get_column_letter(4 + len(numbers))
    score_col = get_column_letter(5 + len(numbers))
    months = sorted(facts.months)

    book = Workbook(write_only=True)
    annual = book.create_sheet("年度")
    monthly = book.create_sheet("月度")
    monthly.append(["单位", "类别", "月", "满分", *(f"第{n}项" for n in numbers), "得分"])
    annual.append(["单位", "类别", "目标T", "最低月", "业绩B", "过错F", "公认度R", "总分", "名次"])
    n_units = len(facts.units)
    row = 2
    for i, unit in enumerate(facts.units):
        first = row
        for month in months:
            items, full = index.applicable(unit.category, unit.kind, month)
            cells: list[object] = [unit.id, unit.category, month, float(full)]
            cells += [None] * len(numbers)
            found = scorer.by_item(unit.id, month)
            for number in set(found) | scorer.target_items.get(unit.id, set()):
                item = items.get(number)
                if item is None:
                    continue
                score, _ = scorer._item(index, unit, item, month, found.get(number, ()), False)
                if score != item.weight:
                    cells[column[number] - 1] = float(score - item.weight)
            cells.append(f"=D{row}+SUM(E{row}:{last}{row})")
            monthly.append(cells)
            row += 1
        year = result.units[unit.id]
        r = i + 2
        span = f"月度!{score_col}{first}:{score_col}{row - 1}"
        annual.append(
            [
                unit.id,
                unit.category,
                f"=AVERAGE({span})",
                f"=MIN({span})",
                float(year.b.amount),
                float(year.f.amount),
                float(year.r.amount),
                f"=C{r}+E{r}-F{r}+G{r}",
                f'=COUNTIFS($B$2:$B${n_units + 1},B{r},$H$2:$H${n_units + 1},">"&H{r})+1',
            ]
        )
    book.save(out)
    return out


def _soffice(workbook: Path, folder: Path) -> dict[str, float]:
    profile = (folder / "lo-profile").resolve().as_uri()
    command = [
        "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "csv",
        "--outdir",
        str(folder / "csv"),
        str(workbook),
    ]
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RUN, *command], check=True, capture_output=True, text=True
    ).stdout
    data = dict(json.loads(out))
    if data["code"]:
        raise SystemExit(f"soffice failed on {workbook}")
    return data


def time_calc(facts_path: Path, folder: Path) -> CalcRun:
    """Build (once) and recalculate the workbook for ``facts_path``; the first call warms
    LibreOffice's profile on a one-row workbook so its creation is not counted."""
    workbook = folder / (facts_path.stem + ".xlsx")
    if not workbook.exists():
        build_workbook(facts_path, workbook)
    if not (folder / "lo-profile").exists():
        warm = Workbook()
        warm.active.append([1, "=A1+1"])  # type: ignore[union-attr]
        warm.save(folder / "warm.xlsx")
        _soffice(folder / "warm.xlsx", folder)
    run = _soffice(workbook, folder)
    csv = folder / "csv" / (workbook.stem + ".csv")
    lines = csv.read_text("utf-8").splitlines()
    if len(lines) < 2 or not lines[1].split(",")[2]:
        raise SystemExit(f"Calc computed nothing in {workbook}")
    return CalcRun(run["wall"], run["peak"], workbook)


def main(argv: list[str]) -> None:
    if not calc_available():
        print("LibreOffice (soffice) is not installed")
        return
    folder = Path(os.environ.get("KAOHE_BENCH_DIR", tempfile.gettempdir())) / "kaohe-bench"
    folder.mkdir(exist_ok=True)
    for name in argv:
        started = time.perf_counter()
        run = time_calc(Path(name), folder)
        print(
            f"{name}: workbook {run.workbook.stat().st_size / 1e6:.1f} MB "
            f"(built in {time.perf_counter() - started - run.seconds:.1f} s); "
            f"Calc {run.seconds:.2f} s, peak {run.peak_mib:.0f} MiB; "
            "load avg {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        )


if __name__ == "__main__":
    main(sys.argv[1:])
