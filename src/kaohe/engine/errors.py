"""Validation errors that name every problem with its path, so nothing half-loads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import ValidationError

from .scheme import RULE_KINDS


class InputError(ValueError):
    """A scheme or facts file that failed validation; ``errors`` lists ``path: message``."""

    def __init__(self, source: str, errors: Sequence[str]) -> None:
        self.source = source
        self.errors = list(errors)
        super().__init__(f"{source}: {len(self.errors)} error(s)\n" + "\n".join(self.errors))


def format_path(loc: Iterable[int | str]) -> str:
    """('rubrics', 0, 'items', 5, 'rule', 'target_count', 'over_cap') → rubrics[0].items[5]...;
    the union tag pydantic inserts after ``rule`` is dropped."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (previous == "rule" and part in RULE_KINDS):
            out += f".{part}" if out else part
        previous = part
    return out or "(top)"


def pydantic_messages(error: ValidationError) -> list[str]:
    return [f"{format_path(e['loc'])}: {e['msg']}" for e in error.errors()]


def duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated
