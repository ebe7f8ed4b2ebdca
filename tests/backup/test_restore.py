"""`kaohe backup` then `kaohe restore` into an empty database and evidence folder, on SQLite,
on PostgreSQL and across them; refusals leave the target as it was."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from kaohe.backup.archive import read_archive

from .helpers import (
    ROOT,
    Place,
    postgres_available,
    postgres_database,
    postgres_tables,
    resealed,
)


def assert_restored(done: subprocess.CompletedProcess[str], archive: Path) -> None:
    """The restore's report: counts, chain and head, files, in Chinese."""
    assert done.returncode == 0, done.stderr
    manifest = read_archive(archive).manifest
    out = done.stdout
    tables, rows = len(manifest["counts"]), sum(manifest["counts"].values())
    assert f"记录数:{tables} 张表逐表与备份清单一致,共 {rows} 条记录。" in out
    audit = manifest["audit"]
    assert (
        f"审计链:完整,{audit['count']} 条记录;链头哈希 {audit['last_hash']} 与备份时相同。" in out
    )
    assert (
        "证据文件:2 个,SHA-256 逐个与备份清单一致;数据库中的 2 条证据记录均有对应文件且校验和一致。"
        in out
    )


def assert_verifies_and_writes_on(place: Place, archive: Path) -> None:
    """The restored system is a working one: audit verify intact, the same files, and a new
    audited write chains on (its keys after the restored ones)."""
    count = read_archive(archive).manifest["audit"]["count"]
    done = place.kaohe("audit", "verify")
    assert done.returncode == 0 and f"审计链完整:{count} 条记录" in done.stdout, done.stderr
    place.python("more")
    done = place.kaohe("audit", "verify")
    assert done.returncode == 0 and f"审计链完整:{count + 1} 条记录" in done.stdout, done.stderr


def test_sqlite_backup_restores_into_an_empty_sqlite_database(
    sqlite_source: Place, sqlite_archive: Path, tmp_path: Path
) -> None:
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(sqlite_archive))
    assert_restored(done, sqlite_archive)
    assert "SQLite 快照" in done.stdout
    assert sorted(p.read_bytes() for p in target.evidence.iterdir()) == sorted(
        p.read_bytes() for p in sqlite_source.evidence.iterdir()
    )
    assert sorted(p.name for p in target.var.iterdir()) == ["evidence", "kaohe.sqlite3"]
    assert_verifies_and_writes_on(target, sqlite_archive)


def test_restore_refuses_a_database_or_evidence_folder_that_is_not_empty(
    sqlite_source: Place, sqlite_archive: Path, tmp_path: Path
) -> None:
    done = sqlite_source.kaohe("restore", str(sqlite_archive))
    assert done.returncode == 2
    assert "目标不为空,拒绝恢复" in done.stderr
    assert f"SQLite 数据库 {sqlite_source.sqlite} 已有" in done.stderr
    assert f"证据文件夹 {sqlite_source.evidence} 已有 2 个文件" in done.stderr
    # an empty database but a folder with a file in it: the folder is named
    target = Place(tmp_path / "var")
    target.evidence.mkdir(parents=True)
    (target.evidence / "left-over").write_bytes(b"x")
    done = target.kaohe("restore", str(sqlite_archive))
    assert done.returncode == 2 and "证据文件夹" in done.stderr and "SQLite" not in done.stderr
    assert sorted(p.name for p in target.var.iterdir()) == ["evidence"]


def test_a_damaged_archive_restores_nothing(sqlite_archive: Path, tmp_path: Path) -> None:
    data = bytearray(sqlite_archive.read_bytes())
    archive = read_archive(sqlite_archive)
    start, _ = archive.offsets["database/portable.jsonl.gz"]
    data[start + 200] ^= 0x10
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(damaged))
    assert done.returncode == 2
    assert "已损坏,拒绝恢复,未写入任何内容" in done.stderr
    assert "成员 database/portable.jsonl.gz 的 SHA-256 与清单记载不符" in done.stderr
    assert not target.var.exists()


