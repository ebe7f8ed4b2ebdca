"""Facts as msgspec records: the same values and the same refusals as the pydantic schema, and
JSON streamed out byte for byte as json.dump wrote it."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from kaohe.cli import load_facts
from kaohe.demofacts import demo_facts
from kaohe.engine import Facts, InputError, compute_year
from kaohe.engine.errors import pydantic_messages
from kaohe.engine.records import FactsData, decode_json, from_data, from_model, try_json
from kaohe.engine.serialize import _write_object, result_to_data, write_result

from .helpers import scheme


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return demo_facts(scheme(), 60, 11)


def plain(value: Any) -> Any:
    """A record or model as plain data, to compare the two."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "__struct_fields__"):
        return {f: plain(getattr(value, f)) for f in value.__struct_fields__}
    if hasattr(type(value), "model_fields"):
        return {f: plain(getattr(value, f)) for f in type(value).model_fields}
    return (type(value).__name__, str(value)) if isinstance(value, Decimal) else value


def test_records_hold_what_the_schema_holds(demo: dict[str, Any]) -> None:
    text = json.dumps(demo, ensure_ascii=False)
    records = try_json(text.encode())
    assert records is not None  # the demo year takes the fast path
    assert plain(records) == plain(Facts.model_validate_json(text))
    assert plain(from_data(demo)) == plain(records)
    assert plain(from_model(Facts.model_validate(demo))) == plain(records)


def test_repeated_strings_are_kept_once(demo: dict[str, Any]) -> None:
    records = decode_json(json.dumps(demo, ensure_ascii=False))
    reasons = {id(f.reason) for f in records.findings}
    assert len(reasons) == len({f.reason for f in records.findings})
    assert len({id(f.unit) for f in records.findings}) <= len(records.units)


def base(**finding: Any) -> dict[str, Any]:
    return {
        "year": 2014,
        "units": [{"id": "S1", "name": "单位S1", "category": "street"}],
        "findings": [{"month": 1, "unit": "S1", "item": "10", "reason": "酌情", **finding}],
    }


@pytest.mark.parametrize(
    "finding",
    [
        {"deduction": "0.12345"},  # five places
        {"deduction": "123456789"},  # nine whole digits
        {"deduction": "-1"},
        {"deduction": "NaN"},
        {"deduction": True},
        {"month": 13},
        {"month": 0},
        {"count": -1},
        {"count": 1_000_001},
        {"unit": ""},
        {"item": "x" * 65},
        {"reason": "长" * 4001},
        {"bogus": 1},
        {"met": "maybe"},
        {"checks": {"": 1}},
    ],
)
def test_what_the_schema_refuses_is_refused_with_its_messages(finding: dict[str, Any]) -> None:
    text = json.dumps(base(**finding), ensure_ascii=False)
    assert try_json(text.encode()) is None
    with pytest.raises(ValidationError) as expected:
        Facts.model_validate_json(text)
    with pytest.raises(ValidationError) as got:
        decode_json(text)
    assert pydantic_messages(got.value) == pydantic_messages(expected.value)


@pytest.mark.parametrize(
    ("finding", "field", "value"),
    [
        ({"deduction": 0.10}, "deduction", Decimal("0.1")),  # a JSON number: as pydantic read it
        ({"deduction": "1.50000"}, "deduction", Decimal("1.50000")),
        ({"deduction": " 0.5"}, "deduction", Decimal("0.5")),
        ({"deduction": "0.50"}, "deduction", Decimal("0.50")),
        ({"month": "3"}, "month", 3),
        ({"count": 2.0}, "count", 2),
    ],
)
def test_what_only_the_schema_takes_still_computes_as_before(
    finding: dict[str, Any], field: str, value: object
) -> None:
    text = json.dumps(base(**finding), ensure_ascii=False)
    records = decode_json(text)
    got = getattr(records.findings[0], field)
    assert got == value and str(got) == str(value) and type(got) is type(value)
    assert plain(records) == plain(Facts.model_validate_json(text))


def test_a_bad_facts_file_names_every_problem_as_before(tmp_path: Any) -> None:
    path = tmp_path / "facts.json"
    text = json.dumps(base(deduction="0.12345", month=13))
    path.write_text(text, "utf-8")
    with pytest.raises(ValidationError) as expected:
        Facts.model_validate_json(text)
    with pytest.raises(InputError) as caught:
        load_facts(str(path))
    assert caught.value.errors == pydantic_messages(expected.value)
    assert len(caught.value.errors) == 2


def test_web_facts_and_file_records_compute_alike(demo: dict[str, Any]) -> None:
    model = Facts.model_validate(demo)
    records = decode_json(json.dumps(demo, ensure_ascii=False))
    assert isinstance(records, FactsData)
    from_web = result_to_data(compute_year(scheme(), model), explain=True)
    from_file = result_to_data(compute_year(scheme(), records), explain=True)
    assert from_web == from_file


def test_streamed_json_is_json_dump_byte_for_byte(demo: dict[str, Any]) -> None:
    result = compute_year(scheme(), decode_json(json.dumps(demo, ensure_ascii=False)))
    for explain in (False, True):
        out = io.BytesIO()
        write_result(result, out.write, explain=explain)
        data = result_to_data(result, explain=explain)
        expected = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        assert out.getvalue() == expected.encode()


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
@pytest.mark.parametrize("depth", [0, 1, 3])
def test_objects_written_in_chunks_read_as_one(chunk: int, depth: int) -> None:
    members = {"a": {"x": [1, {}], "y": []}, "b": '中\n"', "c": None, "d": [[]], "e": {}}
    for items in (members, {}):
        out = io.BytesIO()
        _write_object(out.write, items.items(), depth, chunk)
        text = json.dumps(items, ensure_ascii=False, indent=1)
        assert out.getvalue().decode() == text.replace("\n", "\n" + " " * depth)
