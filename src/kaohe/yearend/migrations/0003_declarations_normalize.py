"""Bring stored declarations within the engine's bounds before they are enforced (0004).

Before 0004 a unit could store a content of up to 100 characters, any description and any
number of occurrences; the engine refuses more than 64, 4,000 and 1,000, which made every
year-end page fail. Each row outside the bounds is changed as little as possible and
reported on the migration's output:

- content over 64: its first 56 characters, "~" and 7 hex digits of its SHA-256 (equal
  contents stay equal, different ones different: "one content counts once" is unchanged);
  the full content is appended to the description;
- document number over 200, description or reason over 4,000: cut, ending in "…";
- occurrences below 1 or above 1,000: brought to the nearest bound;
- control and bidi-override characters: removed (line breaks in one-line fields: a space).
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from django.db import migrations

from kaohe.engine import limits

ONE_LINE = ("content", "document_no")
MULTILINE = ("description", "decision_reason")


def _clean(value: str, *, multiline: bool) -> str:
    if not multiline:
        value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    while (ch := limits.forbidden_char(value, multiline=multiline)) is not None:
        value = value.replace(ch, "")
    return value


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def normalized(row: dict[str, Any]) -> dict[str, Any]:
    """The changes that bring one declaration's values within the bounds (empty: none)."""
    new = dict(row)
    for field in ONE_LINE:
        new[field] = _clean(new[field], multiline=False)
    for field in MULTILINE:
        new[field] = _clean(new[field], multiline=True)
    content = new["content"]
    if len(content) > limits.REF_MAX:
        digest = hashlib.sha256(content.encode()).hexdigest()[:7]
        new["content"] = content[: limits.REF_MAX - 8] + "~" + digest
        new["description"] = f"{new['description']}\n〔原内容〕{content}"
    new["document_no"] = _cut(new["document_no"], limits.LINE_MAX)
    for field in MULTILINE:
        new[field] = _cut(new[field], limits.TEXT_MAX)
    new["occurrences"] = min(max(new["occurrences"], 1), limits.OCCURRENCES_MAX)
    return {key: value for key, value in new.items() if value != row[key]}


def bring_within_bounds(apps: Any, schema_editor: Any) -> None:
    declaration = apps.get_model("yearend", "Declaration")
    fields = [*ONE_LINE, *MULTILINE, "occurrences"]
    for pk, *values in declaration.objects.values_list("pk", *fields).order_by("pk"):
        changes = normalized(dict(zip(fields, values, strict=True)))
        if changes:
            declaration.objects.filter(pk=pk).update(**changes)
            sys.stdout.write(
                f"\n  declaration #{pk} brought within bounds: {', '.join(sorted(changes))}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("yearend", "0002_declaration_labels"),
    ]

    operations = [
        migrations.RunPython(bring_within_bounds, migrations.RunPython.noop, elidable=True),
    ]
