"""`kaohe compute --json` (and `--json --explain`) byte for byte as before the province-scale
work: the demo year against committed outputs, a 5,000-unit year against their SHA-256."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def kaohe(*args: str) -> bytes:
    command = [sys.executable, "-m", "kaohe.cli", *args]
    return subprocess.run(command, check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "demo.json"
    kaohe("demo-facts", "-o", str(path))
    return path


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "units-5000.json"
    kaohe("demo-facts", "--units", "5000", "--seed", "7", "-o", str(path))
    return path


@pytest.mark.parametrize(
    ("extra", "golden"),
    [((), "demo-60.json.gz"), (("--explain",), "demo-60-explain.json.gz")],
)
def test_demo_year_json_is_unchanged(demo_file: Path, extra: tuple[str, ...], golden: str) -> None:
    out = kaohe("compute", "--facts", str(demo_file), "--json", *extra)
    assert out == gzip.decompress((GOLDEN / golden).read_bytes())


def test_demo_year_from_yaml_gives_the_same_json(demo_file: Path, tmp_path: Path) -> None:
    import json

    import yaml

    path = tmp_path / "demo.yaml"
    data = json.loads(demo_file.read_text("utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    out = kaohe("compute", "--facts", str(path), "--json")
    assert out == gzip.decompress((GOLDEN / "demo-60.json.gz").read_bytes())


def test_5000_unit_year_json_is_unchanged(large_file: Path) -> None:
    expected = dict(
        reversed(line.split())
        for line in (GOLDEN / "units-5000-seed-7.sha256").read_text().splitlines()
    )
    plain = kaohe("compute", "--facts", str(large_file), "--json")
    assert hashlib.sha256(plain).hexdigest() == expected["units-5000-seed-7.json"]
    explained = kaohe("compute", "--facts", str(large_file), "--json", "--explain")
    assert hashlib.sha256(explained).hexdigest() == expected["units-5000-seed-7-explain.json"]
