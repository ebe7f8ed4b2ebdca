"""Limits of every value a user can give, declared once (限值).

The engine's facts, the Django models and the forms all take their bounds from here, so
nothing can be stored that a later step refuses. Pure Python: no Django import.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

# identifiers: unit codes, item and check keys, award and level keys, content keys
REF_MAX = 64
# one line of free text: names, document numbers, evidence references in a cell
LINE_MAX = 200
# free text: reasons, descriptions, comments, objections, answers
TEXT_MAX = 4000
# counts of occurrences or achievements found in one cell for one month
COUNT_MAX = 1_000_000
# occurrences of one fault in one declaration
OCCURRENCES_MAX = 1000
# discretionary points: at most 12 digits, 4 after the point (0.0001 points)
AMOUNT_MAX_DIGITS = 12
AMOUNT_DECIMAL_PLACES = 4
AMOUNT_MAX = Decimal("99999999.9999")
# years the system accepts
YEAR_MIN, YEAR_MAX = 2000, 2100
# user names (Django's username column)
NAME_MAX = 150
# ballot codes issued at once for one group
CODES_MAX = 5000

# Characters refused in any text: C0/C1 controls except tab and line breaks, and the
# bidirectional overrides that can make a reason read differently from what it says.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def forbidden_char(value: str, *, multiline: bool = True) -> str | None:
    """The first character ``value`` may not contain, or None: controls other than tab and
    (when ``multiline``) line breaks, unassigned or private-use code points, bidi overrides."""
    for ch in value:
        if ch in _ALLOWED_CONTROLS:
            if not multiline and ch != "\t":
                return ch
            continue
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            return ch
    return None
