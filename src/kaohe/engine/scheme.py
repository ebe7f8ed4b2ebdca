"""The scheme (考核方案): a year's measures as data — rubric, rules, awards, faults, settings.

Everything the measures fix is marked ``source: seed``; everything they leave out is a
labelled ``source: default`` that the office changes in the scheme file, never in code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import limits

Points = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Text = Annotated[str, Field(max_length=2000)]
RULE_KINDS = (
    "checks",
    "per_count",
    "all_or_nothing",
    "target_count",
    "discretionary",
    "sub_rubric",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    """A part of the scheme that says where it comes from: the measures, or a default."""

    source: Literal["seed", "default"] = "seed"
    note: Text = ""


# ---- units and departments -------------------------------------------------------------


class Kind(Strict):
    key: Key
    name: str


class Category(Sourced):
    """A category of assessed units, ranked separately (Art. 11(4)): 街道 or 区直单位."""

    key: Key
    name: str
    rubric: Key
    kinds: list[Kind] = []


class Department(Strict):
    """An assessing department (考核部门)."""

    key: Key
    name: str


# ---- item rules (SPEC §4) --------------------------------------------------------------


class Check(Strict):
    key: Key
    label: Text
    points: Points
    per_occurrence: bool = False
    max_occurrences: Annotated[int, Field(ge=1)] | None = None


class ChecksRule(Strict):
    """Named conditions, each deducting fixed points or points per occurrence; floored at 0."""

    kind: Literal["checks"]
    checks: Annotated[list[Check], Field(min_length=1)]

    def check(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)


class PerCountRule(Strict):
    """Points per counted failure, floored at 0."""

    kind: Literal["per_count"]
    points: Points
    counted: str = "次"


class AllOrNothingRule(Strict):
    """Target met, or the item scores 0."""

    kind: Literal["all_or_nothing"]


class TargetCountRule(Strict):
    """A numeric target per unit: −short_points per unit short, +over_points per unit over,
    the over-target bonus capped at over_cap (bonus beyond the weight)."""

    kind: Literal["target_count"]
    short_points: Points
    over_points: Points = Decimal(0)
    over_cap: Points = Decimal(0)
    counted: str = "个"
    total_target: Annotated[int, Field(ge=0)] | None = None  # the whole district's target


class DiscretionaryRule(Strict):
    """The assessor deducts 0…weight at its judgement; a reason is required."""

    kind: Literal["discretionary"]


class SubRubricRule(Strict):
    """The item's points come from another rubric, scaled to the item's (share's) weight."""

    kind: Literal["sub_rubric"]
    rubric: Key


Rule = Annotated[
    ChecksRule
    | PerCountRule
    | AllOrNothingRule
    | TargetCountRule
    | DiscretionaryRule
    | SubRubricRule,
    Field(discriminator="kind"),
]


class Share(Strict):
    """A department's share of an item's points (joint scoring, e.g. 20 + 20)."""

    department: Key
    points: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)]


class Item(Sourced):
    """One rubric line: 具体目标及权重, 评分标准, 考核方式, 考核部门, 备注 and its rule."""

    number: Key
    # a few characters for the grid's column headers (the full target shows on hover)
    short: Annotated[str, Field(max_length=16)] = ""
    target: Text
    weight: Points
    standard: Text
    method: Text = ""
    departments: Annotated[list[Share], Field(min_length=1)]
    remarks: Text = ""
    bonus: bool = False
    kinds: list[Key] = []
    added_on: date | None = None
    rule: Rule

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class Section(Sourced):
    key: Key
    name: str
    weight: Points
    items: Annotated[list[Item], Field(min_length=1)]


class Rubric(Sourced):
    """A scoring rubric (评分细则)."""

    key: Key
    title: str
    total: Points
    sections: Annotated[list[Section], Field(min_length=1)]

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]


# ---- year-end components ---------------------------------------------------------------


class AwardType(Sourced):
    """A kind of achievement (业绩) and its points by level."""

    key: Key
    name: str
    levels: Annotated[dict[Key, Points], Field(min_length=1)]
    evidence: Text = ""


class Achievements(Sourced):
    """Art. 6: bonus capped (50), one award per content key — the highest."""

    cap: Points = Decimal(50)
    level_names: dict[Key, str] = {}
    awards: Annotated[list[AwardType], Field(min_length=1)]


class FaultType(Sourced):
    """A fault (过错): veto (否决性) or general (一般, points per occurrence)."""

    key: Key
    name: Text
    severity: Literal["veto", "general"]
    points: Points = Decimal(0)
    undeclared: Literal["double", "veto"] = "double"


class Faults(Sourced):
    cap: Points | None = None
    types: Annotated[list[FaultType], Field(min_length=1)]


class RaterGroup(Strict):
    key: Key
    name: str
    weight: Annotated[Decimal, Field(gt=0, le=1)]
    weight_by_category: dict[Key, Annotated[Decimal, Field(ge=0, le=1)]] = {}

    def weight_for(self, category: str) -> Decimal:
        return self.weight_by_category.get(category, self.weight)


class Recognition(Sourced):
    """Recognition evaluation (公认度评价): ballots by rater groups converted to points."""

    max_points: Points = Decimal(20)
    groups: Annotated[list[RaterGroup], Field(min_length=1)]
    options: Annotated[dict[str, Annotated[Decimal, Field(ge=0, le=1)]], Field(min_length=2)]
    min_ballots: Annotated[int, Field(ge=1)] = 5
    trimmed_mean: bool = False


