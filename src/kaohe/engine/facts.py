"""Facts (事实): what happened in a year — units, targets, findings, declarations, ballots.

The engine takes established facts only: accepted findings, verified achievements and
faults, closed ballots. The web system decides what is established; the engine counts it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from . import limits

Month = Annotated[int, Field(ge=1, le=12)]
Count = Annotated[int, Field(ge=0, le=limits.COUNT_MAX)]
Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=limits.AMOUNT_MAX_DIGITS, decimal_places=limits.AMOUNT_DECIMAL_PLACES),
]
Ref = Annotated[str, Field(min_length=1, max_length=limits.REF_MAX)]
Text = Annotated[str, Field(max_length=limits.TEXT_MAX)]


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(Fact):
    """An assessed unit (被考核单位) with the cadres Art. 12(2) refers to."""

    id: Ref
    name: str
    category: Ref
    kind: str = ""
    secretary: str = ""
    leaders: list[str] = []
    departments: list[Ref] = []  # departments the unit belongs to (never score it)


class Target(Fact):
    """A unit's own target for a target_count item, from its responsibility letter (责任书).

    ``schedule`` maps a month to the cumulative number due by its end; without it the
    target is due pro rata (annual × month ÷ 12, rounded down)."""

    unit: Ref
    item: Ref
    target: Count
    schedule: dict[Month, Count] = {}


class Finding(Fact):
    """One assessor's finding for a unit, item and month (扣分及激励原因).

    The fields used depend on the item's rule: ``checks`` (check key → occurrences),
    ``count`` (per_count failures; target_count: number achieved in the month), ``met``
    (all_or_nothing), ``deduction`` (discretionary). ``sub_item`` names the item of a
    sub-rubric."""

    id: str = ""
    month: Month
    unit: Ref
    item: Ref
    sub_item: Ref | None = None
    department: Ref | None = None
    checks: dict[Ref, Count] = {}
    count: Count | None = None
    met: bool | None = None
    deduction: Amount | None = None
    reason: Text = ""
    evidence: Text = ""
    by: str = ""
    at: str = ""


class Achievement(Fact):
    """A verified achievement (业绩): award type and level, one content key per content."""

    id: str = ""
    unit: Ref
    award: Ref
    level: Ref
    content: Ref
    document: Text = ""
    date: dt.date | None = None
    description: Text = ""
    evidence: Text = ""


class Fault(Fact):
    """An established fault (过错); ``declared`` false when the department found it."""

    id: str = ""
    unit: Ref
    type: Ref
    occurrences: Annotated[int, Field(ge=1, le=limits.OCCURRENCES_MAX)] = 1
    declared: bool = True
    date: dt.date | None = None
    description: Text = ""
    evidence: Text = ""


class Tally(Fact):
    """Closed ballots of one rater group for one unit, counted by option (abstentions aside)."""

    unit: Ref
    group: Ref
    counts: dict[str, Count]


class Facts(Fact):
    year: Annotated[int, Field(ge=limits.YEAR_MIN, le=limits.YEAR_MAX)]
    months: list[Month] = list(range(1, 13))
    units: Annotated[list[Unit], Field(min_length=1)]
    targets: list[Target] = []
    findings: list[Finding] = []
    achievements: list[Achievement] = []
    faults: list[Fault] = []
    recognition: list[Tally] = []
