"""Engine benchmark: `kaohe compute --json` as a whole process, and its phases in-process.

    .venv/bin/python benchmarks/engine.py                 # 60, 1,000, 5,000 and 20,000 units
    .venv/bin/python benchmarks/engine.py 1000 5000       # any sizes
    .venv/bin/python benchmarks/engine.py --no-peer       # without LibreOffice Calc beside it

For each size a demo year is written once (`kaohe demo-facts --units N --seed 3`), then:
- whole process: `kaohe compute --facts F --json > /dev/null` in a child, wall time and the
  child's own rusage (CPU, peak RSS) from wait4 — what a user of the command waits and pays;
- phases: in a fresh child, load (file → facts), compute (compute_year) and JSON (streamed
  to /dev/null), CPU seconds each, and that child's peak RSS.
The machine may be shared: the load average is printed beside every line. When `soffice` is
installed (unless ``--no-peer``), benchmarks/spreadsheet_peer.py times Calc recalculating the
office's workbook for the same facts, and the ratio kaohe / Calc is printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [60, 1000, 5000, 20000]
SEED = 3
PYTHON = sys.executable
KAOHE = [PYTHON, "-m", "kaohe.cli"]

PHASES = r"""
import gc, json, os, resource, sys, time
from kaohe.cli import load_facts
from kaohe.engine import compute_year, load_scheme
from kaohe.engine.serialize import write_result
scheme = load_scheme("district-2014")
gc.disable()  # as `kaohe compute` does
t0 = time.process_time()
facts = load_facts(sys.argv[1])
t1 = time.process_time()
result = compute_year(scheme, facts)
t2 = time.process_time()
with open(os.devnull, "wb") as out:
    write_result(result, out.write)
t3 = time.process_time()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": t1 - t0, "compute": t2 - t1, "json": t3 - t2, "peak": peak,
                  "findings": len(facts.findings)}))
"""


def facts_file(folder: Path, units: int) -> Path:
    path = folder / f"facts-{units}-seed{SEED}.json"
    if not path.exists():
        subprocess.run(  # noqa: S603
            [*KAOHE, "demo-facts", "--units", str(units), "--seed", str(SEED), "-o", str(path)],
            check=True,
            capture_output=True,
        )
    return path


def whole_process(path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one child."""
    with open(os.devnull, "wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen([*KAOHE, "compute", "--facts", str(path), "--json"], stdout=sink)  # noqa: S603
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"kaohe compute failed on {path}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def phases(path: Path) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [PYTHON, "-c", PHASES, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out))


def load() -> str:
    return "load avg {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main(argv: list[str]) -> None:
    peer = "--no-peer" not in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or SIZES
    folder = Path(os.environ.get("KAOHE_BENCH_DIR", tempfile.gettempdir())) / "kaohe-bench"
    folder.mkdir(exist_ok=True)
    print(
        f"kaohe compute --json, whole process and in-process phases ({time.strftime('%F %T %Z')})"
    )
    print(
        f"{'units':>6} {'findings':>8} {'MB':>6} | {'wall s':>6} {'cpu s':>6} {'peak MiB':>8} | "
        f"{'load':>5} {'compute':>7} {'json':>5} {'peak':>5} |"
    )
    rows = []
    for units in sizes:
        path = facts_file(folder, units)
        wall, cpu, peak = whole_process(path)
        inner = phases(path)
        rows.append((units, path, wall, peak))
        print(
            f"{units:>6} {int(inner['findings']):>8} {path.stat().st_size / 1e6:>6.1f} | "
            f"{wall:>6.2f} {cpu:>6.2f} {peak:>8.0f} | {inner['load']:>5.2f} "
            f"{inner['compute']:>7.2f} {inner['json']:>5.2f} {inner['peak']:>5.0f} | {load()}",
            flush=True,
        )
    if not peer:
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from spreadsheet_peer import calc_available, time_calc

    if not calc_available():
        print("LibreOffice (soffice) is not installed: no spreadsheet peer")
        return
    print("\nLibreOffice Calc recalculating the office's workbook for the same facts (headless)")
    print(
        f"{'units':>6} | {'kaohe s':>7} {'Calc s':>7} {'kaohe/Calc':>10} | {'kaohe MiB':>9} {'Calc MiB':>8} |"
    )
    for units, path, wall, peak in rows:
        calc = time_calc(path, folder)
        print(
            f"{units:>6} | {wall:>7.2f} {calc.seconds:>7.2f} {wall / calc.seconds:>10.2f} | "
            f"{peak:>9.0f} {calc.peak_mib:>8.0f} | {load()}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
