"""Facts as lean records the engine computes on (msgspec structs, decoded and checked in C).

``facts.py`` stays the documented schema (pydantic models, with their path-named messages);
these records carry the same fields under the same limits. A facts file is decoded straight
into records; whatever the records refuse goes through the pydantic models, so a file is
refused with the same messages as before and anything they accept (a number given as a
string, say) still computes. Strings that repeat from finding to finding (unit ids, reasons,
assessors, dates) are kept once: at 20,000 units, half a million findings share 43 reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from pydantic import BaseModel

from . import limits
from .facts import Facts, Finding, Unit

Month = Annotated[int, msgspec.Meta(ge=1, le=12)]
Count = Annotated[int, msgspec.Meta(ge=0, le=limits.COUNT_MAX)]
Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.REF_MAX)]
Text = Annotated[str, msgspec.Meta(max_length=limits.TEXT_MAX)]
Occurrences = Annotated[int, msgspec.Meta(ge=1, le=limits.OCCURRENCES_MAX)]
Year = Annotated[int, msgspec.Meta(ge=limits.YEAR_MIN, le=limits.YEAR_MAX)]


class _Points(Decimal):
    """A discretionary deduction while decoding (see ``_decode_points``)."""


if TYPE_CHECKING:
    Points = Decimal
else:
    Points = _Points

_WHOLE = limits.AMOUNT_MAX_DIGITS - limits.AMOUNT_DECIMAL_PLACES
# "0.5", "12", "3.25": the only deduction text the records take; anything else (a number, an
# exponent, spaces, more places) goes to the pydantic model, which decides as it always has
_POINTS_TEXT = re.compile(rf"[0-9]{{1,{_WHOLE}}}(\.[0-9]{{1,{limits.AMOUNT_DECIMAL_PLACES}}})?")
_POINTS_LIMIT = Decimal(10) ** _WHOLE


def _decode_points(kind: type, value: Any) -> Any:
    if kind is _Points:
        if type(value) is str and _POINTS_TEXT.fullmatch(value):
            return _Points(value)
        if type(value) is Decimal and value.is_finite() and not value.is_signed():
            exponent = value.as_tuple().exponent
            places = isinstance(exponent, int) and -limits.AMOUNT_DECIMAL_PLACES <= exponent <= 0
            if places and value < _POINTS_LIMIT:
                return _Points(value)
    raise ValueError("left to the facts schema")


_SHARED: dict[str, str] = {}
_share = _SHARED.setdefault


class Record(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    pass


class UnitData(Record):
    id: Ref
    name: str
    category: Ref
    kind: str = ""
    secretary: str = ""
    leaders: list[str] = []
    departments: list[Ref] = []


class TargetData(Record):
    unit: Ref
    item: Ref
    target: Count
    schedule: dict[Month, Count] = {}


class FindingData(Record):
    month: Month
    unit: Ref
    item: Ref
    id: str = ""
    sub_item: Ref | None = None
    department: Ref | None = None
    checks: dict[Ref, Count] = {}
    count: Count | None = None
    met: bool | None = None
    deduction: Points | None = None
    reason: Text = ""
    evidence: Text = ""
    by: str = ""
    at: str = ""

    def __post_init__(self) -> None:
        self.unit = _share(self.unit, self.unit)
        self.item = _share(self.item, self.item)
        if self.department is not None:
            self.department = _share(self.department, self.department)
        if self.deduction is not None:
            self.deduction = Decimal(self.deduction)
        self.reason = _share(self.reason, self.reason)
        self.evidence = _share(self.evidence, self.evidence)
        self.by = _share(self.by, self.by)
        self.at = _share(self.at, self.at)


class AchievementData(Record):
    unit: Ref
    award: Ref
    level: Ref
    content: Ref
    id: str = ""
    document: Text = ""
    date: dt.date | None = None
    description: Text = ""
    evidence: Text = ""


class FaultData(Record):
    unit: Ref
    type: Ref
    id: str = ""
    occurrences: Occurrences = 1
    declared: bool = True
    date: dt.date | None = None
    description: Text = ""
    evidence: Text = ""


class TallyData(Record):
    unit: Ref
    group: Ref
    counts: dict[str, Count]


AnyFinding = Finding | FindingData  # the web checks single findings as pydantic models
AnyUnit = Unit | UnitData


def _all_months() -> list[int]:
    return list(range(1, 13))


class FactsData(msgspec.Struct, forbid_unknown_fields=True):
    year: Year
    units: Annotated[list[UnitData], msgspec.Meta(min_length=1)]
    months: list[Month] = msgspec.field(default_factory=_all_months)
    targets: list[TargetData] = []
    findings: list[FindingData] = []
    achievements: list[AchievementData] = []
    faults: list[FaultData] = []
    recognition: list[TallyData] = []


_JSON = msgspec.json.Decoder(FactsData, dec_hook=_decode_points)


def try_json(data: bytes | str) -> FactsData | None:
    """A facts file's JSON as records, or None when the records refuse it: then the pydantic
    schema decides (``from_model(Facts.model_validate_json(data))``)."""
    try:
        return _JSON.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    finally:
        _SHARED.clear()


def decode_json(data: bytes | str) -> FactsData:
    """A facts file's JSON as records; raises pydantic's ValidationError, as
    ``Facts.model_validate_json`` does, when the facts are not valid."""
    facts = try_json(data)
    return from_model(Facts.model_validate_json(data)) if facts is None else facts


def from_data(data: Any) -> FactsData:
    """Plain data (from YAML, say) as records, with the schema's errors."""
    try:
        return msgspec.convert(data, FactsData, dec_hook=_decode_points)
    except msgspec.ValidationError:
        return from_model(Facts.model_validate(data))
    finally:
        _SHARED.clear()


def from_model(facts: Facts | FactsData) -> FactsData:
    """Validated facts (the web builds the pydantic models) as records."""
    if isinstance(facts, FactsData):
        return facts
    try:
        return _records(facts)
    finally:
        _SHARED.clear()


def _records(facts: Facts) -> FactsData:
    return FactsData(
        year=facts.year,
        months=list(facts.months),
        units=[UnitData(**_fields(u)) for u in facts.units],
        targets=[TargetData(**_fields(t)) for t in facts.targets],
        findings=[FindingData(**_fields(f)) for f in facts.findings],
        achievements=[AchievementData(**_fields(a)) for a in facts.achievements],
        faults=[FaultData(**_fields(f)) for f in facts.faults],
        recognition=[TallyData(**_fields(t)) for t in facts.recognition],
    )


def _fields(model: BaseModel) -> dict[str, Any]:
    return dict(model.__dict__)
