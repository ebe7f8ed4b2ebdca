"""Writing a backup: one transaction in which the native snapshot, the portable dump, the
counts and the audit head are all taken from the same state of the database."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kaohe.audit.chain import audit_key
from kaohe.audit.models import AuditHead
from kaohe.audit.services import verify_chain
from kaohe.yearend.models import Evidence

from . import portable
from .archive import SAFE_NAME, sha256_file, write_archive

SQLITE_MEMBER = "database/sqlite3.gz"
POSTGRES_MEMBER = "database/postgresql.pgdump"
PORTABLE_MEMBER = "database/portable.jsonl.gz"


class BackupError(Exception):
    """The backup could not be written; the message (Chinese) says why. Nothing is left."""


@dataclass
class BackupResult:
    path: Path
    checksum: str
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def key_id() -> str:
    """Names the audit key without revealing it: restore compares it with its own."""
    return hmac.new(audit_key(), b"kaohe audit key id", hashlib.sha256).hexdigest()[:16]


def engine_of(using: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型 {vendor}")
    return vendor


def create_backup(output: Path, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the archive to ``output`` (which must not exist): written under a temporary name
    in the same folder and renamed at the end, so a failed backup leaves nothing."""
    if output.exists():
        raise BackupError(f"{output} 已存在;请换一个文件名(备份不覆盖已有文件)")
    if not output.parent.is_dir():
        raise BackupError(f"文件夹 {output.parent} 不存在")
    engine = engine_of(using)
    with tempfile.TemporaryDirectory(prefix="kaohe-backup-", dir=output.parent) as work:
        folder = Path(work)
        with _consistent(using):
            snapshot = _snapshot(folder, engine, using)
            with (folder / "portable.jsonl.gz").open("wb") as out:
                counts = portable.dump(out, using)
            audit = _audit(using)
            applied = sorted(
                f"{app}.{name}"
                for app, name in MigrationRecorder(connections[using]).applied_migrations()
            )
            recorded = {
                e.stored_name: e.sha256
                for e in Evidence.objects.using(using).only("stored_name", "sha256")
            }
        files, problems = _evidence(recorded)
        warnings = [] if audit["intact"] else [f"审计链核验未通过:{audit['verdict']}(照原样备份)"]
        warnings += problems
        manifest = {
            "format": "kaohe-backup",
            "version": 1,
            "created_at": timezone.now().isoformat(),
            "database": {
                "engine": engine,
                "snapshot": snapshot[0],
                "portable": PORTABLE_MEMBER,
                "migrations": applied,
            },
            "counts": counts,
            "audit": audit,
            "evidence": {
                "files": len(files),
                "bytes": sum(p.stat().st_size for _, p in files),
                "problems": problems,
            },
        }
        members = [snapshot, (PORTABLE_MEMBER, folder / "portable.jsonl.gz"), *files]
        partial = folder / "archive.partial"
        with partial.open("xb") as handle:
            checksum = write_archive(handle, manifest, members)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)  # same folder: the archive appears whole or not at all
    return BackupResult(output, checksum, manifest, warnings)


@contextmanager
def _consistent(using: str) -> Iterator[None]:
    """One transaction that no audited write can interleave with: on SQLite the write lock
    (BEGIN IMMEDIATE), on PostgreSQL a repeatable-read snapshot taken after a share lock on
    the audit head, which every write updates."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                head = connection.ops.quote_name(AuditHead._meta.db_table)
                cursor.execute(f"LOCK TABLE {head} IN SHARE MODE")
        # SQLite: Django's settings begin every transaction IMMEDIATE, at once: locked already
        yield


def _snapshot(folder: Path, engine: str, using: str) -> tuple[str, Path]:
    connection = connections[using]
    if engine == "sqlite":
        raw = folder / "snapshot.sqlite3"
        # The online backup API, read by a second connection: ours holds the write lock (no
        # write can interleave), and SQLite refuses to copy from a connection holding it.
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
        target = sqlite3.connect(raw)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        packed = folder / "sqlite3.gz"
        with raw.open("rb") as src, gzip.GzipFile(packed, "wb", mtime=0) as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        raw.unlink()
        return SQLITE_MEMBER, packed
    path = folder / "postgresql.pgdump"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
    command, env = pg_command("pg_dump", connection.settings_dict)
    command += ["--format=custom", f"--snapshot={snapshot_id}", f"--file={path}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败:{done.stderr.strip() or done.returncode}")
    return POSTGRES_MEMBER, path


def pg_command(program: str, db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The PostgreSQL client with the connection of Django's settings (password by
    environment, never on the command line)."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"找不到 {program}:请安装 PostgreSQL 客户端(postgresql-client)")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    command = [found, f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        command.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        command.append(f"--port={db['PORT']}")
    if db.get("USER"):
        command.append(f"--username={db['USER']}")
    return command, env


def _audit(using: str) -> dict[str, Any]:
    head = AuditHead.objects.using(using).filter(pk=1).first()
    report = verify_chain(using=using)
    return {
        "count": head.count if head else 0,
        "last_id": head.last_id if head else None,
        "last_hash": head.last_hash if head else None,
        "intact": report.ok,
        "checked": report.checked,
        "verdict": report.verdict(),
        "key_id": key_id(),
        "dev_key": bool(settings.KAOHE_AUDIT_DEV_KEY),
    }


def _evidence(recorded: dict[str, str]) -> tuple[list[tuple[str, Path]], list[str]]:
    """Every file of the evidence folder, and what does not match the database's records."""
    root = Path(settings.EVIDENCE_ROOT)
    files: list[tuple[str, Path]] = []
    problems: list[str] = []
    present: set[str] = set()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_dir() and not path.is_symlink():
                continue
            if (
                path.is_symlink()
                or not path.is_file()
                or not SAFE_NAME.match(f"evidence/{relative}")
            ):
                problems.append(f"证据文件夹中的 {relative} 不是普通证据文件,未备份")
                continue
            files.append((f"evidence/{relative}", path))
            present.add(relative)
    hashes = {name: sha256_file(path) for name, path in files}
    for stored, sha in sorted(recorded.items()):
        if stored not in present:
            problems.append(f"数据库记载的证据文件 {stored} 不在证据文件夹中")
        elif hashes[f"evidence/{stored}"] != sha:
            problems.append(f"证据文件 {stored} 的 SHA-256 与数据库记载不符(照原样备份)")
    return files, problems
