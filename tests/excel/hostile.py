"""Hostile .xlsx files, built by hand as an attacker would (used by the tests and by
benchmarks/upload_memory.py). Each is small on the wire; what it claims is not."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
BOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="评分表" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def sheet_xml(data: str, before: str = "", after: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f"{before}<sheetData>{data}</sheetData>{after}</worksheet>"
    )


def workbook(sheet: str | bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal valid .xlsx whose one sheet (named 评分表) is ``sheet``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def far_cell() -> bytes:
    """Cells at A1 and XFD1048576: 1.5 KB that asks a reader for a 17-billion-cell grid."""
    return workbook(
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        )
    )


def far_dimension() -> bytes:
    """Two cells, but a declared dimension of the whole grid."""
    return workbook(
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', '<dimension ref="A1:XFD1048576"/>')
    )


def far_merge() -> bytes:
    """A merged range over the whole grid (openpyxl creates a cell for each merged cell)."""
    return workbook(
        sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row>',
            after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        )
    )


def unnumbered_cells(columns: int = 20_000) -> bytes:
    """Cells without references: a reader counts them into ever further columns."""
    return workbook(sheet_xml("<row>" + "<c><v>1</v></c>" * columns + "</row>"))


def many_cells(target: int = 1024 * 1024, seed: int = 1) -> bytes:
    """About ``target`` bytes packed of distinct strings and numbers in a legitimate-looking
    grid (13 columns), as many rows as that takes."""
    rng = random.Random(seed)
    rows = []
    r = 0
    size = 0
    while size < target * 2:  # random text packs about 2:1 in this layout
        r += 1
        cells = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{rng.getrandbits(40):x}</t></is></c>'
            if c % 2
            else f'<c r="{chr(65 + c)}{r}"><v>{rng.random()}</v></c>'
            for c in range(13)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
        size += len(rows[-1]) // 2
    return workbook(sheet_xml("".join(rows)))


def zip_bomb(unpacked: int = 1024 * 1024 * 1024) -> bytes:
    """A sheet part that inflates to ``unpacked`` bytes of blanks inside a cell's text (its
    headers honest). Fully flushed blocks repeat byte for byte, so building it is quick."""
    head = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>').encode()
    head = head[: head.index(b"<t>") + 3]
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b" " * (1024 * 1024)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    count = unpacked // len(chunk)
    end = squeeze.compress(tail) + squeeze.flush()
    crc = zlib.crc32(head)
    for _i in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + count * len(chunk) + len(tail)
    return _with_raw_part(start + block * count + end, crc, size)


def lying_bomb(unpacked: int = 256 * 1024 * 1024) -> bytes:
    """A sheet part whose headers say 2 KB while it inflates to ``unpacked`` bytes."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 60))
    honest = sheet_xml(rows).encode()
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = squeeze.compress(honest) + squeeze.flush(zlib.Z_FULL_FLUSH)
    chunk = b" " * (1024 * 1024)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    raw = start + block * (unpacked // len(chunk)) + squeeze.flush()
    return _with_raw_part(raw, zlib.crc32(honest), len(honest))


def _with_raw_part(raw: bytes, crc: int, declared: int) -> bytes:
    """The minimal workbook with sheet1.xml replaced by the given deflate stream and header."""
    base = zipfile.ZipFile(io.BytesIO(workbook("<x/>")))
    out = io.BytesIO()
    entries = []
    for info in base.infolist():
        name = info.filename.encode()
        if info.filename == "xl/worksheets/sheet1.xml":
            data, c, usize = raw, crc, declared
        else:
            plain = base.read(info)
            squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = squeeze.compress(plain) + squeeze.flush()
            c, usize = zlib.crc32(plain), len(plain)
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, c, len(data), usize, len(name), 0
            )
        )
        out.write(name)
        out.write(data)
        entries.append((name, c, len(data), usize, offset))
    start = out.tell()
    for name, c, packed, usize, offset in entries:
        out.write(
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                c,
                packed,
                usize,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        out.write(name)
    end = out.tell()
    out.write(
        struct.pack(
            "<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0
        )
    )
    return out.getvalue()


def many_members(count: int = 20_000) -> bytes:
    """A valid workbook plus thousands of tiny parts."""
    return workbook(
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
        {f"xl/media/p{i}.bin": b"" for i in range(count)},
    )


def huge_shared_strings(count: int = 400_000, seed: int = 2) -> bytes:
    """A shared-strings table of ``count`` distinct short strings."""
    rng = random.Random(seed)
    strings = "".join(f"<si><t>{rng.getrandbits(32):x}</t></si>" for _i in range(count))
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{strings}</sst>'
    return workbook(
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        {"xl/sharedStrings.xml": sst.encode()},
    )


def shared_string_fanout(cells: int = 60_000) -> bytes:
    """One 32,000-character shared string used by ``cells`` cells: a reader copies it into
    each (60,000 × 32,000 characters ≈ 2 billion)."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1">'
        f"<si><t>{'考' * 32_000}</t></si></sst>"
    )
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "ABCDEF") + "</row>"
        for r in range(1, cells // 6 + 1)
    )
    return workbook(sheet_xml(rows), {"xl/sharedStrings.xml": sst.encode()})


def billion_laughs() -> bytes:
    """Entities that expand to 10^9 "lol"s if a parser expands them."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    return workbook(
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
            prolog=f"<!DOCTYPE worksheet [{entities}]>",
        )
    )


def deep_nesting(depth: int = 100_000) -> bytes:
    """A hundred thousand nested elements inside one cell (under 1 MB unpacked, so the
    ratio rule does not catch it first)."""
    return workbook(
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is>'
            + "<r>" * depth
            + "</r>" * depth
            + "</is></c></row>"
        )
    )


def external_link() -> bytes:
    return workbook(
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
        {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
    )


def macros() -> bytes:
    return workbook(
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60},
    )


def oversized() -> bytes:
    """Over 10 MB on the wire (random bytes in a stored part)."""
    rng = random.Random(3)
    return workbook(
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
        {"xl/media/image1.png": rng.randbytes(11 * 1024 * 1024)},
    )


HOSTILE: dict[str, Callable[[], bytes]] = {
    "far_cell (A1 + XFD1048576)": far_cell,
    "far_dimension": far_dimension,
    "far_merge": far_merge,
    "unnumbered_cells": unnumbered_cells,
    "zip_bomb (1 GiB)": zip_bomb,
    "lying_bomb (header 2 KB, 256 MiB)": lying_bomb,
    "many_members (20,000)": many_members,
    "huge_shared_strings (400,000)": huge_shared_strings,
    "shared_string_fanout (60,000 × 32,000 chars)": shared_string_fanout,
    "billion_laughs": billion_laughs,
    "deep_nesting (100,000)": deep_nesting,
    "external_link": external_link,
    "macros": macros,
    "oversized (11 MB)": oversized,
}
