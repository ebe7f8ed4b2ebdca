"""Form fields and model validators bounded by ``engine.limits`` (the one place limits live).

Every form takes its text, count and amount fields from here, so a value the form accepts
is a value the model stores and the engine's facts take.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits


@deconstructible
class TextValidator:
    """Refuses control, unassigned and bidi-override characters (and line breaks in a line)."""

    def __init__(self, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        ch = limits.forbidden_char(str(value), multiline=self.multiline)
        if ch is None:
            return
        if ch in "\r\n":
            raise ValidationError(_("One line only, without line breaks."), code="line")
        raise ValidationError(
            _("The character U+%(code)04X is not allowed here."),
            code="character",
            params={"code": ord(ch)},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


text_validator = TextValidator(multiline=True)
line_validator = TextValidator(multiline=False)


class TextField(forms.CharField):
    """Free text: reasons, descriptions, comments (at most ``limits.TEXT_MAX``)."""

    def __init__(self, *, max_length: int = limits.TEXT_MAX, rows: int = 3, **kwargs: Any):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(text_validator)


class LineField(forms.CharField):
    """One line: names, document numbers, evidence references (``limits.LINE_MAX``)."""

    def __init__(self, *, max_length: int = limits.LINE_MAX, **kwargs: Any):
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(line_validator)


class RefField(LineField):
    """An identifier or key (``limits.REF_MAX``)."""

    def __init__(self, **kwargs: Any):
        super().__init__(max_length=limits.REF_MAX, **kwargs)


class CountField(forms.IntegerField):
    """A count of occurrences or achievements (0 … ``limits.COUNT_MAX``)."""

    def __init__(self, *, max_value: int = limits.COUNT_MAX, min_value: int = 0, **kwargs: Any):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class AmountField(forms.DecimalField):
    """Points: ≥ 0, ``limits.AMOUNT_MAX_DIGITS`` digits, ``limits.AMOUNT_DECIMAL_PLACES``
    after the point; exponents and non-finite values are refused by DecimalField."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("min_value", 0)
        super().__init__(
            max_digits=limits.AMOUNT_MAX_DIGITS,
            decimal_places=limits.AMOUNT_DECIMAL_PLACES,
            **kwargs,
        )
