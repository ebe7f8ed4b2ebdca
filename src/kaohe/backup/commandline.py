"""`kaohe backup -o FILE` and `kaohe restore FILE`: their arguments and what they print.

``kaohe.cli`` registers them with :func:`add_commands` and calls back the ``setup`` it
passes, which sets Django up (checking the database exists for ``backup``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

Setup = Callable[..., None]


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    setup: Setup,
    t: Callable[[str, str], str],
) -> None:
    """``t(zh, en)`` picks the help text in the command line's language."""
    backup = commands.add_parser(
        "backup",
        help=t(
            "写出一个备份文件:数据库快照、可移植转储、全部证明材料和清单",
            "write one archive: database snapshot, portable dump, evidence files, manifest",
        ),
    )
    backup.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    backup.set_defaults(func=lambda args: run_backup(args.output, setup))
    restore = commands.add_parser(
        "restore",
        help=t(
            "把备份恢复到空数据库和空证明材料目录,并逐项核验",
            "restore an archive into an empty database and evidence folder, verified",
        ),
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(func=lambda args: run_restore(args.file, setup))


def run_backup(output: Path, setup: Setup) -> int:
    setup()
    from .create import BackupError, create_backup

    started = time.perf_counter()
    try:
        result = create_backup(output)
    except BackupError as exc:
        print(f"错误 error — 备份失败:{exc}", file=sys.stderr)
        return 2
    manifest = result.manifest
    audit = manifest["audit"]
    evidence = manifest["evidence"]
    print(f"已写出备份 {result.path}({result.path.stat().st_size} 字节)")
    print(
        f"  数据库:{manifest['database']['engine']},{len(manifest['counts'])} 张表,"
        f"共 {sum(manifest['counts'].values())} 条记录"
    )
    print(f"  审计链:{audit['count']} 条记录,链头哈希 {audit['last_hash']}")
    print(f"  证据文件:{evidence['files']} 个,{evidence['bytes']} 字节")
    print(f"  档案校验和 SHA-256:{result.checksum}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    from kaohe.logs import integrity_log

    for warning in result.warnings:
        print(f"警告 warning — {warning}", file=sys.stderr)
        integrity_log.error("backup: %s", warning)
    return 1 if result.warnings else 0


def run_restore(path: Path, setup: Setup) -> int:
    setup(need_database=False)
    from kaohe.logs import integrity_log

    from .archive import ArchiveError
    from .restore import RestoreError, restore_backup

    try:
        report = restore_backup(path)
    except ArchiveError as exc:
        print(f"错误 error — 备份档案 {path} 已损坏,拒绝恢复,未写入任何内容:{exc}", file=sys.stderr)
        integrity_log.error("restore refused, damaged archive %s: %s", path, exc)
        return 2
    except RestoreError as exc:
        print(f"错误 error — {exc}", file=sys.stderr)
        return 2
    manifest = report.archive.manifest
    print(
        f"已恢复备份 {path}(写于 {manifest['created_at']},来源 {manifest['database']['engine']},"
        f"档案校验和一致)"
    )
    print(f"  到 {report.target},证据文件夹 {report.evidence_root};方式:{report.route}")
    print("核验结果:")
    for line in report.lines:
        print(f"  {line}")
    if not manifest["audit"]["intact"] or manifest["evidence"]["problems"]:
        print("警告 warning — 备份时已存在的完整性问题照原样恢复,见上文与清单", file=sys.stderr)
        return 1
    return 0
