"""Checks an uploaded .xlsx before any reader opens it (上传表格安全检查).

A workbook is a zip of XML parts; the readers (python-calamine for scoring sheets, openpyxl
for rubrics) allocate by what the parts claim: a sheet with cells at A1 and XFD1048576 makes
calamine allocate a 17-billion-cell grid, a merged range makes openpyxl create every cell in
it. So before a reader sees the bytes, this module reads the zip directory, inflates every
part itself (bounded, whatever the headers say) and streams each XML part through expat,
without building a tree, to find how far the cells, merged ranges and hyperlinks reach.
Anything past the limits is refused with a message naming the file and sheet.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from posixpath import dirname, join, normpath
from typing import Any
from xml.parsers import expat

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds for one kind of upload; each is recorded in docs/decisions.md."""

    file_bytes: int  # the .xlsx file as uploaded
    members: int  # parts in the zip
    directory_bytes: int  # the zip's central directory (parsed before the member count is known)
    part_bytes: int  # one part, unpacked
    total_bytes: int  # all parts, unpacked
    ratio: int  # unpacked ÷ packed for a part larger than RATIO_FROM
    rows: int  # last row a cell, merged range or hyperlink may reach
    columns: int  # last column (1-based) they may reach
    cells: int  # cells present in one sheet
    area: int  # rows × columns of the grid a reader builds from A1 to the last cell
    merged: int  # merged ranges in one sheet
    shared_strings: int  # entries of the shared-strings table
    depth: int  # XML element nesting
    text_chars: int  # characters the cells of one sheet hold, shared strings counted per use


RATIO_FROM = 1 * MB
CHUNK = 64 * 1024

# A department's offline sheet (read by python-calamine). A real 1,000-unit sheet: 13,000
# rows for the department with the most items (organisation), 13 columns, 640 KB packed,
# 9.4 MB of sheet XML (ratio 15). The limits allow about four times that.
SHEET_LIMITS = Limits(
    file_bytes=10 * MB,
    members=200,
    directory_bytes=256 * 1024,
    part_bytes=64 * MB,
    total_bytes=96 * MB,
    ratio=100,
    rows=50_000,
    columns=64,
    cells=1_000_000,
    area=1_000_000,
    merged=1_000,
    shared_strings=200_000,
    depth=64,
    text_chars=16_000_000,
)

# A rubric workbook (read by openpyxl, which keeps an object per cell). The 2014 rubrics:
# 3 sheets of under 100 rows, 12 columns, 16 KB packed.
RUBRIC_LIMITS = Limits(
    file_bytes=2 * MB,
    members=200,
    directory_bytes=256 * 1024,
    part_bytes=16 * MB,
    total_bytes=32 * MB,
    ratio=100,
    rows=2_000,
    columns=64,
    cells=100_000,
    area=100_000,
    merged=2_000,
    shared_strings=50_000,
    depth=64,
    text_chars=4_000_000,
)


class UnsafeWorkbook(ValueError):
    """An upload refused before parsing; the message is for the user (Chinese)."""


@cache
def _catalog() -> stdlib_gettext.NullTranslations:
    folder = Path(__file__).resolve().parent.parent / "locale"
    return stdlib_gettext.translation("django", folder, ["zh_Hans"], fallback=True)


def _(message: str) -> str:
    """gettext through Django where it is set up (web), else the same compiled catalog (CLI)."""
    from django.conf import settings

    if settings.configured:
        from django.utils.translation import gettext

        return gettext(message)
    return _catalog().gettext(message)


CELL = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d*)$")
SIMPLE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,7})$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _reach(ref: str) -> tuple[int, int] | None:
    """(row, column), 1-based, of the far corner of "B2", "A1:XFD1048576", "A:C" or "1:3";
    0 where a part is absent; None when it is not a reference."""
    row = column = 0
    for part in ref.replace(" ", ":").split(":"):
        if not part:
            continue
        match = CELL.match(part)
        if match is None:
            return None
        letters, digits = match.groups()
        if letters:
            column = max(column, _column_number(letters))
        if digits:
            row = max(row, int(digits) if len(digits) <= 8 else 10**9)
    return row, column


