"""Files for the declaration tests: real PDFs, images, Office Open XML packages, OLE blobs."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00" + b"\x00" * 400
OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504

MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}
MACRO_MAIN = {
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    "xlsm": ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "pptm": (
        "ppt/presentation.xml",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    ),
}


def ooxml(kind: str, *, vba: bool = False, macro_type: bool = False) -> bytes:
    """A minimal Office Open XML package: macro-free, or with a VBA project and/or the
    macro-enabled main content type."""
    if macro_type:
        part, content_type = MACRO_MAIN[kind]
    else:
        part, suffix = MAIN[kind]
        content_type = f"application/vnd.openxmlformats-officedocument.{suffix}"
    folder = part.split("/")[0]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(part, "<document/>")
        if vba:
            package.writestr(f"{folder}/vbaProject.bin", OLE)
    return buffer.getvalue()
