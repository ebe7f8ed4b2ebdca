"""The command line speaks Chinese by default and English with `--lang en` or LANG=en*: no
Latin-only sentence in what a Chinese run prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kaohe.cli import main

# three or more Latin words in a row, once commands in backticks, paths and the
# "path:" prefix of a file's error (units[0].category) are set aside
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;'’-]+[A-Za-z]{2,}){2,}")


def latin_sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        line = re.sub(r"`[^`]*`|\S*/\S*|\S+\.(?:xlsx|json|yaml)\b", "", line)
        found += SENTENCE.findall(line)
    return found


@pytest.fixture(autouse=True)
def chinese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    assert main(["demo-facts", "--units", "20", "--seed", "3", "-o", str(path)]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_command_prints_chinese_by_default(
    facts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, scheme = tmp_path / "rubric.xlsx", tmp_path / "scheme.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2014\nunits:\n  - {id: A, name: A, category: moon}\n", "utf-8")
    runs = [
        (0, ["scheme", "check", "district-2014"], "有效"),
        (0, ["compute", "--facts", str(facts), "--months", "1-6"], "年度排名"),
        (0, ["explain", "--facts", str(facts), "--unit", "S01"], "目标成绩"),
        (0, ["rubric", "export", "district-2014", "-o", str(xlsx)], "已写入"),
        (0, ["rubric", "import", str(xlsx), "-o", str(scheme)], "已写入"),
        (2, ["compute", "--facts", str(bad)], "未知的类别“moon”"),
        (2, ["compute", "--facts", str(facts), "--months", "May"], "不是月份"),
        (2, ["explain", "--facts", str(facts), "--unit", "X9"], "没有单位“X9”"),
        (2, ["scheme", "check", str(tmp_path / "none.yaml")], "内置方案"),
    ]
    for code, argv, chinese in runs:
        got, text = run(capsys, *argv)
        assert got == code, (argv, text)
        assert chinese in text, (argv, text)
        assert not latin_sentences(text), (argv, latin_sentences(text))


def test_lang_en_anywhere_on_the_line_prints_english(
    facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(capsys, "--lang", "en", "compute", "--facts", str(facts), "--months", "1-3")
    assert code == 0 and "Annual ranking" in text and "年度排名" not in text
    code, text = run(capsys, "scheme", "check", "district-2014", "--lang=en")
    assert code == 0 and "valid" in text and "有效" not in text
    code, text = run(capsys, "explain", "--facts", str(facts), "--unit", "X9", "--lang", "en")
    assert code == 2 and "no unit 'X9' in the facts" in text


def test_an_english_locale_prints_english(
    facts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    code, text = run(capsys, "compute", "--facts", str(facts), "--months", "1")
    assert code == 0 and "Use of the results" in text
    code, text = run(capsys, "--lang", "zh", "compute", "--facts", str(facts), "--months", "1")
    assert code == 0 and "结果运用" in text  # --lang outranks the locale


def test_the_sentence_check_catches_english() -> None:
    assert latin_sentences("wrote rubric.xlsx: every published figure equals")
    assert not latin_sentences("已写入 /tmp/a b/rubric.xlsx;用 `kaohe manage migrate` 创建")


def test_help_and_usage_errors_are_chinese_and_english_on_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["rubric", "export"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "缺少必需的参数" in err and "用法" in err
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "计算一个年度" in out
    assert not latin_sentences(re.sub(r"\{[^}]*\}|-[\w-]+", "", out))  # choices, options
    with pytest.raises(SystemExit):
        main(["rubric", "export", "--lang", "en"])
    assert "the following arguments are required" in capsys.readouterr().err


def test_serve_refuses_in_chinese_and_in_english_on_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAOHE_SECRET_KEY", raising=False)
    code, text = run(capsys, "serve", "--check")
    assert code == 2 and "未设置 KAOHE_SECRET_KEY" in text and not latin_sentences(text)
    code, text = run(capsys, "serve", "--check", "--lang", "en")
    assert code == 2 and "KAOHE_SECRET_KEY is not set" in text
