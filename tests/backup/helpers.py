"""Running `kaohe` as an office's IT staff would: separate processes, each told its database
and evidence folder by the environment, so a backup and its restore never share a connection."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaohe.backup.archive import read_archive, write_archive

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("KAOHE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
AUDIT_KEY = "backup-tests-audit-key"
# variables the suite's own process may carry and the commands must not inherit
CLEARED = ("DATABASE_URL", "KAOHE_VAR_DIR", "KAOHE_EVIDENCE_DIR", "KAOHE_TEST_DB_NAME")


@dataclass
class Place:
    """A database (SQLite under ``var``, or a PostgreSQL database) and its evidence folder."""

    var: Path
    database_url: str | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env |= {
            "KAOHE_VAR_DIR": str(self.var),
            "KAOHE_AUDIT_KEY": AUDIT_KEY,
            "DJANGO_SETTINGS_MODULE": "kaohe.settings",
            "PYTHONPATH": str(ROOT),
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    @property
    def evidence(self) -> Path:
        return self.var / "evidence"

    @property
    def sqlite(self) -> Path:
        return self.var / "kaohe.sqlite3"

    def kaohe(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        self.var.parent.mkdir(parents=True, exist_ok=True)
        return subprocess.run(
            [sys.executable, "-m", "kaohe.cli", *args],
            env=self.env | env,
            cwd=self.var.parent,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def python(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.backup.world", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    def build_world(self) -> None:
        self.python()


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except Exception:
        return False
    return True


def postgres_database(tag: str) -> tuple[str, Callable[[], None]]:
    """A new empty PostgreSQL database (unique: helpers share the server) and its dropper."""
    import psycopg

    name = f"kaohe_backup_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = POSTGRES.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{admin.rsplit('/', 1)[0]}/{name}", drop


def postgres_tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def resealed(source: Path, target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of an archive whose manifest ``change`` edits, sealed again (every member hash and
    the archive checksum correct): what someone who knows the format could forge."""
    archive = read_archive(source)
    manifest = json.loads(json.dumps(archive.manifest))
    change(manifest)
    members = manifest.pop("members")
    with tempfile.TemporaryDirectory() as work:
        files = []
        for name in members:
            path = Path(work) / name.replace("/", "_")
            archive.extract(name, path)
            files.append((name, path))
        with target.open("xb") as out:
            write_archive(out, manifest, files)
    return target


def without_member(source: Path, target: Path, drop: str) -> Path:
    """The archive with one member left out and everything else byte for byte."""
    with tarfile.open(source) as tar, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
        for info in tar.getmembers():
            if info.name != f"kaohe-backup/{drop}":
                out.addfile(info, tar.extractfile(info))
    return target


def with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """The archive with one more member, added before the checksum member."""
    import io

    with tarfile.open(source) as tar, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
        infos = tar.getmembers()
        for info in infos[:-1]:
            out.addfile(info, tar.extractfile(info))
        extra = tarfile.TarInfo(f"kaohe-backup/{name}")
        extra.size = len(data)
        out.addfile(extra, io.BytesIO(data))
        out.addfile(infos[-1], tar.extractfile(infos[-1]))
    return target
