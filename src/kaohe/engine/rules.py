"""Item scores from findings, one branch per rule kind (SPEC §4).

Every function does the same arithmetic with or without ``explain``; with it, it also
returns the lines that account for the score. Rankings over many units compute without
lines; a unit's page or ``kaohe explain`` recomputes the same figures with them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .explain import ZERO, Line, divide, statement
from .facts import Finding
from .index import RubricIndex
from .scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    TargetCountRule,
)

Scored = tuple[Decimal, list[Line]]


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


def _floored(weight: Decimal, deducted: Decimal, lines: list[Line], explain: bool) -> Scored:
    raw = weight - deducted
    if raw >= 0:
        return raw, lines
    if explain:
        lines.append(Line("扣分以本项分值为限,不低于0分", -raw, note=f"应扣超过{weight}分"))
    return ZERO, lines


def score_simple(
    item: Item, weight: Decimal, findings: Sequence[Finding], explain: bool = False
) -> Scored:
    """checks / per_count / all_or_nothing / discretionary: weight less deductions, ≥ 0."""
    rule = item.rule
    deducted = ZERO
    lines: list[Line] = []
    for f in findings:
        if isinstance(rule, ChecksRule):
            for key, n in sorted(f.checks.items()):
                check = rule.check(key)
                if check is None or n == 0:
                    continue
                deducted += check.points * n
                if explain:
                    label = check.label + (f" ×{n}" if check.per_occurrence else "")
                    lines.append(finding_line(label, -check.points * n, item, f))
        elif isinstance(rule, PerCountRule) and f.count:
            deducted += rule.points * f.count
            if explain:
                label = f"计{f.count}{rule.counted},每{rule.counted}扣{rule.points}分"
                lines.append(finding_line(label, -rule.points * f.count, item, f))
        elif isinstance(rule, AllOrNothingRule) and f.met is False:
            deducted += weight
            if explain:
                lines.append(finding_line("目标未完成,不得分", -weight, item, f))
        elif isinstance(rule, DiscretionaryRule) and f.deduction:
            deducted += f.deduction
            if explain:
                lines.append(finding_line("酌情扣分", -f.deduction, item, f))
    return _floored(weight, deducted, lines, explain)


def score_target(
    item: Item,
    rule: TargetCountRule,
    progress: TargetProgress,
    findings: Sequence[Finding],
    explain: bool = False,
) -> Scored:
    """Achieved so far against due so far: −short per unit short, +over per unit over (capped)."""
    gap = progress.achieved - progress.due
    short = rule.short_points * -gap if gap < 0 else ZERO
    bonus = min(rule.over_points * gap, rule.over_cap) if gap > 0 else ZERO
    score = max(ZERO, item.weight - short) + bonus
    if not explain:
        return score, []
    counted = rule.counted
    lines = [
        finding_line(f"本月完成{f.count}{counted}", ZERO, item, f) for f in findings if f.count
    ]
    status = (
        f"年度目标{progress.target}{counted},截至本月应完成{progress.due}{counted},"
        f"累计完成{progress.achieved}{counted}"
    )
    ref = item_ref(item)
    if short:
        label = f"少完成{-gap}{counted} × {rule.short_points}分"
        lines.append(Line(label, -short, ref=ref, note=status))
        _floored(item.weight, short, lines, explain)
    elif bonus:
        label = f"超额完成{gap}{counted},加分(上限{rule.over_cap}分)"
        lines.append(Line(label, bonus, ref=ref, note=status))
    else:
        lines.append(statement("完成进度目标", ref=ref, note=status))
    return score, lines


def score_sub_rubric(
    item: Item,
    sub: RubricIndex,
    names: Mapping[str, str],
    findings: Sequence[Finding],
    places: int,
    explain: bool = False,
) -> Scored:
    """Each share's department scores the sub-rubric; its score is scaled to the share."""
    total = ZERO
    lines: list[Line] = []
    only = item.departments[0].department if len(item.departments) == 1 else None
    for share in item.departments:
        mine = [f for f in findings if (f.department or only) == share.department]
        by_item: dict[str, list[Finding]] = {}
        for f in mine:
            by_item.setdefault(f.sub_item or "", []).append(f)
        sub_score = sub.rubric.total
        sub_lines: list[Line] = []
        for number in sorted(by_item, key=natural):
            sub_item = sub.items[number]
            score, detail = score_simple(sub_item, sub_item.weight, by_item[number], explain)
            sub_score += score - sub_item.weight
            if explain and score != sub_item.weight:
                ref = item_ref(sub_item, sub.rubric.title)
                sub_lines.append(
                    Line(ref, score - sub_item.weight, ref=ref, children=tuple(detail))
                )
        scaled = divide(sub_score * share.points, sub.rubric.total, places)
        total += scaled
        if explain:
            label = f"{names[share.department]}:{sub.rubric.title}得分{sub_score},折算为{scaled}分"
            note = f"{sub_score} ÷ {sub.rubric.total} × {share.points}"
            lines.append(Line(label, scaled - share.points, note=note, children=tuple(sub_lines)))
    return total, lines


def natural(number: str) -> tuple[int, str]:
    """Item numbers in reading order: 2 before 10."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def score_shares(
    item: Item, names: Mapping[str, str], findings: Sequence[Finding], explain: bool = False
) -> Scored:
    """An item scored jointly: the rule applies to each department's share separately."""
    if len(item.departments) == 1:
        return score_simple(item, item.weight, findings, explain)
    total = ZERO
    lines: list[Line] = []
    for share in item.departments:
        mine = [f for f in findings if f.department == share.department]
        score, detail = score_simple(item, share.points, mine, explain)
        total += score
        if detail:
            label = f"{names[share.department]}所评{share.points}分"
            lines.append(Line(label, score - share.points, children=tuple(detail)))
    return total, lines