class _Part:
    """Expat handlers for one XML part: depth, DTDs, and how far the sheet reaches. Names
    arrive with their prefix (no namespace processing: faster, and a reader matching local
    names sees the same elements)."""

    def __init__(self, check: _Checker, part: str) -> None:
        self.check, self.part, self.limits = check, part, check.limits
        self.depth = 0
        self.in_data = False
        self.row = self.column = self.cells = self.merged = self.strings = 0
        self.max_row = self.max_column = 0
        self.root = ""
        self.seen: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.shared = check.shared_lengths
        self.in_si = self.in_v = self.cell_shared = False
        self.si_chars = self.chars = 0
        self.v_text = ""

    def text(self, data: str) -> None:
        if self.in_si:
            self.si_chars += len(data)
        elif self.in_v:  # a shared string's index: its length is counted at the end
            self.v_text += data
        elif self.in_data:
            self.chars += len(data)
            if self.chars > self.limits.text_chars:
                raise self.too_much_text()

    def too_much_text(self) -> UnsafeWorkbook:
        return UnsafeWorkbook(
            self.check.say_sheet(
                self.part, _("the cells hold more than %(limit)s characters of text.")
            )
            % {"limit": self.limits.text_chars}
        )

    def refuse_dtd(self, *_args: Any) -> None:
        raise UnsafeWorkbook(
            self.check.say(_("part %(part)s declares a DTD or entities; a workbook never does."))
            % {"part": self.part}
        )

    def too_far(self, ref: str) -> UnsafeWorkbook:
        limits = self.limits
        return UnsafeWorkbook(
            self.check.say_sheet(
                self.part,
                _(
                    "%(ref)s lies outside the accepted size "
                    "(at most %(rows)s rows, columns up to %(column)s)."
                ),
            )
            % {"ref": ref, "rows": limits.rows, "column": column_letter(limits.columns)}
        )

    def reach(self, ref: str) -> None:
        at = _reach(ref)
        if at is None:
            return
        row, column = at
        if row > self.limits.rows or column > self.limits.columns:
            raise self.too_far(ref)
        self.max_row, self.max_column = max(self.max_row, row), max(self.max_column, column)

    def cell(self, ref: str | None) -> None:
        self.cells += 1
        if self.cells > self.limits.cells:
            raise UnsafeWorkbook(
                self.check.say_sheet(self.part, _("more than %(limit)s cells."))
                % {"limit": self.limits.cells}
            )
        match = SIMPLE.match(ref) if ref else None
        if match is None:  # no reference: the next column, as the readers count
            if ref:
                self.reach(ref)
            column = self.column + 1
        else:
            letters, digits = match.groups()
            column = self.columns.get(letters, 0)
            if not column:
                column = self.columns[letters] = _column_number(letters)
            self.row = int(digits)
        self.column = column
        if self.row > self.limits.rows or column > self.limits.columns:
            raise self.too_far(ref or column_letter(column) + str(self.row))
        if column > self.max_column:
            self.max_column = column
        if self.row > self.max_row:
            self.max_row = self.row

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise UnsafeWorkbook(
                self.check.say(_("part %(part)s is nested more than %(limit)s levels deep."))
                % {"part": self.part, "limit": self.limits.depth}
            )
        if self.in_data and (name == "c" or name[-2:] == ":c"):
            self.cell(attrs.get("r"))
            self.cell_shared = attrs.get("t") == "s"
            return
        local = name[name.find(":") + 1 :]
        if local == "v" and self.cell_shared and self.in_data:
            self.in_v, self.v_text = True, ""
            return
        if local in ("is", "t", "v", "r", "rPr", "c"):
            return
        if self.depth == 1:
            self.root = local
        if local == "row" and self.in_data:
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() and len(r) <= 8 else self.row + 1
            self.column = 0
            if self.row > self.limits.rows:
                raise self.too_far(f"{self.row}:{self.row}")
            self.max_row = max(self.max_row, self.row)
        elif local == "sheetData":
            self.in_data = True
        elif local in ("dimension", "mergeCell", "hyperlink", "f") and "ref" in attrs:
            self.reach(attrs["ref"])
            if local == "mergeCell":
                self.merged += 1
                if self.merged > self.limits.merged:
                    raise UnsafeWorkbook(
                        self.check.say_sheet(self.part, _("more than %(limit)s merged ranges."))
                        % {"limit": self.limits.merged}
                    )
        elif local == "si" and self.root == "sst":
            self.in_si, self.si_chars = True, 0
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                raise UnsafeWorkbook(
                    self.check.say(_("more than %(limit)s shared strings."))
                    % {"limit": self.limits.shared_strings}
                )
        elif local == "sheet" and self.root == "workbook":
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            self.seen[rid] = attrs.get("name", "")
        elif local == "Relationship" and self.root == "Relationships":
            self.seen[attrs.get("Id", "")] = attrs.get("Target", "")

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.in_v and (name == "v" or name[-2:] == ":v"):
            self.in_v = False
            digits = self.v_text.strip()
            at = int(digits) if digits.isdigit() and len(digits) <= 9 else -1
            if 0 <= at < len(self.shared):  # a shared string is copied into every cell using it
                self.chars += self.shared[at]
                if self.chars > self.limits.text_chars:
                    raise self.too_much_text()
        elif self.in_si and (name == "si" or name[-3:] == ":si"):
            self.in_si = False
            self.shared.append(self.si_chars)
        elif self.in_data and name[-9:] == "sheetData":
            self.in_data = False

    def finish(self) -> None:
        area = self.max_row * self.max_column
        if area > self.limits.area:
            raise UnsafeWorkbook(
                self.check.say_sheet(
                    self.part,
                    _(
                        "the cells span %(area)s grid cells from A1; "
                        "at most %(limit)s are accepted."
                    ),
                )
                % {"area": area, "limit": self.limits.area}
            )