def test_a_different_audit_key_is_refused_before_anything_is_written(
    sqlite_archive: Path, tmp_path: Path
) -> None:
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(sqlite_archive), KAOHE_AUDIT_KEY="another-key")
    assert done.returncode == 2 and "KAOHE_AUDIT_KEY" in done.stderr
    assert not target.var.exists()


def test_a_forged_manifest_fails_verification_and_restores_nothing(
    sqlite_archive: Path, tmp_path: Path
) -> None:
    """Sealed again by someone who knows the format, with another head hash: the data loads
    into the temporary file, the verification refuses, nothing is put in place."""
    forged = resealed(
        sqlite_archive,
        tmp_path / "forged.tar",
        lambda m: m["audit"].update(last_hash="0" * 64),
    )
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(forged))
    assert done.returncode == 2
    assert "恢复后的核验未通过,未恢复任何内容" in done.stderr and "审计链头" in done.stderr
    assert [p.name for p in target.var.iterdir()] == []  # no database, no folder, no temp file
    # counts forged: refused earlier, from the dump itself
    forged = resealed(
        sqlite_archive, tmp_path / "counts.tar", lambda m: m["counts"].update(people_unit=3)
    )
    done = target.kaohe("restore", str(forged))
    assert done.returncode == 2 and "档案内部不一致" in done.stderr and "people_unit" in done.stderr


def test_backup_never_overwrites_a_file(sqlite_source: Place, sqlite_archive: Path) -> None:
    before = sqlite_archive.read_bytes()
    done = sqlite_source.kaohe("backup", "-o", str(sqlite_archive))
    assert done.returncode == 2 and "已存在" in done.stderr
    assert sqlite_archive.read_bytes() == before


# -- PostgreSQL -------------------------------------------------------------------------

postgres = pytest.mark.skipif(not postgres_available(), reason="no PostgreSQL server answers")


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Callable[[str], Place]]:
    """Makes empty PostgreSQL places; drops their databases afterwards."""
    droppers = []

    def make(tag: str) -> Place:
        url, drop = postgres_database(tag)
        droppers.append(drop)
        return Place(tmp_path / tag / "var", url)

    yield make
    for drop in droppers:
        drop()


@postgres
def test_sqlite_backup_restores_into_postgresql(
    sqlite_archive: Path, pg: Callable[[str], Place]
) -> None:
    target = pg("cross")
    done = target.kaohe("restore", str(sqlite_archive))
    assert_restored(done, sqlite_archive)
    assert "从 SQLite 跨库恢复" in done.stdout
    assert_verifies_and_writes_on(target, sqlite_archive)


@postgres
def test_postgresql_backup_restores_into_postgresql_and_into_sqlite(
    pg: Callable[[str], Place],
    tmp_path: Path,
) -> None:
    source = pg("source")
    source.build_world()
    archive = tmp_path / "pg.tar"
    done = source.kaohe("backup", "-o", str(archive))
    assert done.returncode == 0, done.stderr
    manifest = read_archive(archive).manifest
    assert manifest["database"]["snapshot"] == "database/postgresql.pgdump"
    dump = tmp_path / "pg.pgdump"
    read_archive(archive).extract("database/postgresql.pgdump", dump)
    listed = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
    assert listed.returncode == 0 and "TABLE DATA public audit_auditevent" in listed.stdout

    target = pg("target")
    assert_restored(target.kaohe("restore", str(archive)), archive)
    assert_verifies_and_writes_on(target, archive)

    into_sqlite = Place(tmp_path / "sqlite" / "var")
    done = into_sqlite.kaohe("restore", str(archive))
    assert_restored(done, archive)
    assert "从 PostgreSQL 跨库恢复" in done.stdout
    assert_verifies_and_writes_on(into_sqlite, archive)


