"""Excel exports read as an office expects (issue 10 point 4): points with a two-decimal number
format (the exact value kept in the cell), months as "2月"."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from kaohe.yearend.exports import use_workbook


@pytest.mark.django_db
def test_the_use_workbook_formats_points_and_names_months() -> None:
    row = {"vetoed": False, "rank": 1, "name": "第1街道党工委"}
    row |= {"T": Decimal("96.9166666667"), "B": Decimal(20), "F": Decimal("0.5")}
    row |= {"R": Decimal("14.96"), "total": Decimal("131.3766666667")}
    context = {
        "units": {"S1": {"name": "第1街道党工委"}},
        "tables": [{"category": SimpleNamespace(name="街道"), "rows": [row], "use": {}}],
        "escalations": [{"month": 2, "unit": "S1", "action": "talk", "months": [1, 2]}],
    }
    book = load_workbook(io.BytesIO(use_workbook(SimpleNamespace(year=2014), context)))
    ranking = book["街道排名"]
    t, total = ranking["C3"], ranking["G3"]
    assert t.number_format == "0.00" and total.number_format == "0.00"
    assert abs(t.value - 96.9166666667) < 1e-9  # the value stays exact; only its display rounds
    assert ranking["A3"].number_format == "General"  # a rank is a count, not points
    talks = book["约谈与报告"]
    assert talks["A3"].value == "2月" and talks["D3"].value == "1月、2月"
