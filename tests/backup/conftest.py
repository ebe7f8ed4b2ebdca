"""One tiny district written by `tests.backup.world` and backed up once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import Place


@pytest.fixture(scope="session")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory) -> Place:
    place = Place(tmp_path_factory.mktemp("source") / "var")
    place.build_world()
    return place


@pytest.fixture(scope="session")
def sqlite_archive(sqlite_source: Place) -> Path:
    archive = sqlite_source.var.parent / "backup.tar"
    done = sqlite_source.kaohe("backup", "-o", str(archive))
    assert done.returncode == 0, done.stderr
    return archive
