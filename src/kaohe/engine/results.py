"""Use of the results (结果运用, Art. 12): advanced units, cadres, who is ineligible."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .explain import Line, statement
from .ranking import RankRow
from .scheme import Scheme

if TYPE_CHECKING:
    from .compute import UnitYear

REF_UNITS = "第十二条(一)"
REF_CADRES = "第十二条(二)"


@dataclass(frozen=True, slots=True)
class Cadre:
    unit: str
    name: str
    role: str  # "secretary" | "leader"

    @property
    def role_label(self) -> str:
        return "党组织主要负责人" if self.role == "secretary" else "分管领导"


@dataclass(frozen=True, slots=True)
class ResultsUse:
    category: str
    quota: int
    advanced: tuple[RankRow, ...]
    cadre_priority: tuple[Cadre, ...]
    ineligible_units: tuple[RankRow, ...]
    ineligible_cadres: tuple[Cadre, ...]

    def lines_for(self, unit_id: str) -> list[Line]:
        lines: list[Line] = []
        if any(r.unit == unit_id for r in self.advanced):
            lines.append(
                statement(
                    "推荐为组织工作先进单位(按名次)", ref=REF_UNITS, note=f"本类名额{self.quota}个"
                )
            )
        if any(r.unit == unit_id for r in self.ineligible_units):
            lines.append(statement("不得评为组织系统先进", ref=REF_UNITS, note="考核被否决"))
            names = "、".join(c.name for c in self.ineligible_cadres if c.unit == unit_id)
            if names:
                lines.append(
                    statement(
                        "党组织主要负责人及分管领导不得评为组织系统先进",
                        ref=REF_CADRES,
                        note=names,
                    )
                )
        return lines


def _cadres(unit: UnitYear) -> list[Cadre]:
    found = [Cadre(unit.unit.id, unit.unit.secretary, "secretary")] if unit.unit.secretary else []
    return found + [Cadre(unit.unit.id, name, "leader") for name in unit.unit.leaders]


def results_use(
    scheme: Scheme, years: Mapping[str, UnitYear], annual: Mapping[str, Sequence[RankRow]]
) -> dict[str, ResultsUse]:
    """Advanced units: the top share of each category (rounded down, at least the minimum),
    in rank order, vetoed never; units tied with the last place are all included."""
    settings = scheme.commendation
    result: dict[str, ResultsUse] = {}
    for category, rows in annual.items():
        quota = max(settings.advanced_min, math.floor(len(rows) * settings.advanced_share))
        quota = min(quota, len(rows))
        advanced = tuple(r for r in rows if r.rank is not None and r.rank <= quota)
        vetoed = tuple(r for r in rows if r.vetoed)
        result[category] = ResultsUse(
            category=category,
            quota=quota,
            advanced=advanced,
            cadre_priority=tuple(c for r in advanced for c in _cadres(years[r.unit])),
            ineligible_units=vetoed,
            ineligible_cadres=tuple(c for r in vetoed for c in _cadres(years[r.unit])),
        )
    return result
