"""Restoring a backup into an empty database and an empty evidence folder, all or nothing:
the archive is checked completely first; the database is built in a temporary SQLite file
(renamed into place) or inside one PostgreSQL transaction (committed last), the files in a
temporary folder (moved into place); both are verified — counts, audit chain and head, every
file's SHA-256 — before anything is moved or committed."""

from __future__ import annotations

import gzip
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from kaohe.audit.models import AuditHead
from kaohe.audit.services import verify_chain
from kaohe.yearend.models import Evidence

from . import portable
from .archive import Archive, read_archive, sha256_file
from .create import SQLITE_MEMBER, key_id


class RestoreError(Exception):
    """Restore refused or failed before anything was put in place; the message is Chinese."""


@dataclass
class RestoreReport:
    archive: Archive
    target: str
    evidence_root: Path
    route: str
    lines: list[str] = field(default_factory=list)


def restore_backup(path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Check ``path``, restore it into the empty database ``using`` and the empty evidence
    folder, verify, and put both in place; or raise (ArchiveError, RestoreError) leaving them
    as they were."""
    archive = read_archive(path)
    manifest = archive.manifest
    connection = connections[using]
    engine = connection.vendor
    root = Path(settings.EVIDENCE_ROOT)
    problems = _not_empty(using, root)
    if problems:
        raise RestoreError(
            "目标不为空,拒绝恢复(恢复只写入空数据库与空证据文件夹):" + ";".join(problems)
        )
    if manifest["audit"].get("key_id") != key_id():
        raise RestoreError(
            "本机的 KAOHE_AUDIT_KEY 与备份时所用的审计密钥不同,恢复后审计链将无法核验;"
            "请设置备份时的 KAOHE_AUDIT_KEY 后再恢复"
        )
    _check_migrations(manifest)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restoring-", dir=root.parent))
    try:
        dump = staging / "portable.jsonl.gz"
        _extract(archive, manifest["database"]["portable"], dump)
        _check_dump(dump, manifest)
        files = staging / "evidence"
        files.mkdir()
        for name in archive.evidence:
            _extract(archive, name, files / name.removeprefix("evidence/"))
        if engine == "sqlite":
            report = _restore_sqlite(archive, using, dump, files, root)
        else:
            report = _restore_postgres(archive, using, dump, files, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _not_empty(using: str, root: Path) -> list[str]:
    problems = []
    connection = connections[using]
    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        tables = _sqlite_tables(db)
        if tables:
            problems.append(f"SQLite 数据库 {db} 已有 {len(tables)} 张表({'、'.join(tables[:3])}…)")
        for suffix in ("-wal", "-journal"):
            side = Path(f"{db}{suffix}")
            if side.exists() and side.stat().st_size:
                problems.append(f"{side} 存在且不为空")
    else:
        try:
            tables = sorted(connection.introspection.table_names())
        except DatabaseError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RestoreError(
                f"无法打开 PostgreSQL 数据库 '{connection.settings_dict['NAME']}'({reason});"
                "请先用 createdb 建一个空数据库,并在 DATABASE_URL 中指明"
            ) from exc
        if tables:
            where = f"'{connection.settings_dict['NAME']}'"
            problems.append(
                f"PostgreSQL 数据库 {where} 已有 {len(tables)} 张表({'、'.join(tables[:3])}…)"
            )
    if root.exists():
        if not root.is_dir():
            problems.append(f"证据文件夹 {root} 不是文件夹")
        else:
            entries = list(root.iterdir())
            if entries:
                problems.append(f"证据文件夹 {root} 已有 {len(entries)} 个文件")
    return problems


def _sqlite_tables(db: Path) -> list[str]:
    if not db.exists() or not db.stat().st_size:
        return []
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        return [f"无法读取:{exc}"]
    return sorted(str(r[0]) for r in rows)


def _check_migrations(manifest: dict[str, Any]) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)  # the code's, not a database's
    ours = {f"{app}.{name}" for app, name in loader.graph.nodes}
    theirs = set(manifest["database"]["migrations"])
    if ours != theirs:
        extra = sorted(theirs - ours)[:3]
        missing = sorted(ours - theirs)[:3]
        raise RestoreError(
            "备份所用 Kaohe 版本的数据库迁移与本程序不同"
            + (f"(备份有而本程序无:{'、'.join(extra)})" if extra else "")
            + (f"(本程序有而备份无:{'、'.join(missing)})" if missing else "")
            + ";请用写出该备份的同一版本恢复,再升级"
        )


def _extract(archive: Archive, name: str, target: Path) -> None:
    sha = archive.extract(name, target)
    if sha != archive.manifest["members"][name]["sha256"]:  # changed since it was checked
        raise RestoreError(f"成员 {name} 在恢复过程中读出的内容与清单不符")


def _check_dump(dump: Path, manifest: dict[str, Any]) -> None:
    tables = portable.scan(dump)
    counts = manifest["counts"]
    wrong = [
        t
        for t in sorted(set(tables) | set(counts))
        if t not in tables
        or t not in counts
        or not tables[t]["count"] == tables[t]["rows"] == counts[t]
    ]
    if wrong:
        raise RestoreError(f"档案内部不一致:可移植转储与清单的记录数不同({'、'.join(wrong[:5])})")
    differences = portable.check_fields(tables)
    if differences:
        raise RestoreError("备份的表结构与本程序不同:" + ";".join(differences[:5]))


# -- SQLite: build a temporary file, verify it, rename it into place -----------------------


@contextmanager
def _pointed_at(db: Path, using: str) -> Iterator[str]:
    """The connection ``using`` on the temporary SQLite file while it is built and checked,
    then back on the target path. The alias itself, not a second one: migrations that read
    data (yearend 0003) use the default connection."""
    connection = connections[using]
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(db)
    try:
        yield using
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name


def _restore_sqlite(
    archive: Archive, using: str, dump: Path, files: Path, root: Path
) -> RestoreReport:
    manifest = archive.manifest
    db = Path(connections[using].settings_dict["NAME"])
    db.parent.mkdir(parents=True, exist_ok=True)
    temp = db.parent / f".{db.name}.restoring-{secrets.token_hex(4)}"
    try:
        with _pointed_at(temp, using) as alias:
            if manifest["database"]["snapshot"] == SQLITE_MEMBER:
                route = "SQLite 快照(在线备份 API)"
                _unpack_sqlite(archive, temp)
            else:
                route = "可移植转储(从 PostgreSQL 跨库恢复)"
                call_command("migrate", database=alias, verbosity=0, interactive=False)
                with transaction.atomic(using=alias):
                    portable.load(dump, alias)
            lines = _verify(alias, manifest, files)
            with connections[alias].cursor() as cursor:  # one self-contained file, no WAL beside it
                cursor.execute("PRAGMA journal_mode=DELETE")
        _move_evidence(files, root)
        try:
            os.replace(temp, db)
        except OSError:
            _unmove_evidence(root)
            raise
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm"), Path(f"{temp}-journal")):
            leftover.unlink(missing_ok=True)
    return RestoreReport(archive, f"SQLite 数据库 {db}", root, route, lines)


def _unpack_sqlite(archive: Archive, temp: Path) -> None:
    packed = temp.with_name(temp.name + ".gz")
    try:
        archive.extract(SQLITE_MEMBER, packed)
        with gzip.open(packed, "rb") as src, temp.open("xb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
    finally:
        packed.unlink(missing_ok=True)


# -- PostgreSQL: one transaction, committed after the verification ------------------------


def _restore_postgres(
    archive: Archive, using: str, dump: Path, files: Path, root: Path
) -> RestoreReport:
    manifest = archive.manifest
    route = (
        "可移植转储(从 SQLite 跨库恢复)"
        if manifest["database"]["engine"] == "sqlite"
        else "可移植转储(PostgreSQL,单一事务)"
    )
    moved = False
    try:
        with transaction.atomic(using=using):
            call_command("migrate", database=using, verbosity=0, interactive=False)
            portable.load(dump, using)
            lines = _verify(using, manifest, files)
            _move_evidence(files, root)
            moved = True
    except BaseException:
        if moved:
            _unmove_evidence(root)
        raise
    db = connections[using].settings_dict
    target = f"PostgreSQL 数据库 '{db['NAME']}'({db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432})"
    return RestoreReport(archive, target, root, route, lines)


# -- verification and the evidence folder -------------------------------------------------


def _verify(alias: str, manifest: dict[str, Any], files: Path) -> list[str]:
    """Counts, audit chain and head, evidence checksums: the lines to print, or RestoreError."""
    problems: list[str] = []
    counts = manifest["counts"]
    for model in portable.record_models():
        table = model._meta.db_table
        found = model._base_manager.using(alias).count()
        if found != counts.get(table):
            problems.append(f"表 {table} 恢复后 {found} 条,备份时 {counts.get(table)} 条")
    audit = manifest["audit"]
    head = AuditHead.objects.using(alias).filter(pk=1).first()
    now = (head.count, head.last_id, head.last_hash) if head else (0, None, None)
    if now != (audit["count"], audit["last_id"], audit["last_hash"]):
        problems.append(
            f"审计链头恢复后为 {now},备份时为 {audit['count'], audit['last_id'], audit['last_hash']}"
        )
    report = verify_chain(using=alias)
    if report.ok != audit["intact"] or report.checked != audit["checked"]:
        problems.append(f"恢复后审计核验结果与备份时不同:{report.verdict()}")
    members = manifest["members"]
    changed = [
        path.name
        for path in sorted(files.iterdir())
        if sha256_file(path) != members[f"evidence/{path.name}"]["sha256"]
    ]
    if changed:
        problems.append(f"证据文件 SHA-256 与备份清单不符:{'、'.join(changed[:5])}")
    unmatched = _rows_without_files(alias, files)
    expected = [p for p in manifest["evidence"]["problems"] if "数据库记载" in p]
    if len(unmatched) != len(expected):
        problems.append(f"证据文件与数据库记载不符:{'、'.join(unmatched[:5])}")
    if problems:
        raise RestoreError("恢复后的核验未通过,未恢复任何内容:" + ";".join(problems))
    total = sum(counts.values())
    rows = Evidence.objects.using(alias).count()
    files_count = len(list(files.iterdir()))
    chain = (
        f"完整,{report.checked} 条记录"
        if report.ok
        else f"与备份时相同的结果(备份时已未通过):{report.verdict()}"
    )
    lines = [
        f"记录数:{len(counts)} 张表逐表与备份清单一致,共 {total} 条记录。",
        f"审计链:{chain};链头哈希 {audit['last_hash']} 与备份时相同。",
        f"证据文件:{files_count} 个,SHA-256 逐个与备份清单一致;数据库中的 {rows} 条证据记录"
        + (
            "均有对应文件且校验和一致。"
            if not expected
            else f"中有 {len(expected)} 条在备份时已不一致(见清单)。"
        ),
    ]
    return lines


def _rows_without_files(alias: str, files: Path) -> list[str]:
    wrong = []
    for stored, sha in Evidence.objects.using(alias).values_list("stored_name", "sha256"):
        path = files / stored
        if not path.is_file() or sha256_file(path) != sha:
            wrong.append(stored)
    return wrong


def _move_evidence(files: Path, root: Path) -> None:
    if root.exists():
        root.rmdir()  # checked empty before
    os.replace(files, root)


def _unmove_evidence(root: Path) -> None:
    with suppress(OSError):
        shutil.rmtree(root)
        root.mkdir()
