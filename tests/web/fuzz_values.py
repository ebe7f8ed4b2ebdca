"""Hostile values for form fields, query parameters, URL parts and uploads (hypothesis)."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st

# One of each kind of trouble; hypothesis mixes them with random text and numbers.
HOSTILE: list[str] = [
    "",
    " ",
    " \t\r\n ",
    "0",
    "-0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "9" * 100_000,
    "1" + "0" * 400,
    "0." + "0" * 500 + "1",
    "1e-400",
    "1e400",
    "1E5",
    "-1e-400",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1_000",
    "0x10",
    "12.5",
    "1,5",
    " 7 ",
    "²",
    "١٢",
    "１２",
    "½",
    "\x00",
    "a\x00b",
    "1\x00",
    "\x01\x02\x1b\x1f\x7f",
    "\x80\x85\x9f",
    "\u202e",
    "abc\u202edef",
    "\u200b\u200f\u2066\u2069",
    "\ufeff",
    "\U0010ffff",
    "😀" * 10,
    "e\u0301" * 50,
    "x" * 100_000,
    "中" * 70_000,
    "2014-02-30",
    "99999-99-99",
    "0000-00-00",
    "2014-13-01",
    "-2014-01-01",
    "2014-01-01T25:00",
    "+999999-01-01",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "=1+1",
    "@SUM(A1)",
    "%00",
    "\\",
]

# Raw bytes that no UTF-8 encoder would produce: a lone surrogate (CESU), an overlong
# slash, a cut-off sequence. Sent only in hand-built urlencoded bodies.
RAW_BYTES: list[bytes] = [b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4\xb8", b"\xff\xfe", b"a\x00b"]

numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
texts = st.text(max_size=40)
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(HOSTILE), numbers, texts)


def value_for(valid: list[str]) -> st.SearchStrategy[str]:
    """A field's value: often a valid one (to reach deeper code), else hostile."""
    if not valid:
        return hostile_text
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), hostile_text)


class NamedBytes(io.BytesIO):
    """An upload under any name at all (SimpleUploadedFile refuses "." and "..")."""

    def __init__(self, name: str, content: bytes) -> None:
        super().__init__(content)
        self.name = name

    def __repr__(self) -> str:
        return f"<file {self.name!r} {len(self.getvalue())} bytes>"


@st.composite
def random_file(draw: st.DrawFn, name_hint: str = "") -> NamedBytes:
    """A file of random or half-valid content under a hostile or plausible name."""
    names = ["a.pdf", "sheet.xlsx", "scheme.yaml", "x.docx", "x.xlsm", "x.doc", "证明.pdf"]
    name = draw(
        st.one_of(
            st.sampled_from(names + ([name_hint] if name_hint else [])),
            st.sampled_from(["", ".", "..", "a\x00.pdf", "\u202efdp.exe", "x" * 300 + ".pdf"]),
            st.text(min_size=1, max_size=20).map(lambda s: s + ".pdf"),
        )
    )
    head = draw(
        st.sampled_from(
            [
                b"",
                b"%PDF-1.4\n",
                b"PK\x03\x04",
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                b"MZ",
                b"\xef\xbb\xbf",
            ]
        )
    )
    body = draw(st.binary(max_size=3000))
    return NamedBytes(name, head + body)


def mutated_workbook(content: bytes, cells: list[tuple[int, int, str]]) -> bytes:
    """A downloaded offline sheet with some cells overwritten by hostile values."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for row, column, value in cells:
        cell = sheet.cell(row=min(row, sheet.max_row + 2), column=min(column, sheet.max_column + 2))
        cell.value = _cell_value(value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(value: str) -> Any:
    """openpyxl refuses control characters in cells; keep the rest as typed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000]
    try:
        return (
            int(cleaned) if cleaned.strip().lstrip("-").isdigit() and len(cleaned) < 15 else cleaned
        )
    except ValueError:
        return cleaned
