"""Explanation lines: every figure the engine produces opens into the lines that make it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Line:
    """One explained amount. ``amount`` is signed; a parent's amount is the sum of its
    children's unless ``note`` says how it was derived (a mean, a scaling, a cap).
    A ``statement`` (a rank, an escalation, a veto, a note) carries no points: pages and the
    command line show its words only, never "0.00"."""

    label: str
    amount: Decimal
    ref: str = ""
    reason: str = ""
    evidence: str = ""
    by: str = ""
    at: str = ""
    note: str = ""
    children: tuple[Line, ...] = ()
    statement: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "amount": fmt(self.amount)}
        for name in ("ref", "reason", "evidence", "by", "at", "note"):
            value = getattr(self, name)
            if value:
                data[name] = value
        if self.statement:
            data["statement"] = True
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data

    def negated(self) -> Line:
        """The same line as a deduction: its amount and every child's with the sign turned
        (F is kept as a positive number of points and shown as −F in the total)."""
        return replace(
            self, amount=-self.amount, children=tuple(c.negated() for c in self.children)
        )


def statement(label: str, ref: str = "", note: str = "") -> Line:
    return Line(label, ZERO, ref=ref, note=note, statement=True)


def fmt(value: Decimal) -> str:
    """Exact, without trailing zeros or exponent: 93.4166666667, 4, 0.5, -2."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown(value: Decimal, places: int = 2) -> str:
    """Rounded for display (ranking always uses the unrounded value)."""
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


_WIDE = Context(prec=60, rounding=ROUND_HALF_UP)
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(0, 21)}


def divide(numerator: Decimal, denominator: Decimal, places: int) -> Decimal:
    """Division rounded half-up to ``places`` decimals (the scheme's kept precision), with
    trailing zeros dropped; 60 digits before rounding, so no double-rounding in practice."""
    quotient = _WIDE.divide(numerator, denominator)
    result = _WIDE.quantize(quotient, _QUANTA[places])
    return result if result != result.to_integral_value() else _WIDE.quantize(result, _QUANTA[0])


_LONG_FIGURE = re.compile(r"(?<![\d.])-?\d+\.\d{3,}(?![\d.])")


def display_figures(text: str) -> str:
    """Figures in a note shown to two decimals (35.5000000000 → 35.50, 0.9384615385 →
    0.94); the exact values stay in the engine and in its JSON."""
    return _LONG_FIGURE.sub(lambda m: shown(Decimal(m.group(0))), text)


def render(line: Line, depth: int = 0) -> list[str]:
    """The tree as indented text lines, for the command line (figures to two decimals)."""
    sign = "+" if line.amount > 0 and depth else ""
    figure = "" if line.statement else f": {sign}{shown(line.amount)}"
    parts = [f"{'  ' * depth}{line.label}{figure}"]
    extra = [x for x in (line.ref, line.reason, line.evidence and f"证据 {line.evidence}") if x]
    if line.by or line.at:
        extra.append(" ".join(x for x in (line.by, line.at) if x))
    if line.note:
        extra.append(display_figures(line.note))
    if extra:
        parts[0] += "  〔" + ";".join(extra) + "〕"
    for child in line.children:
        parts.extend(render(child, depth + 1))
    return parts
