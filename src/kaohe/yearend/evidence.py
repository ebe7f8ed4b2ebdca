"""Evidence uploads: limited by size and type, recognised by content, stored under generated
names outside the static root, and checked against their SHA-256 when served.

Accepted: PDF, PNG, JPEG, GIF and macro-free Office Open XML (.docx, .xlsx, .pptx). Refused:
macro-enabled Office files (.docm, .xlsm, .pptm …, or any OOXML package holding a VBA
project or ActiveX controls) and legacy OLE files (.doc, .xls, .ppt), which can carry macros
that cannot be told apart without parsing them.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# content type → the file name suffixes it may carry
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
}
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .doc / .xls / .ppt and other OLE blobs
MACRO_SUFFIXES = {
    ".docm",
    ".dotm",
    ".xlsm",
    ".xltm",
    ".xlam",
    ".xlsb",
    ".pptm",
    ".potm",
    ".ppsm",
    ".ppam",
}
# the main part's content type inside [Content_Types].xml says which Office file it is
_OOXML_MAIN = {
    b"wordprocessingml.document.main+xml": DOCX,
    b"spreadsheetml.sheet.main+xml": XLSX,
    b"presentationml.presentation.main+xml": PPTX,
}
_OOXML_MEMBERS_MAX = 10_000  # a real document has tens to a few thousand parts
_CONTENT_TYPES_MAX = 1024 * 1024


class EvidenceError(ValueError):
    """A refused file, with a message for the user."""


class EvidenceMismatch(EvidenceError):
    """A stored file whose bytes no longer match its recorded SHA-256."""


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check, not yet written."""

    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _not_a_document(name: str) -> EvidenceError:
    return EvidenceError(
        _("%(name)s is not a PDF, an image or an Office file (checked by its content).")
        % {"name": name}
    )


def _macros(name: str) -> EvidenceError:
    return EvidenceError(
        _(
            "%(name)s is a macro-enabled or legacy Office file (.docm, .xlsm, .pptm, .doc, "
            ".xls, .ppt); save it as PDF or as .docx, .xlsx or .pptx."
        )
        % {"name": name}
    )


def _ooxml_type(data: bytes, name: str) -> str:
    """The Office Open XML type of a zip package, refusing VBA projects and ActiveX."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > _OOXML_MEMBERS_MAX:
                raise _not_a_document(name)
            for member in members:
                lowered = member.filename.lower()
                if lowered.endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in (
                    "/" + lowered
                ):
                    raise _macros(name)
            types = next((m for m in members if m.filename == "[Content_Types].xml"), None)
            if types is None or types.file_size > _CONTENT_TYPES_MAX:
                raise _not_a_document(name)
            with package.open(types) as handle:
                declared = handle.read(_CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise _not_a_document(name) from None
    lowered_types = declared.lower()
    if b"macroenabled" in lowered_types or b"vbaproject" in lowered_types:
        raise _macros(name)
    for marker, content_type in _OOXML_MAIN.items():
        if marker in declared:
            return content_type
    raise _not_a_document(name)


def sniff(data: bytes, name: str) -> str:
    """The content type the bytes really are, if an allowed one whose suffix the name
    carries; else EvidenceError."""
    suffix = Path(name).suffix.lower()
    if suffix in MACRO_SUFFIXES or data.startswith(OLE_MAGIC):
        raise _macros(name)
    if data.startswith(b"PK\x03\x04"):
        content_type = _ooxml_type(data, name)
    else:
        kind = filetype.guess(data[:8192])
        if kind is None or kind.mime not in ALLOWED:
            raise _not_a_document(name)
        content_type = str(kind.mime)
    if suffix not in ALLOWED[content_type]:
        raise EvidenceError(
            _("The name %(name)s does not match its content (%(suffix)s expected).")
            % {"name": name, "suffix": ", ".join(ALLOWED[content_type])}
        )
    return content_type


def check(upload: UploadedFile[Any]) -> Checked:
    """Check an upload without writing it: size, emptiness, content type."""
    name = (upload.name or "file")[:200]
    size = upload.size or 0
    limit = settings.EVIDENCE_MAX_BYTES
    too_large = EvidenceError(
        _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)}
    )
    if size > limit:
        raise too_large
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise EvidenceError(_("%(name)s is empty.") % {"name": name})
    return Checked(name, data, sniff(data, name), hashlib.sha256(data).hexdigest())


def write(item: Checked) -> str:
    """Write a checked upload under a new generated name; the name."""
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    with (root / stored).open("xb") as handle:
        handle.write(item.data)
    return stored


def remove(stored_names: list[str]) -> None:
    """Remove files written for a change that was then refused (nothing half-saved)."""
    for stored in stored_names:
        path_of(stored).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / stored_name


def read_verified(stored_name: str, sha256: str) -> bytes:
    """The stored bytes, if they still match the recorded SHA-256 (served from this very
    read, so what was checked is what is sent)."""
    data = path_of(stored_name).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceMismatch(
            _(
                "This file was changed on the server after it was uploaded (its SHA-256 does "
                "not match); it is not served. This is recorded in the audit log."
            )
        )
    return data
