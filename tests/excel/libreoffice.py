"""Re-save a workbook with LibreOffice Calc, as an office that edits in LibreOffice would."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")


def resave(content: bytes) -> bytes:
    if SOFFICE is None:
        if os.environ.get("KAOHE_REQUIRE_BROWSER"):  # `make test` installs LibreOffice too
            pytest.fail("soffice is missing (apt-get install libreoffice-calc)")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in" / "book.xlsx"
        source.parent.mkdir()
        source.write_bytes(content)
        profile = Path(folder) / "profile"
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(Path(folder) / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(folder) / "out" / "book.xlsx").read_bytes()
