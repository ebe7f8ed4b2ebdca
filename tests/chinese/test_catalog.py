"""No English left untranslated: every msgid the code marks (templates, forms, messages) has
its Chinese in the catalog, and the engine's messages have theirs in its own table."""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from kaohe.engine.errors import MESSAGES, PYDANTIC_ZH, Problem, say

SRC = Path(__file__).resolve().parents[2] / "src/kaohe"
CATALOG = SRC / "locale/zh_Hans/LC_MESSAGES/django.po"
LATIN = "abcdefghijklmnopqrstuvwxyz"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_every_msgid_makemessages_finds_is_translated_in_the_catalog(tmp_path: Path) -> None:
    copy = tmp_path / "kaohe"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    (copy / "locale").mkdir()
    django_admin = Path(sys.executable).with_name("django-admin")
    command = [str(django_admin), "makemessages", "-l", "zh_Hans", "--no-location", "--no-wrap"]
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    found = polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))
    catalog = polib.pofile(str(CATALOG))
    translated = {
        (e.msgctxt, e.msgid) for e in catalog if (e.msgstr or any(e.msgstr_plural.values()))
    }
    missing = [
        f"{e.msgctxt + ' | ' if e.msgctxt else ''}{e.msgid}"
        for e in found
        if (e.msgctxt, e.msgid) not in translated
    ]
    assert not missing, "untranslated msgids:\n" + "\n".join(missing)
    assert len(found) > 500  # the scan really read the templates and the code


def test_every_engine_message_has_chinese_and_english() -> None:
    for code, (zh, en) in MESSAGES.items():
        assert zh and en, code
        if code != "raw":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
            assert any(ch in LATIN for ch in en.lower()), code
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in PYDANTIC_ZH.values())


def test_a_problem_is_chinese_by_default_and_english_on_request() -> None:
    problem = Problem("findings[4].checks.not_carried_out", "check_at_most", check="未开展", n=10)
    assert problem == "findings[4].checks.not_carried_out:“未开展”最多记10次"
    assert problem.message() == "“未开展”最多记10次"  # for a web form: no path
    assert problem.text("en") == "findings[4].checks.not_carried_out: at most 10"
    assert problem.message("en-us") == "at most 10"
    assert say(problem, "en_GB.UTF-8") == problem.text("en")
    assert say("plain text", "en") == "plain text"
    again = pickle.loads(pickle.dumps(problem))  # noqa: S301 (our own bytes; a cache may keep one)
    assert again == problem and again.text("en") == problem.text("en")


# words a Chinese page may show as they are: the language switch and names of formats
KEPT = {"English", "PDF", "Excel", "SHA-256"}


def test_no_template_shows_english_outside_its_translate_tags() -> None:
    leftovers = []
    for path in sorted((SRC / "templates").rglob("*.html")):
        text = path.read_text("utf-8")
        text = re.sub(
            r"\{%\s*(blocktranslate|blocktrans)\b.*?\{%\s*end\1\s*%\}", "", text, flags=re.S
        )
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S)
        for line in re.sub(r"<[^>]*>", "\n", text).splitlines():
            line = line.strip()
            if re.search(r"[A-Za-z]{3,}", line) and line not in KEPT:
                leftovers.append(f"{path.relative_to(SRC)}: {line}")
    assert not leftovers, "\n".join(leftovers)
