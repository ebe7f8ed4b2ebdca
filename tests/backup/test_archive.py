"""A damaged archive is refused naming what is wrong: one byte changed anywhere, truncated, a
member missing or added, a manifest forged and sealed again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaohe.backup.archive import ArchiveError, read_archive

from .helpers import Place, resealed, with_member, without_member


def flipped(source: Path, target: Path, at: int) -> Path:
    data = bytearray(source.read_bytes())
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def test_the_archive_lists_every_member_with_its_checksum_and_the_database_facts(
    sqlite_archive: Path, sqlite_source: Place
) -> None:
    archive = read_archive(sqlite_archive)
    manifest = archive.manifest
    assert sorted(manifest["members"]) == [
        "database/portable.jsonl.gz",
        "database/sqlite3.gz",
        *sorted(f"evidence/{p.name}" for p in sqlite_source.evidence.iterdir()),
    ]
    assert len(archive.evidence) == 2
    # the world: 2 units, 2 users, 2 evidence files; audit events written by the services
    assert manifest["counts"]["people_unit"] == 2
    assert manifest["counts"]["yearend_evidence"] == 2
    assert manifest["counts"]["audit_auditevent"] == manifest["audit"]["count"] >= 5
    assert manifest["audit"]["intact"] is True
    assert len(manifest["audit"]["last_hash"]) == 64
    assert manifest["database"]["engine"] == "sqlite"
    assert "audit.0003_keyed_chain_and_head" in manifest["database"]["migrations"]


def test_one_byte_changed_anywhere_is_refused(sqlite_archive: Path, tmp_path: Path) -> None:
    size = sqlite_archive.stat().st_size
    # every 61st byte (headers, manifest, snapshot, dump, files, checksum, end blocks) and
    # the very first and last
    for at in [*range(0, size, 61), size - 1]:
        target = flipped(sqlite_archive, tmp_path / f"flip-{at}.tar", at)
        with pytest.raises(ArchiveError):
            read_archive(target)
        target.unlink()


def test_a_changed_member_is_named(sqlite_archive: Path, tmp_path: Path) -> None:
    archive = read_archive(sqlite_archive)
    name = archive.evidence[0]
    start, _ = archive.offsets[name]
    with pytest.raises(ArchiveError, match=f"成员 {name} 的 SHA-256 与清单记载不符"):
        read_archive(flipped(sqlite_archive, tmp_path / "x.tar", start + 3))
    start, _ = archive.offsets["database/sqlite3.gz"]
    with pytest.raises(ArchiveError, match=r"database/sqlite3\.gz"):
        read_archive(flipped(sqlite_archive, tmp_path / "y.tar", start + 100))


def test_a_changed_manifest_is_refused_by_the_archive_checksum(
    sqlite_archive: Path, tmp_path: Path
) -> None:
    data = sqlite_archive.read_bytes()
    at = data.index(b'"people_unit": 2')
    forged = data[:at] + b'"people_unit": 3' + data[at + 16 :]
    (tmp_path / "m.tar").write_bytes(forged)
    with pytest.raises(ArchiveError, match="整体校验和不符"):
        read_archive(tmp_path / "m.tar")


@pytest.mark.parametrize("keep", [0, 100, 1000, 5000, -20000, -10241, -10240, -1])
def test_a_truncated_archive_is_refused(sqlite_archive: Path, tmp_path: Path, keep: int) -> None:
    data = sqlite_archive.read_bytes()
    (tmp_path / "t.tar").write_bytes(data[:keep])
    with pytest.raises(ArchiveError):
        read_archive(tmp_path / "t.tar")


def test_bytes_appended_are_refused(sqlite_archive: Path, tmp_path: Path) -> None:
    (tmp_path / "a.tar").write_bytes(sqlite_archive.read_bytes() + b"\0" * 10240)
    with pytest.raises(ArchiveError, match="长度"):
        read_archive(tmp_path / "a.tar")


def test_a_missing_member_is_named(sqlite_archive: Path, tmp_path: Path) -> None:
    name = read_archive(sqlite_archive).evidence[1]
    with pytest.raises(ArchiveError, match=f"缺少清单所列的成员:{name}"):
        read_archive(without_member(sqlite_archive, tmp_path / "w.tar", name))
    with pytest.raises(ArchiveError, match="缺少末尾的校验成员"):
        read_archive(without_member(sqlite_archive, tmp_path / "c.tar", "SHA256"))


def test_an_added_member_is_named(sqlite_archive: Path, tmp_path: Path) -> None:
    target = with_member(sqlite_archive, tmp_path / "p.tar", "evidence/planted", b"%PDF-1.4")
    with pytest.raises(ArchiveError, match="清单未列的成员:evidence/planted"):
        read_archive(target)


def test_not_an_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "n.tar").write_text(json.dumps({"format": "kaohe-backup"}))
    with pytest.raises(ArchiveError, match="tar"):
        read_archive(tmp_path / "n.tar")
    with pytest.raises(ArchiveError, match="没有这个文件"):
        read_archive(tmp_path / "none.tar")


def test_a_resealed_archive_passes_the_reader(sqlite_archive: Path, tmp_path: Path) -> None:
    """The forging helper the restore tests use produces an archive the reader accepts: what
    stops a forged manifest there is the restore's own verification."""
    target = resealed(sqlite_archive, tmp_path / "r.tar", lambda m: m.update(note="x"))
    assert read_archive(target).manifest["note"] == "x"
