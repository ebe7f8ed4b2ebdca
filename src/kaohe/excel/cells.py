"""Writing user text into workbooks as text, never as a formula (公式注入防护).

openpyxl stores any string that starts with "=" as a formula, so evidence "=1+1" would be
exported as a live formula (and read back as its cached value: nothing). Spreadsheet
programs also treat "+", "-", "@" and a leading tab or CR as the start of a formula when a
cell is edited. Such strings are written as string cells with the quote prefix set, so
Excel and LibreOffice show and keep them as the text they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def as_text(cell: Cell) -> Cell:
    """Make ``cell`` a plain string cell if its value would otherwise be taken as a formula."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def text_row(ws: Worksheet, values: Iterable[Any]) -> list[Any]:
    """``values`` ready for ``ws.append``: formula-like strings become text cells."""
    return [as_text(Cell(ws, value=v)) if formula_like(v) else v for v in values]


def append_text(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append`` that writes every string as text (the helper for every export)."""
    ws.append(text_row(ws, values))
