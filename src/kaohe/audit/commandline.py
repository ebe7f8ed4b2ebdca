"""`kaohe audit verify [--anchor FILE]` and `kaohe audit anchor [-o FILE]` (Django set up)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from kaohe.logs import integrity_log

from .services import ChainReport, anchor_line, read_anchors, verify_chain

DEV_KEY_NOTE = (
    "注意:审计链使用公开的开发密钥,请在正式使用前设置 KAOHE_AUDIT_KEY。",
    "note: the audit chain is keyed with the public development key; set KAOHE_AUDIT_KEY.",
)


def _english() -> bool:
    """The command line activates its language (`--lang en`, LANG=en*) before calling here."""
    return (get_language() or "").startswith("en")


def verdict(report: ChainReport) -> str:
    """The report in the command line's language (Chinese by default)."""
    where = f"#{report.broken_at}" if report.broken_at is not None else ""
    if _english():
        if report.ok:
            anchored = f", {report.anchors} anchor(s) agree" if report.anchors else ""
            return f"audit chain intact: {report.checked} records{anchored}"
        at = f" at record {where}" if where else ""
        return (
            f"audit chain broken{at}: {report.problem} "
            f"({report.checked} records verified before it)"
        )
    if report.ok:
        anchored = f",{report.anchors} 个锚点一致" if report.anchors else ""
        return f"审计链完整:{report.checked} 条记录{anchored}。"
    at = f":记录 {where}" if where else ""
    return (
        f"审计链被破坏{at} — {report.problem_zh or report.problem}"
        f"(此前 {report.checked} 条已核对)。"
    )


def verify(anchor_file: Path | None = None) -> int:
    anchors = []
    if anchor_file is not None:
        try:
            anchors = read_anchors(anchor_file.read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            message = (
                f"cannot read the anchor file {anchor_file}: {exc}"
                if _english()
                else f"无法读取锚点文件 {anchor_file}:{exc}"
            )
            print(message, file=sys.stderr)
            return 2
    report = verify_chain(anchors)
    if settings.KAOHE_AUDIT_DEV_KEY and not settings.DEBUG:
        print(DEV_KEY_NOTE[_english()], file=sys.stderr)
    if report.ok:
        print(verdict(report))
        return 0
    integrity_log.error("audit chain verification failed", extra={"verdict": report.verdict()})
    print(verdict(report), file=sys.stderr)
    return 1


def anchor(output: Path | None = None) -> int:
    path = output or Path(settings.KAOHE_AUDIT_ANCHOR_FILE)
    line = anchor_line()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    print(f"{line} → {path}")  # the line and a path: the same in either language
    return 0
