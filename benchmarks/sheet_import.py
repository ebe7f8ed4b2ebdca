"""Benchmark: upload a filled-in offline scoring sheet for 1,000 units (prints figures).

    .venv/bin/python benchmarks/sheet_import.py [UNITS]

Runs against a fresh SQLite database in a temporary folder.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time


def main(units: int) -> None:
    folder = tempfile.mkdtemp(prefix="kaohe-bench-")
    os.environ["KAOHE_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import load_workbook

    from kaohe.engine.loader import read_scheme_text
    from kaohe.excel.sheets import export_sheet, import_sheet
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
    sheet = cycle.sheets.get(department__key="cadre")
    assessor = User.objects.create_user("cadre", department=Department.objects.get(key="cadre"))
    started = time.perf_counter()
    content = export_sheet(sheet)
    exported = time.perf_counter()
    book = load_workbook(io.BytesIO(content))
    ws = book["评分表"]
    for row in range(3, ws.max_row + 1, 7):  # a deduction on every seventh row
        if ws.cell(row=row, column=3).value in ("12", "13"):
            ws.cell(row=row, column=8).value = 1
            ws.cell(row=row, column=11).value = "抽查发现"
    out = io.BytesIO()
    book.save(out)
    filled = time.perf_counter()
    rows = ws.max_row - 2
    changed = import_sheet(
        acting_user=assessor, sheet=sheet, content=out.getvalue(), name="bench.xlsx"
    )
    imported = time.perf_counter()
    print(
        f"{units} units, {rows} rows: export {exported - started:.2f} s, "
        f"import (parse, check every row, save {changed} cells in one transaction) "
        f"{imported - filled:.2f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