class AnnualTarget(Sourced):
    """How the twelve monthly target scores become T, and how many decimals are kept.

    ``bonus``: ``monthly`` scores a target_count item (an annual target, e.g. item 6) every
    month against what is due by then, so exceeding the target adds to T only through the
    months in which the unit was ahead (docs/annual-targets.md works the numbers);
    ``at_year_end`` holds such items at full weight every month and scores them once, at
    the last month, against the whole annual target — the shortfall or bonus goes to T."""

    method: Literal["mean", "last", "weighted"] = "mean"
    bonus: Literal["monthly", "at_year_end"] = "monthly"
    month_weights: dict[Annotated[int, Field(ge=1, le=12)], Points] = {}
    places: Annotated[int, Field(ge=2, le=20)] = 10


class Ranking(Sourced):
    """Ties share a rank unless an ordered tie-break list is given (F: fewer is better)."""

    tie_break: list[Literal["T", "B", "F", "R"]] = []


class Escalation(Sourced):
    """Art. 12(3): 月考核连续2次排后两名的单位,第一次…组织约谈;累计3次…写出书面报告.

    ``bottom_group``: ``below_someone`` (the text's reading) puts a unit in the bottom group
    only when at least one unit of its category scores strictly higher — a month where all
    tie flags nobody; ``boundary_ties`` flags every unit at or below the boundary score.
    ``talk``: ``first`` (the text: the first time a unit is bottom twice in a row) or
    ``every_pair`` (again after every further run of ``talk_consecutive`` months).
    ``repeat_report``: a report at every ``report_cumulative``-th bottom month, not only the
    first."""

    bottom: Annotated[int, Field(ge=1)] = 2
    bottom_group: Literal["below_someone", "boundary_ties"] = "below_someone"
    talk_consecutive: Annotated[int, Field(ge=2)] = 2
    talk: Literal["first", "every_pair"] = "first"
    report_cumulative: Annotated[int, Field(ge=1)] = 3
    repeat_report: bool = True


class Procedure(Sourced):
    due_day: Annotated[int, Field(ge=1, le=28)] = 10
    notice_working_days: Annotated[int, Field(ge=1, le=60)] = 5


class Commendation(Sourced):
    """Advanced units per category: a share of the category, rounded down, at least min."""

    advanced_share: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.2")
    advanced_min: Annotated[int, Field(ge=0)] = 1


class SecondEyes(Sourced):
    """A second person's confirmation (SPEC §11): a cell whose deduction on an item reaches
    the item's whole weight, or ``min_points`` points (whichever comes first), and every
    veto-level fault count only once someone other than the person who entered them — the
    office or the scoring department's head — has confirmed them. ``min_points: null`` or
    ``whole_weight: false`` switches that test off; ``vetoes: false`` lets vetoes count at once."""

    min_points: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)] | None = Decimal(5)
    whole_weight: bool = True
    vetoes: bool = True


class MonthTotal(Sourced):
    """How a month's target score is totalled when the items counting that month do not add
    up to the rubric's total — a target added during the year (Art. 5) raises them:
    ``normalised`` scales the month to the rubric's total of version 1 (百分制), ``summed``
    keeps the raised full marks, ``fixed`` refuses a version that changes the full marks."""

    method: Literal["normalised", "summed", "fixed"] = "normalised"


class VersionInfo(Strict):
    """A later version of the year's scheme (第五条: targets added during the year): its
    number (version 1 is the scheme the year opened with), the month it applies from, why and
    who approved it (部务会 or the leader)."""

    number: Annotated[int, Field(ge=2, le=99)]
    from_month: Annotated[int, Field(ge=2, le=12)]
    reason: Annotated[str, Field(min_length=1, max_length=limits.TEXT_MAX)]
    approved_by: Annotated[str, Field(min_length=1, max_length=limits.LINE_MAX)]
    approved_on: date | None = None


class Scheme(Strict):
    """A year's assessment scheme, validated and frozen."""

    name: Key
    title: str
    year: Annotated[int, Field(ge=2000, le=2100)]
    categories: Annotated[list[Category], Field(min_length=1)]
    departments: Annotated[list[Department], Field(min_length=1)]
    rubrics: Annotated[list[Rubric], Field(min_length=1)]
    achievements: Achievements
    faults: Faults
    recognition: Recognition
    annual_target: AnnualTarget = AnnualTarget()
    ranking: Ranking = Ranking()
    escalation: Escalation = Escalation()
    procedure: Procedure = Procedure()
    commendation: Commendation = Commendation()
    second_eyes: SecondEyes = SecondEyes(source="default")

    month_total: MonthTotal = MonthTotal(source="default")
    version: VersionInfo | None = None

    def category(self, key: str) -> Category:
        return next(c for c in self.categories if c.key == key)

    def rubric(self, key: str) -> Rubric:
        return next(r for r in self.rubrics if r.key == key)

    def department(self, key: str) -> Department:
        return next(d for d in self.departments if d.key == key)

    def award(self, key: str) -> AwardType:
        return next(a for a in self.achievements.awards if a.key == key)

    def fault_type(self, key: str) -> FaultType:
        return next(f for f in self.faults.types if f.key == key)
