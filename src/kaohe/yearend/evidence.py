"""Evidence uploads: limited by size and type, recognised by content, stored under generated
names outside the static root."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .doc / .xls / .ppt
OLE_SUFFIXES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


class EvidenceError(ValueError):
    pass


def sniff(head: bytes, name: str) -> str:
    """The content type the bytes really are, if it is an allowed one; else EvidenceError."""
    suffix = Path(name).suffix.lower()
    if head.startswith(OLE_MAGIC) and suffix in OLE_SUFFIXES:
        return OLE_SUFFIXES[suffix]
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise EvidenceError(
            _("%(name)s is not a PDF, an image or an Office file (checked by its content).")
            % {"name": name}
        )
    return str(kind.mime)


def store(upload: UploadedFile[Any]) -> tuple[str, str, int, str]:
    """Check and save an upload: (stored name, content type, size, sha256)."""
    name = upload.name or "file"
    size = upload.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise EvidenceError(_("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit})
    data = upload.read()
    if not data:
        raise EvidenceError(_("%(name)s is empty.") % {"name": name})
    content_type = sniff(data[:8192], name)
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (root / stored).write_bytes(data)
    return stored, content_type, len(data), hashlib.sha256(data).hexdigest()


def path_of(stored_name: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / stored_name
