"""The backup archive as bytes: a plain tar whose members are listed, with their SHA-256, in
``manifest.json``, and whose last member, ``SHA256``, holds the SHA-256 of every byte written
before it. No Django import: reading an archive checks it completely before anything is
restored.

Layout (``tar tvf`` shows it)::

    kaohe-backup/manifest.json
    kaohe-backup/database/...        the snapshot and the portable dump
    kaohe-backup/evidence/<name>     every evidence file
    kaohe-backup/SHA256              sha256 of the archive's bytes before this member

After the last member come only the zero blocks that end a tar, up to tar's 10 KiB record:
a byte changed there is noticed too.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = "kaohe-backup"
MANIFEST = f"{ROOT}/manifest.json"
CHECKSUM = f"{ROOT}/SHA256"
FORMAT = "kaohe-backup"
FORMAT_VERSION = 1
MANIFEST_MAX = 64 * 1024 * 1024  # counts and one line per file: far below this
# member names a Kaohe archive can hold: no "..", no absolute path, no odd characters
SAFE_NAME = re.compile(r"^(database|evidence)/[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}$")
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive is damaged or not a Kaohe backup; the message (Chinese) says what is wrong."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingWriter:
    """A file-like object for tarfile that hashes every byte it passes on."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.written = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.written += len(data)
        return self.target.write(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        self.target.flush()


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(f"{ROOT}/{name}" if not name.startswith(ROOT) else name)
    info.size = size
    info.mode = 0o600
    info.mtime = 0  # the same content gives the same bytes
    info.uname = info.gname = "kaohe"
    return info


def write_archive(
    output: IO[bytes], manifest: dict[str, Any], members: list[tuple[str, Path]]
) -> str:
    """Write ``members`` (archive name, file) after the manifest, then the checksum member.
    The manifest gets each member's size and SHA-256 first. Returns the archive checksum."""
    listed: dict[str, dict[str, Any]] = {}
    for name, path in members:
        if not SAFE_NAME.match(name):
            raise ValueError(f"unsafe member name {name!r}")
        listed[name] = {"size": path.stat().st_size, "sha256": sha256_file(path)}
    manifest = {**manifest, "members": listed}
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    writer = _HashingWriter(output)
    with tarfile.open(fileobj=writer, mode="w", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
        tar.addfile(_info(MANIFEST, len(text)), io.BytesIO(text))
        for name, path in members:
            with path.open("rb") as handle:
                tar.addfile(_info(name, listed[name]["size"]), handle)
        checksum = writer.digest.hexdigest()
        line = f"{checksum}\n".encode("ascii")
        tar.addfile(_info(CHECKSUM, len(line)), io.BytesIO(line))
    return checksum


@dataclass
class Archive:
    """A checked archive: every byte verified; members are read from the open file."""

    path: Path
    manifest: dict[str, Any]
    checksum: str
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (data offset, size)

    def open_member(self, name: str) -> Iterator[bytes]:
        """The member's bytes in chunks (already verified against the manifest)."""
        start, size = self.offsets[name]
        with self.path.open("rb") as handle:
            handle.seek(start)
            left = size
            while left:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    raise ArchiveError(f"档案在读取成员 {name} 时变短了(读取期间被改动?)")
                left -= len(chunk)
                yield chunk

    def extract(self, name: str, target: Path) -> str:
        """Write a member to ``target`` and return the SHA-256 of what was written."""
        digest = hashlib.sha256()
        with target.open("xb") as out:
            for chunk in self.open_member(name):
                digest.update(chunk)
                out.write(chunk)
        return digest.hexdigest()

    @property
    def evidence(self) -> list[str]:
        return sorted(n for n in self.manifest["members"] if n.startswith("evidence/"))


def _short(name: str) -> str:
    return name.removeprefix(f"{ROOT}/")


def read_archive(path: Path) -> Archive:
    """Check an archive completely and return it, or raise ArchiveError naming the first
    thing wrong: not a tar, truncated, the manifest, a member missing, added or changed, the
    checksum, or bytes changed outside the members."""
    if not path.is_file():
        raise ArchiveError(f"没有这个文件:{path}")
    size = path.stat().st_size
    try:
        with tarfile.open(path, mode="r:") as tar:
            infos = tar.getmembers()
            manifest, checksum_text = _read_small(tar, infos)
            actual = _member_hashes(tar, infos)
    except tarfile.TarError as exc:
        raise ArchiveError(
            f"不是完整的 Kaohe 备份档案(无法作为 tar 读取:{exc};文件被截断或损坏)"
        ) from exc
    except EOFError as exc:
        raise ArchiveError("档案被截断:最后一个成员不完整") from exc
    if checksum_text is None:
        raise ArchiveError("档案缺少末尾的校验成员 SHA256:文件被截断,或不是 Kaohe 备份")
    if manifest is None:
        raise ArchiveError("档案缺少清单 manifest.json,不是 Kaohe 备份")
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("members"), dict):
        raise ArchiveError("清单 manifest.json 不是 Kaohe 备份清单")
    if manifest.get("version") != FORMAT_VERSION:
        raise ArchiveError(
            f"档案格式版本 {manifest.get('version')} 不受支持(本程序读取版本 {FORMAT_VERSION})"
        )
    listed: dict[str, dict[str, Any]] = manifest["members"]
    names = [_short(i.name) for i in infos]
    if names[0] != _short(MANIFEST) or names[-1] != _short(CHECKSUM):
        raise ArchiveError("档案成员的顺序被改动:清单应在最前,校验成员 SHA256 应在最后")
    inner = names[1:-1]
    duplicated = sorted({n for n in inner if inner.count(n) > 1})
    if duplicated:
        raise ArchiveError(f"档案中成员重复:{'、'.join(duplicated)}")
    missing = sorted(set(listed) - set(inner))
    if missing:
        raise ArchiveError(f"档案缺少清单所列的成员:{'、'.join(missing[:10])}")
    added = sorted(set(inner) - set(listed))
    if added:
        raise ArchiveError(f"档案中有清单未列的成员:{'、'.join(added[:10])}")
    for info in infos[1:-1]:
        name = _short(info.name)
        if not info.isreg() or not SAFE_NAME.match(name):
            raise ArchiveError(f"成员 {name} 不是普通文件或名称不合规")
        expected = listed[name]
        if info.size != expected.get("size"):
            raise ArchiveError(
                f"成员 {name} 的大小({info.size} 字节)与清单记载({expected.get('size')} 字节)不符"
            )
        if actual[name] != expected.get("sha256"):
            raise ArchiveError(f"成员 {name} 的 SHA-256 与清单记载不符:内容被改动")
    recorded = checksum_text.strip()
    last = infos[-1]
    whole = _hash_prefix(path, last.offset)
    if whole != recorded or checksum_text != f"{recorded}\n":
        raise ArchiveError(
            "档案整体校验和不符:清单或成员头部的字节被改动(各成员内容本身与清单一致)"
        )
    # the checksum member itself: its header exactly as written, then zeros to the end
    header = _info(CHECKSUM, last.size).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    if _read(path, last.offset, last.offset_data) != header:
        raise ArchiveError("档案末尾校验成员 SHA256 的头部被改动")
    end = last.offset_data + last.size
    blocks_end = last.offset_data + -(-last.size // 512) * 512
    expected_size = -(-(blocks_end + 1024) // tarfile.RECORDSIZE) * tarfile.RECORDSIZE
    if size != expected_size:
        raise ArchiveError(
            f"档案长度 {size} 字节与其内容应有的 {expected_size} 字节不符:被截断或在末尾追加了数据"
        )
    if not _zeros(path, end, size):
        raise ArchiveError("档案末尾的结束块被改动(应全为零字节)")
    offsets = {_short(i.name): (i.offset_data, i.size) for i in infos[1:-1]}
    return Archive(path, manifest, recorded, offsets)


def _read_small(
    tar: tarfile.TarFile, infos: list[tarfile.TarInfo]
) -> tuple[dict[str, Any] | None, str | None]:
    manifest = checksum = None
    for info in infos:
        if info.name == MANIFEST:
            if info.size > MANIFEST_MAX:
                raise ArchiveError("清单 manifest.json 过大,不是 Kaohe 备份清单")
            handle = tar.extractfile(info)
            if handle is None:
                raise ArchiveError("清单 manifest.json 不是普通文件")
            try:
                manifest = json.loads(handle.read().decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise ArchiveError(f"清单 manifest.json 无法解析(内容被改动):{exc}") from exc
            if not isinstance(manifest, dict):
                raise ArchiveError("清单 manifest.json 不是 Kaohe 备份清单")
        elif info.name == CHECKSUM and info.size <= 128:
            handle = tar.extractfile(info)
            checksum = handle.read().decode("ascii", "replace") if handle else None
    return manifest, checksum


def _member_hashes(tar: tarfile.TarFile, infos: list[tarfile.TarInfo]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for info in infos:
        if info.name in (MANIFEST, CHECKSUM) or not info.isreg():
            continue
        handle = tar.extractfile(info)
        if handle is None:
            continue
        digest = hashlib.sha256()
        read = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            read += len(chunk)
        if read != info.size:
            raise ArchiveError(f"档案被截断:成员 {_short(info.name)} 不完整")
        hashes[_short(info.name)] = digest.hexdigest()
    return hashes


def _hash_prefix(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = length
        while left:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _read(path: Path, start: int, end: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read(end - start)


def _zeros(path: Path, start: int, end: int) -> bool:
    data = _read(path, start, end)
    return data.count(0) == len(data)
