"""The published results as PDF — the notice (公示) and the results-use lists (结果运用) —
rendered once at publication by a background job and kept under the var directory; a reader
is served the kept file, rendered on demand only when no job has made it yet."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from kaohe.yearend.exports import results_pdf
from kaohe.yearend.models import Closing

TEMPLATES = {"notice": "web/notice_pdf.html", "use": "web/use_pdf.html"}


def pdf_path(closing: Closing, document: str) -> Path:
    """One file per document and publication: republishing after a reopening makes new ones."""
    published = closing.published_at.strftime("%Y%m%d%H%M%S") if closing.published_at else "x"
    name = f"{document}-{closing.year.year}-{published}-{closing.results_sha256[:12]}.pdf"
    return Path(settings.NOTICE_ROOT) / name


def pdf_context(closing: Closing) -> dict[str, Any]:
    from .closing import tables

    figures = closing.results or {}  # a published closing always has its figures
    return {
        "closing": closing,
        "year": closing.year,
        "tables": tables(closing.year, figures),
        "escalations": figures.get("escalations", []),
        "units": figures.get("units", {}),
    }


def build_pdf(closing: Closing, document: str) -> Path:
    """Render and keep one document; written to a temporary file and renamed, so a reader
    never gets half a file."""
    path = pdf_path(closing, document)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = results_pdf(render_to_string(TEMPLATES[document], pdf_context(closing)))
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as out:
        out.write(data)
    os.replace(out.name, path)
    return path


def pdf_bytes(closing: Closing, document: str) -> bytes:
    """The kept file when there is one; otherwise rendered (and kept) now."""
    path = pdf_path(closing, document)
    if not path.is_file():
        path = build_pdf(closing, document)
    return path.read_bytes()
