"""The command line on demo facts: compute, explain, JSON, errors; and the engine's purity."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.cli import main, parse_months
from kaohe.engine import InputError


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "facts.json"
    assert main(["demo-facts", "--units", "60", "--seed", "7", "-o", str(path)]) == 0
    return path


def test_demo_facts_are_a_realistic_district(demo_file: Path) -> None:
    data = json.loads(demo_file.read_text("utf-8"))
    categories = [u["category"] for u in data["units"]]
    assert categories.count("street") == 13 and categories.count("district") == 47
    kinds = {u.get("kind") for u in data["units"] if u["category"] == "district"}
    assert kinds == {"organ", "affiliated"}
    assert any(not f["declared"] for f in data["faults"])
    assert any(f["type"] == "cadre_selection" for f in data["faults"])
    assert data["achievements"] and data["recognition"]


def test_compute_prints_both_rankings_escalations_and_results_use(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compute", "--facts", str(demo_file)]) == 0
    out = capsys.readouterr().out
    for heading in (
        "年度排名:街道(13个单位)",
        "年度排名:区直单位(47个单位)",
        "月考核后两名的处理",
        "结果运用",
        "推荐先进",
        "否决",
    ):
        assert heading in out
    assert "组织约谈" in out and "书面报告" in out


def test_compute_json_has_the_documented_shape(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compute", "--facts", str(demo_file), "--json", "--months", "1-6"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "scheme",
        "year",
        "months",
        "units",
        "monthly",
        "annual",
        "escalations",
        "results_use",
    }
    assert data["months"] == [1, 2, 3, 4, 5, 6]
    unit = data["units"]["S01"]
    total = Decimal(unit["T"]) + Decimal(unit["B"]) - Decimal(unit["F"]) + Decimal(unit["R"])
    assert total == Decimal(unit["total"])
    assert data["annual"]["street"][0]["rank"] == 1


def test_explain_accounts_for_every_point(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "--facts", str(demo_file), "--unit", "S01", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)

    def check(node: dict) -> None:  # type: ignore[type-arg]
        children = node.get("children", [])
        amounts = [Decimal(c["amount"]) for c in children]
        if children and "note" not in node:  # derived parents (mean, scaling) carry a note
            assert sum(amounts) == Decimal(node["amount"]), node["label"]
        for child in children:
            check(child)

    t, b, f, r = (Decimal(c["amount"]) for c in tree["children"][:4])
    assert t + b + f + r == Decimal(tree["amount"])
    for component in tree["children"][1:4]:
        check(component)
    for month in tree["children"][0]["children"]:
        check(month)
    assert main(["explain", "--facts", str(demo_file), "--unit", "S01"]) == 0
    text = capsys.readouterr().out
    assert "目标成绩(月度平均)" in text and "年度排名" in text


def test_errors_are_listed_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "facts.yaml"
    bad.write_text("year: 2014\nunits:\n  - {id: A, name: A, category: moon}\n", "utf-8")
    assert main(["compute", "--facts", str(bad)]) == 2
    assert "units[0].category: unknown category 'moon'" in capsys.readouterr().err
    assert main(["scheme", "check", str(bad)]) == 2
    assert main(["explain", "--facts", str(bad), "--unit", "X"]) == 2


def test_scheme_check_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scheme", "check", "district-2014"]) == 0
    assert "区组织工作考核办法(2014年)(district-2014,2014年):有效" in capsys.readouterr().out


def test_month_ranges() -> None:
    assert parse_months("1-3,6") == [1, 2, 3, 6]
    assert parse_months(None) is None
    with pytest.raises(InputError):
        parse_months("0-13")
    with pytest.raises(InputError):
        parse_months("May")


def test_the_engine_imports_nothing_from_django() -> None:
    code = "import sys, kaohe.engine, kaohe.engine.serialize; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    for path in Path(__file__).parents[2].joinpath("src/kaohe/engine").glob("*.py"):
        lines = path.read_text("utf-8").splitlines()
        imports = [ln for ln in lines if ln.lstrip().startswith(("import ", "from "))]
        assert not [ln for ln in imports if "django" in ln], path.name
