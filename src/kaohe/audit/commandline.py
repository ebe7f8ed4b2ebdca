"""`kaohe audit verify [--anchor FILE]` and `kaohe audit anchor [-o FILE]` (Django set up)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings

from kaohe.logs import integrity_log

from .services import anchor_line, read_anchors, verify_chain

DEV_KEY_NOTE = (
    "注意:审计链使用公开的开发密钥,请在正式使用前设置 KAOHE_AUDIT_KEY。"
    "note: the audit chain is keyed with the public development key; set KAOHE_AUDIT_KEY."
)


def verify(anchor_file: Path | None = None) -> int:
    anchors = []
    if anchor_file is not None:
        try:
            anchors = read_anchors(anchor_file.read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            print(f"无法读取锚点文件 cannot read anchor file {anchor_file}: {exc}", file=sys.stderr)
            return 2
    report = verify_chain(anchors)
    if settings.KAOHE_AUDIT_DEV_KEY and not settings.DEBUG:
        print(DEV_KEY_NOTE, file=sys.stderr)
    if report.ok:
        print(report.verdict())
        return 0
    integrity_log.error("audit chain verification failed", extra={"verdict": report.verdict()})
    print(report.verdict(), file=sys.stderr)
    return 1


def anchor(output: Path | None = None) -> int:
    path = output or Path(settings.KAOHE_AUDIT_ANCHOR_FILE)
    line = anchor_line()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    print(f"{line} → {path}")
    return 0