@postgres
def test_postgresql_restore_that_fails_verification_leaves_the_database_empty(
    sqlite_archive: Path,
    pg: Callable[[str], Place],
    tmp_path: Path,
) -> None:
    forged = resealed(
        sqlite_archive, tmp_path / "forged.tar", lambda m: m["audit"].update(last_hash="0" * 64)
    )
    target = pg("forged")
    done = target.kaohe("restore", str(forged))
    assert done.returncode == 2 and "恢复后的核验未通过,未恢复任何内容" in done.stderr
    assert postgres_tables(target.database_url or "") == []  # the transaction rolled back
    assert not target.evidence.exists()
    # and a database with tables is refused, naming it
    migrated = pg("migrated")
    assert migrated.kaohe("manage", "migrate", "--verbosity", "0").returncode == 0
    done = migrated.kaohe("restore", str(sqlite_archive))
    name = (migrated.database_url or "").rsplit("/", 1)[1]
    assert done.returncode == 2 and f"PostgreSQL 数据库 '{name}' 已有" in done.stderr


def test_a_backup_taken_while_the_system_writes_is_consistent(tmp_path: Path) -> None:
    """Audited writes run in another process during the backup: the snapshot, the portable
    dump, the counts and the head are one state, so the restore verifies."""
    source = Place(tmp_path / "source" / "var")
    source.build_world()
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.backup.world", "writes", str(tmp_path / "stop")],
        env=source.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        archive = tmp_path / "busy.tar"
        done = source.kaohe("backup", "-o", str(archive))
        assert done.returncode == 0, done.stderr
    finally:
        (tmp_path / "stop").touch()
        assert writer.wait(timeout=120) == 0
    units = read_archive(archive).manifest["counts"]["people_unit"]
    assert units > 2  # taken while the writes went on
    target = Place(tmp_path / "target" / "var")
    assert_restored(target.kaohe("restore", str(archive)), archive)


def test_an_archive_from_other_migrations_is_refused_naming_them(
    sqlite_archive: Path, tmp_path: Path
) -> None:
    forged = resealed(
        sqlite_archive,
        tmp_path / "future.tar",
        lambda m: m["database"]["migrations"].append("people.9999_future"),
    )
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(forged))
    assert done.returncode == 2 and "备份有而本程序无:people.9999_future" in done.stderr
    assert not target.var.exists()


def test_a_missing_evidence_file_is_backed_up_as_it_is_with_a_warning(
    sqlite_source: Place, sqlite_archive: Path, tmp_path: Path
) -> None:
    stored = sorted(sqlite_source.evidence.iterdir())[0]
    aside = tmp_path / stored.name
    stored.rename(aside)
    try:
        done = sqlite_source.kaohe("backup", "-o", str(tmp_path / "partial.tar"))
    finally:
        aside.rename(stored)
    assert done.returncode == 1
    assert f"数据库记载的证据文件 {stored.name} 不在证据文件夹中" in done.stderr
    manifest = read_archive(tmp_path / "partial.tar").manifest
    assert manifest["evidence"]["files"] == 1
    assert any(stored.name in p for p in manifest["evidence"]["problems"])
    # restored as it was, the missing file said again
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(tmp_path / "partial.tar"))
    assert done.returncode == 1, done.stderr
    assert "证据文件:1 个" in done.stdout and "中有 1 条在备份时已不一致" in done.stdout


def test_a_broken_audit_chain_is_backed_up_and_restored_as_it_was(
    sqlite_source: Place, sqlite_archive: Path, tmp_path: Path
) -> None:
    """The state to investigate is kept: the backup warns, the restore finds the same break."""
    with closing(sqlite3.connect(sqlite_source.sqlite)) as db:
        (reason,) = db.execute("SELECT reason FROM audit_auditevent WHERE id = 2").fetchone()
        db.execute("UPDATE audit_auditevent SET reason = 'changed' WHERE id = 2")
        db.commit()
        try:
            done = sqlite_source.kaohe("backup", "-o", str(tmp_path / "broken.tar"))
        finally:
            db.execute("UPDATE audit_auditevent SET reason = ? WHERE id = 2", (reason,))
            db.commit()
    assert done.returncode == 1 and "审计链核验未通过" in done.stderr and "#2" in done.stderr
    target = Place(tmp_path / "var")
    done = target.kaohe("restore", str(tmp_path / "broken.tar"))
    assert done.returncode == 1, done.stderr
    assert "与备份时相同的结果(备份时已未通过)" in done.stdout and "#2" in done.stdout
    assert target.kaohe("audit", "verify").returncode == 1
