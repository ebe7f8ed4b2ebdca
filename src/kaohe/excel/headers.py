"""The rubric's header row as offices type it (表头识别).

A header cell in the attachment reads "考核⏎部门" (a line break inside the cell); others write
"项 目" with a full-width space, "具体目标及权重:" with a full-width colon, or leave out the
得分 and 扣分及激励原因 columns, which are only blanks to fill by hand. A header text is compared
after ``normalise``: NFKC (full-width letters, digits and punctuation become half-width), every
whitespace character and line break removed, a trailing colon dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from kaohe.excel.guard import column_letter

# zero-width characters that copy-paste leaves behind; NFKC keeps them and str.split() does not
# treat them as whitespace
INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
SCAN_ROWS = 20  # the header row is looked for in the first rows only (title rows above it)
MIN_MATCHES = 3  # a row holding fewer of the layout's headers is not taken for a header row


def normalise(value: object) -> str:
    """The comparable form of a header (or department) text: "考核⏎部门" → "考核部门"."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = INVISIBLE.sub("", "".join(text.split()))
    return text.rstrip(":")


@dataclass(frozen=True)
class HeaderRow:
    """The best header row candidate of a sheet: which known headers sit in which column."""

    row: int
    columns: dict[str, int]  # known header → 1-based column (the first if repeated)
    found: tuple[tuple[int, str], ...]  # every non-empty cell of the row: (column, text)

    def missing(self, required: Iterable[str]) -> list[str]:
        return [h for h in required if h not in self.columns]

    def matches(self, layout: Iterable[str]) -> int:
        return sum(1 for h in layout if h in self.columns)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def find_header_row(ws: Worksheet, known: Sequence[str], layout: Sequence[str]) -> HeaderRow | None:
    """The row among the first ``SCAN_ROWS`` holding most of ``layout``; among equals the
    upper one, a row of three cells or more before a title's single cell (so that a sheet with
    no known header shows its table's first row). ``None`` for a sheet whose first rows are
    empty."""
    wanted = {normalise(h): h for h in known}
    best: HeaderRow | None = None
    best_key = (-1, -1)
    rows = ws.iter_rows(min_row=1, max_row=min(ws.max_row, SCAN_ROWS), values_only=True)
    for number, values in enumerate(rows, start=1):
        found = tuple((c, _text(v)) for c, v in enumerate(values, start=1) if _text(v))
        if not found:
            continue
        columns: dict[str, int] = {}
        for column, text in found:
            header = wanted.get(normalise(text))
            if header is not None and header not in columns:
                columns[header] = column
        candidate = HeaderRow(number, columns, found)
        key = (candidate.matches(layout), min(len(found), MIN_MATCHES))
        if key > best_key:
            best, best_key = candidate, key
    return best


def describe(found: Iterable[tuple[int, str]]) -> str:
    """Cells as the user sees them: A“项目”、B“具体目标 及权重” (line breaks as spaces)."""
    return "、".join(f"{column_letter(c)}“{' '.join(text.split())}”" for c, text in found)
