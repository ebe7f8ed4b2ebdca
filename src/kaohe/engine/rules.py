"""Item scores from findings, one function per rule kind (SPEC §4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .explain import ZERO, Line, divide
from .facts import Finding
from .index import RubricIndex
from .scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    Rule,
    TargetCountRule,
)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """A target_count item's state at the end of a month: due so far and achieved so far."""

    target: int
    due: int
    achieved: int


def item_ref(item: Item, rubric_title: str = "") -> str:
    return f"{rubric_title}第{item.number}项" if rubric_title else f"细则第{item.number}项"


def finding_line(label: str, amount: Decimal, item: Item, finding: Finding) -> Line:
    return Line(
        label=label,
        amount=amount,
        ref=item_ref(item),
        reason=finding.reason,
        evidence=finding.evidence,
        by=finding.by,
        at=finding.at,
    )


def _floored(weight: Decimal, deductions: list[Line]) -> tuple[Decimal, list[Line]]:
    raw = weight + sum((d.amount for d in deductions), ZERO)
    if raw >= 0:
        return raw, deductions
    floor = Line("扣分以本项分值为限,不低于0分", -raw, note=f"应扣超过{weight}分")
    return ZERO, [*deductions, floor]


def deduction_lines(
    rule: Rule, item: Item, weight: Decimal, findings: Sequence[Finding]
) -> list[Line]:
    """The deduction lines of the findings under a rule with no target and no sub-rubric."""
    lines: list[Line] = []
    for f in findings:
        if isinstance(rule, ChecksRule):
            for key, n in sorted(f.checks.items()):
                check = rule.check(key)
                if check is None or n == 0:
                    continue
                label = check.label + (f" ×{n}" if check.per_occurrence else "")
                lines.append(finding_line(label, -check.points * n, item, f))
        elif isinstance(rule, PerCountRule) and f.count:
            label = f"计{f.count}{rule.counted},每{rule.counted}扣{rule.points}分"
            lines.append(finding_line(label, -rule.points * f.count, item, f))
        elif isinstance(rule, AllOrNothingRule) and f.met is False:
            lines.append(finding_line("目标未完成,不得分", -weight, item, f))
        elif isinstance(rule, DiscretionaryRule) and f.deduction:
            lines.append(finding_line("酌情扣分", -f.deduction, item, f))
    return lines


def score_simple(
    item: Item, weight: Decimal, findings: Sequence[Finding]
) -> tuple[Decimal, list[Line]]:
    """checks / per_count / all_or_nothing / discretionary: weight less deductions, ≥ 0."""
    return _floored(weight, deduction_lines(item.rule, item, weight, findings))


def score_target(
    item: Item, rule: TargetCountRule, progress: TargetProgress, findings: Sequence[Finding]
) -> tuple[Decimal, list[Line]]:
    """Achieved so far against due so far: −short per unit short, +over per unit over (capped)."""
    counted = rule.counted
    context = [
        finding_line(f"本月完成{f.count}{counted}", ZERO, item, f) for f in findings if f.count
    ]
    status = (
        f"年度目标{progress.target}{counted},截至本月应完成{progress.due}{counted},"
        f"累计完成{progress.achieved}{counted}"
    )
    gap = progress.achieved - progress.due
    if gap < 0:
        short = Line(
            f"少完成{-gap}{counted} × {rule.short_points}分",
            -rule.short_points * -gap,
            ref=item_ref(item),
            note=status,
        )
        score, lines = _floored(item.weight, [short])
        return score, [*context, *lines]
    bonus = min(rule.over_points * gap, rule.over_cap)
    if bonus > 0:
        over = Line(
            f"超额完成{gap}{counted},加分(上限{rule.over_cap}分)",
            bonus,
            ref=item_ref(item),
            note=status,
        )
        return item.weight + bonus, [*context, over]
    return item.weight, [*context, Line("完成进度目标", ZERO, ref=item_ref(item), note=status)]


def score_sub_rubric(
    item: Item,
    sub: RubricIndex,
    names: Mapping[str, str],
    findings: Sequence[Finding],
    places: int,
) -> tuple[Decimal, list[Line]]:
    """Each share's department scores the sub-rubric; its score is scaled to the share."""
    total = ZERO
    lines: list[Line] = []
    shares = {s.department: s.points for s in item.departments}
    only = next(iter(shares)) if len(shares) == 1 else None
    for department, points in shares.items():
        mine = [f for f in findings if (f.department or only) == department]
        sub_score = sub.rubric.total
        sub_lines: list[Line] = []
        by_item: dict[str, list[Finding]] = {}
        for f in mine:
            by_item.setdefault(f.sub_item or "", []).append(f)
        for number in sorted(by_item, key=_natural):
            sub_item = sub.items[number]
            score, detail = score_simple(sub_item, sub_item.weight, by_item[number])
            if score != sub_item.weight:
                sub_lines.append(
                    Line(
                        f"{sub.rubric.title}第{number}项",
                        score - sub_item.weight,
                        ref=item_ref(sub_item, sub.rubric.title),
                        children=tuple(detail),
                    )
                )
            sub_score += score - sub_item.weight
        scaled = divide(sub_score * points, sub.rubric.total, places)
        total += scaled
        note = f"{sub_score} ÷ {sub.rubric.total} × {points}"
        lines.append(
            Line(
                f"{names[department]}:{sub.rubric.title}得分{sub_score},折算为{scaled}分",
                scaled - points,
                note=note,
                children=tuple(sub_lines),
            )
        )
    return total, lines


def _natural(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def score_shares(
    item: Item, names: Mapping[str, str], findings: Sequence[Finding]
) -> tuple[Decimal, list[Line]]:
    """An item scored jointly: the rule applies to each department's share separately."""
    if len(item.departments) == 1:
        return score_simple(item, item.weight, findings)
    total = ZERO
    lines: list[Line] = []
    for share in item.departments:
        mine = [f for f in findings if f.department == share.department]
        score, detail = score_simple(item, share.points, mine)
        total += score
        if detail:
            lines.append(
                Line(
                    f"{names[share.department]}所评{share.points}分",
                    score - share.points,
                    children=tuple(detail),
                )
            )
    return total, lines