class _Checker:
    def __init__(self, content: bytes, name: str, limits: Limits) -> None:
        self.content, self.name, self.limits = content, name, limits
        self.sheet_names: dict[str, str] = {}  # part path → sheet name, for messages
        self.shared_lengths: list[int] = []  # characters of each shared string
        self.unpacked = 0

    def say(self, message: str) -> str:
        return _("%(file)s: ") % {"file": self.name} + message

    def say_sheet(self, part: str, message: str) -> str:
        sheet = self.sheet_names.get(part, part)
        return _("%(file)s, sheet %(sheet)s: ") % {"file": self.name, "sheet": sheet} + message

    def refuse(self, message: str, **values: Any) -> UnsafeWorkbook:
        return UnsafeWorkbook(self.say(message) % values if values else self.say(message))

    def directory(self) -> list[zipfile.ZipInfo]:
        limits = self.limits
        if len(self.content) > limits.file_bytes:
            raise self.refuse(
                _("the file is larger than %(limit)s MB."), limit=limits.file_bytes // MB
            )
        tail = self.content[-(65536 + 22) :]
        at = tail.rfind(b"PK\x05\x06")
        if not self.content.startswith(b"PK\x03\x04") or at < 0 or len(tail) - at < 22:
            raise self.refuse(_("not a readable .xlsx file."))
        entries, size = struct.unpack("<HI", tail[at + 10 : at + 16])
        if entries > limits.members or entries == 0xFFFF:
            raise self.refuse(
                _("the workbook has more than %(limit)s parts."), limit=limits.members
            )
        if size > limits.directory_bytes:
            raise self.refuse(_("not a readable .xlsx file."))
        try:
            infos = zipfile.ZipFile(_Bytes(self.content)).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise self.refuse(_("not a readable .xlsx file.")) from exc
        if len(infos) > limits.members:
            raise self.refuse(
                _("the workbook has more than %(limit)s parts."), limit=limits.members
            )
        return infos

    def screen(self, infos: list[zipfile.ZipInfo]) -> None:
        names = {i.filename.lower() for i in infos}
        if any(n.startswith("xl/externallinks/") for n in names):
            raise self.refuse(
                _(
                    "the workbook links to other workbooks (external links); "
                    "remove the links and save it again."
                )
            )
        if any(n.rpartition("/")[2] == "vbaproject.bin" for n in names):
            raise self.refuse(
                _("the workbook contains macros; save it as a workbook without macros (.xlsx).")
            )
        if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
            raise self.refuse(_("not a readable .xlsx file."))
        declared = 0
        for info in infos:
            if info.flag_bits & 0x1 or info.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                raise self.refuse(_("not a readable .xlsx file."))
            self.part_size(info.filename, info.file_size, info.compress_size)
            declared += info.file_size
            if declared > self.limits.total_bytes:
                raise self.refuse(
                    _("the workbook unpacks to more than %(limit)s MB."),
                    limit=self.limits.total_bytes // MB,
                )

    def part_size(self, part: str, size: int, packed: int) -> None:
        limits = self.limits
        if size > limits.part_bytes:
            raise self.refuse(
                _("part %(part)s unpacks to more than %(limit)s MB."),
                part=part,
                limit=limits.part_bytes // MB,
            )
        if size > RATIO_FROM and size > limits.ratio * max(packed, 1):
            raise self.refuse(
                _("part %(part)s is packed more than %(limit)s times over, as a zip bomb is."),
                part=part,
                limit=limits.ratio,
            )

    def unpack(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes, inflated here, never more than the directory declares."""
        start = info.header_offset
        head = self.content[start : start + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise self.refuse(_("not a readable .xlsx file."))
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        begin = start + 30 + name_len + extra_len
        raw = memoryview(self.content)[begin : begin + info.compress_size]
        if len(raw) != info.compress_size:
            raise self.refuse(_("not a readable .xlsx file."))
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        total = crc = 0
        for at in range(0, len(raw), CHUNK):
            piece = bytes(raw[at : at + CHUNK])
            while piece:
                if inflate is None:
                    out, piece = piece, b""
                else:
                    out = inflate.decompress(piece, CHUNK)
                    piece = inflate.unconsumed_tail
                total += len(out)
                self.unpacked += len(out)
                if total > info.file_size:
                    raise self.refuse(_("not a readable .xlsx file."))
                crc = zlib.crc32(out, crc)
                if out:
                    yield out
        if inflate is not None and not inflate.eof:
            raise self.refuse(_("not a readable .xlsx file."))
        if total != info.file_size or crc != info.CRC:
            raise self.refuse(_("not a readable .xlsx file."))

    def scan(self, info: zipfile.ZipInfo) -> _Part:
        part = _Part(self, info.filename)
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = part.refuse_dtd
        parser.EntityDeclHandler = part.refuse_dtd
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = part.start
        parser.EndElementHandler = part.end
        parser.CharacterDataHandler = part.text
        parser.buffer_text = True
        try:
            for chunk in self.unpack(info):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise self.refuse(
                _("part %(part)s is not well-formed XML."), part=info.filename
            ) from exc
        part.finish()
        return part

    def run(self) -> None:
        infos = self.directory()
        self.screen(infos)
        by_name = {i.filename: i for i in infos}
        # the workbook and its relationships first: they name the sheets for the messages
        book = self.scan(by_name["xl/workbook.xml"])
        rels = by_name.get("xl/_rels/workbook.xml.rels")
        targets = self.scan(rels).seen if rels is not None else {}
        for rid, sheet in book.seen.items():
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else join("xl", target)
            self.sheet_names[normpath(path)] = sheet
        missing = [p for p in self.sheet_names if p not in by_name]
        if missing:
            raise self.refuse(_("not a readable .xlsx file."))
        # shared strings before the sheets: a sheet's text counts each string it uses
        infos.sort(key=lambda i: not i.filename.lower().endswith("sharedstrings.xml"))
        for info in infos:
            if info in (by_name["xl/workbook.xml"], rels):
                continue
            if info.filename in self.sheet_names or _looks_like_xml(info, self):
                self.scan(info)
            else:
                for _chunk in self.unpack(info):
                    pass
        if self.unpacked > self.limits.total_bytes:
            raise self.refuse(
                _("the workbook unpacks to more than %(limit)s MB."),
                limit=self.limits.total_bytes // MB,
            )


def _looks_like_xml(info: zipfile.ZipInfo, checker: _Checker) -> bool:
    """Parts named .xml/.rels, or whose first bytes are markup (VML is not XML: skipped)."""
    name = info.filename.lower()
    if name.endswith((".xml", ".rels")):
        return True
    if name.endswith(".vml") or dirname(name).endswith("media"):
        return False
    first = next(checker.unpack(info), b"")
    return first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


class _Bytes:
    """A read-only file over bytes for zipfile, without copying them into a BytesIO."""

    def __init__(self, content: bytes) -> None:
        self.view, self.at = memoryview(content), 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self.at, len(self.view))[whence]
        self.at = max(0, base + offset)
        return self.at

    def tell(self) -> int:
        return self.at

    def read(self, n: int = -1) -> bytes:
        end = len(self.view) if n is None or n < 0 else self.at + n
        data = bytes(self.view[self.at : end])
        self.at += len(data)
        return data

    def seekable(self) -> bool:
        return True


def check_xlsx(content: bytes, name: str, limits: Limits = SHEET_LIMITS) -> None:
    """Raise UnsafeWorkbook (a Chinese message naming the file and sheet) unless ``content``
    is an .xlsx within ``limits``. Reads the bytes only; nothing is allocated by what the
    file claims."""
    checker = _Checker(content, name, limits)
    try:
        checker.run()
    except UnsafeWorkbook:
        raise
    except (zlib.error, struct.error, zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise checker.refuse(_("not a readable .xlsx file.")) from exc
