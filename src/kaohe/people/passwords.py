"""Password rules beyond Django's own (length, common passwords, likeness to the user's names):
the unit or department the account belongs to, a strength estimate (zxcvbn) and an upper
bound. Each says its reason in the interface language (Chinese by default)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

from kaohe.engine import limits

# zxcvbn is quadratic in the worst case and refuses over 72 characters: only this much is estimated (a longer
# one is strong by length alone).
ESTIMATE_CHARS = 72  # zxcvbn refuses longer ones


def _names(user: Any) -> list[str]:
    """What an attacker who knows the account guesses first: its unit's and department's names
    and codes, and the user's own names."""
    if user is None:
        return []
    names = [
        getattr(user, "username", ""),
        getattr(user, "display_name", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        getattr(user, "email", ""),
    ]
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is not None:
        names += [unit.name, unit.code, unit.secretary]
    department = getattr(user, "department", None) if getattr(user, "department_id", None) else None
    if department is not None:
        names += [department.name, department.key]
    return [str(n) for n in names if n]


class MaximumLengthValidator:
    """A password longer than any form accepts is refused the same way everywhere (the admin
    and the command line too)."""

    def __init__(self, max_length: int = limits.NAME_MAX) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is longer than %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters.") % {"max": self.max_length}


class UnitNameValidator:
    """Not the unit's or department's name or code, nor close to one (nor containing one)."""

    def __init__(self, max_similarity: float = 0.7) -> None:
        self.max_similarity = max_similarity

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
        department = (
            getattr(user, "department", None) if getattr(user, "department_id", None) else None
        )
        names = []
        if unit is not None:
            names += [unit.name, unit.code]
        if department is not None:
            names += [department.name, department.key]
        for name in names:
            value = str(name).lower()
            if len(value) < 2:
                continue
            close = SequenceMatcher(a=lowered, b=value).quick_ratio() >= self.max_similarity
            if value in lowered or close:
                raise ValidationError(
                    _("The password is too like the name or code of your unit or department."),
                    code="password_like_unit",
                )

    def get_help_text(self) -> str:
        return _("Not like the name or code of your unit or department.")


class StrengthValidator:
    """The zxcvbn estimate (0 to 4) of how guessable the password is, the user's and unit's
    names counted as known to the attacker; at least ``min_score``."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [n[: limits.NAME_MAX] for n in _names(user)]
        score = int(zxcvbn(password[:ESTIMATE_CHARS], user_inputs=inputs)["score"])
        if score < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess (strength %(score)d of 4, at least "
                    "%(min)d needed). Use a longer phrase of unrelated words, or mix in digits "
                    "and signs."
                )
                % {"score": score, "min": self.min_score},
                code="password_weak",
            )

    def get_help_text(self) -> str:
        return _("Hard to guess: not a word, name, date or keyboard pattern with a few changes.")
