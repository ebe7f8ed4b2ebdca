"""Year-end components (Art. 4): target T, achievements B, faults F, recognition R."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .explain import ZERO, Line, divide, fmt, statement
from .facts import Achievement, Fault, Tally
from .index import ABSTAIN
from .monthly import MonthScore
from .scheme import AnnualTarget, Scheme

REF_T = "第五条、第十一条(二)"
REF_B = "第六条"
REF_F = "第七条(过错)、第十一条(一)"
REF_R = "第四条(公认度评价)"


def target_score(
    months: Sequence[MonthScore],
    settings: AnnualTarget,
    month_lines: Sequence[Line] = (),
    year_end: Line | None = None,
) -> Line:
    """T from the monthly target scores, by the scheme's method; ``month_lines`` (when
    explaining) become its children; ``year_end`` (annual-target items scored once at the
    year's end) is added to it."""
    t = _from_months(months, settings, month_lines)
    if year_end is None:
        return t
    return Line(
        t.label,
        t.amount + year_end.amount,
        ref=t.ref,
        note=f"{t.note};加年度目标项年终考核{fmt(year_end.amount)}",
        children=(*t.children, year_end),
    )


def _from_months(
    months: Sequence[MonthScore], settings: AnnualTarget, month_lines: Sequence[Line]
) -> Line:
    children = tuple(month_lines)
    if not months:
        return Line("目标成绩", ZERO, ref=REF_T, note="尚无月度成绩")
    total = sum((m.score for m in months), ZERO)
    if settings.method == "last":
        last = max(months, key=lambda m: m.month)
        chosen = tuple(c for c in children if c.label.startswith(f"{last.month}月"))
        return Line(
            "目标成绩(取末月)", last.score, ref=REF_T, note=f"取{last.month}月", children=chosen
        )
    if settings.method == "weighted":
        weights = {m.month: settings.month_weights.get(m.month, ZERO) for m in months}
        weighted = sum((m.score * weights[m.month] for m in months), ZERO)
        value = divide(weighted, sum(weights.values(), ZERO) or Decimal(1), settings.places)
        note = "按月加权平均:" + ",".join(f"{k}月×{fmt(w)}" for k, w in sorted(weights.items()))
        return Line("目标成绩(加权平均)", value, ref=REF_T, note=note, children=children)
    value = divide(total, Decimal(len(months)), settings.places)
    note = f"{len(months)}个月目标得分之和{fmt(total)} ÷ {len(months)}"
    return Line("目标成绩(月度平均)", value, ref=REF_T, note=note, children=children)


def achievement_bonus(scheme: Scheme, achievements: Sequence[Achievement]) -> Line:
    """B: per content key only the highest award counts; the sum is capped (Art. 6)."""
    settings = scheme.achievements
    levels = settings.level_names
    by_content: dict[str, list[tuple[Decimal, Achievement]]] = {}
    for a in achievements:
        value = scheme.award(a.award).levels[a.level]
        by_content.setdefault(a.content, []).append((value, a))
    lines: list[Line] = []
    total = ZERO
    for content in sorted(by_content):
        ranked = sorted(by_content[content], key=lambda pair: (-pair[0], pair[1].id))
        for position, (value, a) in enumerate(ranked):
            label = f"{scheme.award(a.award).name}({levels.get(a.level, a.level)})"
            counted = position == 0
            lines.append(
                Line(
                    label if counted else f"{label}:同一内容按最高项计,不重复加分",
                    value if counted else ZERO,
                    ref=REF_B,
                    reason=a.description,
                    evidence=" ".join(x for x in (a.document, a.evidence) if x),
                    note=f"内容:{content}" + ("" if counted else f";未计{fmt(value)}分"),
                )
            )
            total += value if counted else ZERO
    if total > settings.cap:
        lines.append(Line(f"加分最多不超过{fmt(settings.cap)}分", settings.cap - total, ref=REF_B))
        total = settings.cap
    return Line("业绩加分", total, ref=REF_B, children=tuple(lines))


@dataclass(frozen=True, slots=True)
class FaultResult:
    line: Line
    vetoes: tuple[Line, ...]


def fault_deduction(scheme: Scheme, faults: Sequence[Fault]) -> FaultResult:
    """F: general faults deduct points per occurrence, doubled when undeclared and found;
    veto faults — and undeclared faults whose type says so — veto the unit (Art. 11(1))."""
    lines: list[Line] = []
    vetoes: list[Line] = []
    total = ZERO
    for f in sorted(faults, key=lambda f: (f.date or date.min, f.id, f.type)):
        kind = scheme.fault_type(f.type)
        evidence = f.evidence
        hidden = "" if f.declared else "未上报、经查实"
        if kind.severity == "veto" or (not f.declared and kind.undeclared == "veto"):
            note = "否决性过错" if kind.severity == "veto" else "未上报,按规定一票否决"
            veto = Line(
                kind.name,
                ZERO,
                statement=True,
                ref=REF_F,
                reason=f.description,
                evidence=evidence,
                note=";".join(x for x in (note, hidden) if x),
            )
            vetoes.append(veto)
            lines.append(veto)
            continue
        factor = 2 if not f.declared and kind.undeclared == "double" else 1
        amount = kind.points * f.occurrences * factor
        note = f"{fmt(kind.points)}分 × {f.occurrences}次" + (
            " × 2(未上报,加倍扣分)" if factor == 2 else ""
        )
        lines.append(
            Line(kind.name, amount, ref=REF_F, reason=f.description, evidence=evidence, note=note)
        )
        total += amount
    cap = scheme.faults.cap
    if cap is not None and total > cap:
        lines.append(Line(f"扣分上限{fmt(cap)}分", cap - total, ref=REF_F))
        total = cap
    note = "被否决" if vetoes else ""
    return FaultResult(
        Line("过错扣分", total, ref=REF_F, note=note, children=tuple(lines)), tuple(vetoes)
    )


@dataclass(frozen=True, slots=True)
class RecognitionResult:
    line: Line
    flags: tuple[str, ...]


def recognition_score(scheme: Scheme, category: str, tallies: Sequence[Tally]) -> RecognitionResult:
    """R = max × Σ(group weight × mean coefficient) over groups with enough ballots; the weight
    of a group left out is spread over the others (pro rata) and the unit is flagged."""
    settings = scheme.recognition
    places = scheme.annual_target.places
    by_group = {t.group: t for t in tallies}
    used: list[tuple[Decimal, Decimal, Line]] = []
    lines: list[Line] = []
    flags: list[str] = []
    for group in settings.groups:
        weight = group.weight_for(category)
        if weight == 0:
            continue
        n, total, low, high = _tally(by_group.get(group.key), settings.options)
        if n < settings.min_ballots:
            flags.append(f"{group.name}有效票{n}张,少于{settings.min_ballots}张,不计入")
            lines.append(
                statement(
                    f"{group.name}(权重{fmt(weight)}):有效票不足,不计入",
                    ref=REF_R,
                    note=f"有效票{n}张,少于{settings.min_ballots}张",
                )
            )
            continue
        note = f"有效票{n}张"
        if settings.trimmed_mean and n >= 3:
            total, n = total - low - high, n - 2
            note += ",去掉一个最高、一个最低"
        mean = divide(total, Decimal(n), places)
        used.append((weight, mean, Line(group.name, ZERO, note=f"{note};平均系数{fmt(mean)}")))
    if not used:
        flags.append("无有效公认度评价")
        return RecognitionResult(
            Line("公认度评价得分", ZERO, ref=REF_R, note="无有效分组", children=tuple(lines)),
            tuple(flags),
        )
    weight_sum = sum((w for w, _, _ in used), ZERO)
    total = ZERO
    for weight, mean, line in used:
        share = divide(settings.max_points * weight * mean, weight_sum, places)
        total += share
        spread = "" if weight_sum == 1 else f";权重按{fmt(weight)}÷{fmt(weight_sum)}重新分配"
        lines.append(
            Line(
                f"{line.label}(权重{fmt(weight)})",
                share,
                ref=REF_R,
                note=f"{line.note};{fmt(settings.max_points)} × {fmt(weight)} × 平均系数{spread}",
            )
        )
    return RecognitionResult(
        Line("公认度评价得分", total, ref=REF_R, children=tuple(lines)), tuple(flags)
    )


def _tally(
    tally: Tally | None, options: dict[str, Decimal]
) -> tuple[int, Decimal, Decimal, Decimal]:
    """Valid ballots (abstentions not counted): number, sum, lowest and highest coefficient."""
    if tally is None:
        return 0, ZERO, ZERO, ZERO
    counted = {o: c for o, c in tally.counts.items() if o not in ABSTAIN and c > 0}
    if not counted:
        return 0, ZERO, ZERO, ZERO
    total = sum((options[o] * c for o, c in counted.items()), ZERO)
    coefficients = [options[o] for o in counted]
    return sum(counted.values()), total, min(coefficients), max(coefficients)
