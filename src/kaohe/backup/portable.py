"""The portable dump: every table, in dependency order, as gzip-compressed JSON lines, written
and loaded through Django so it restores into SQLite or PostgreSQL alike.

Unlike ``dumpdata``/``loaddata`` it keeps datetimes at full microsecond precision (Django's
JSON encoder cuts them to milliseconds, which breaks the audit chain's hashes), keeps primary
keys, and loads rows as they were (``auto_now`` fields are not touched).

One table is a header line ``{"table": …, "model": "app.model", "fields": [attnames],
"count": n}`` followed by its ``n`` rows, each a JSON list in the order of ``fields``.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models
from django.utils.duration import duration_iso_string

from .archive import ArchiveError

BATCH = 500


def record_models() -> list[type[models.Model]]:
    """Every table Django manages (auto-created many-to-many tables included), ordered so a
    table comes after the tables it refers to (cycles, if any, broken by name)."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    found.sort(key=lambda m: m._meta.label_lower)
    needs: dict[type[models.Model], set[type[models.Model]]] = {}
    for model in found:
        targets = {
            f.related_model._meta.concrete_model
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model is not None
            and not isinstance(f.related_model, str)
        }
        needs[model] = {t for t in targets if t is not model and t in found}
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    while len(ordered) < len(found):
        ready = [m for m in found if m not in placed and needs[m] <= placed]
        if not ready:  # a cycle: take the first by name, its rows load in the same transaction
            ready = [next(m for m in found if m not in placed)]
        for model in ready:
            ordered.append(model)
            placed.add(model)
    return ordered


def encode(value: Any) -> Any:
    """A column value as JSON; decoded again by the field's ``to_python``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # microseconds kept
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot dump a {type(value).__name__}")


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def dump(out: IO[bytes], using: str) -> dict[str, int]:
    """Write every table of ``using`` (call inside the backup's transaction); counts by table."""
    counts: dict[str, int] = {}
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        for model in record_models():
            fields = _columns(model)
            rows = model._base_manager.using(using).order_by("pk")
            count = rows.count()
            header = {
                "table": model._meta.db_table,
                "model": model._meta.label_lower,
                "fields": [f.attname for f in fields],
                "count": count,
            }
            gz.write(_line(header))
            json_fields = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
            written = 0
            for row in rows.values_list(*[f.attname for f in fields]).iterator(chunk_size=2000):
                gz.write(_line([v if i in json_fields else encode(v) for i, v in enumerate(row)]))
                written += 1
            if written != count:  # cannot happen inside one transaction; never write a lie
                raise RuntimeError(f"{model._meta.db_table}: counted {count}, read {written}")
            counts[model._meta.db_table] = count
    return counts


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def read_tables(path: Path) -> Iterator[tuple[dict[str, Any], Iterator[list[Any]]]]:
    """(header, rows) for each table of a dump file; rows must be consumed in order."""
    with gzip.open(path, "rb") as gz:
        lines = iter(gz)
        for raw in lines:
            header = json.loads(raw)
            if not isinstance(header, dict) or "table" not in header:
                raise ArchiveError("可移植转储格式错误:缺少表头行")
            yield header, _rows(lines, int(header["count"]), header["table"])


def _rows(lines: Iterator[bytes], count: int, table: str) -> Iterator[list[Any]]:
    for _ in range(count):
        raw = next(lines, None)
        if raw is None:
            raise ArchiveError(f"可移植转储中表 {table} 的记录不完整")
        row = json.loads(raw)
        if not isinstance(row, list):
            raise ArchiveError(f"可移植转储中表 {table} 的记录格式错误")
        yield row


def scan(path: Path) -> dict[str, dict[str, Any]]:
    """Each table's header and its actual number of rows (a check before loading)."""
    found: dict[str, dict[str, Any]] = {}
    for header, rows in read_tables(path):
        found[header["table"]] = {**header, "rows": sum(1 for _ in rows)}
    return found


def check_fields(tables: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between the dump's tables and columns and this installation's models."""
    problems = []
    ours = {m._meta.db_table: m for m in record_models()}
    for table, header in tables.items():
        model = ours.get(table)
        if model is None:
            problems.append(f"表 {table} 在本程序中不存在")
            continue
        mine = [f.attname for f in _columns(model)]
        if sorted(mine) != sorted(header["fields"]):
            problems.append(f"表 {table} 的字段与本程序不同")
    for table in sorted(set(ours) - set(tables)):
        problems.append(f"本程序的表 {table} 不在档案中")
    return problems


def load(path: Path, using: str) -> dict[str, int]:
    """Empty every record table of ``using`` (what migrations put there) and insert the dump's
    rows as they were; call inside a transaction. Sequences are moved past the loaded keys."""
    connection = connections[using]
    ours = {m._meta.db_table: m for m in record_models()}
    tables = [t for t in ours if t in connection.introspection.table_names()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # TRUNCATE waits for no deferred check
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    counts: dict[str, int] = {}
    for header, rows in read_tables(path):
        model = ours[header["table"]]
        by_name = {f.attname: f for f in _columns(model)}
        fields = [by_name[name] for name in header["fields"]]
        counts[header["table"]] = _insert(model, fields, rows, using)
    connection.check_constraints(table_names=tables)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(ours.values())):
            cursor.execute(statement)
    return counts


def _insert(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    rows: Iterable[list[Any]],
    using: str,
) -> int:
    manager = model._base_manager
    json_fields = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    batch: list[models.Model] = []
    count = 0
    for row in rows:
        obj = model()
        for i, (field, value) in enumerate(zip(fields, row, strict=True)):
            setattr(obj, field.attname, value if i in json_fields else field.to_python(value))
        batch.append(obj)
        if len(batch) >= BATCH:
            count += _flush(manager, batch, fields, using)
    count += _flush(manager, batch, fields, using)
    return count


def _flush(
    manager: Any, batch: list[models.Model], fields: list[models.Field[Any, Any]], using: str
) -> int:
    """Insert as loaddata does (raw: no ``auto_now``, no ``pre_save``), in one statement."""
    if not batch:
        return 0
    size = max(1, connections[using].ops.bulk_batch_size(fields, batch))
    for start in range(0, len(batch), size):
        manager._insert(batch[start : start + size], fields=fields, using=using, raw=True)
    count = len(batch)
    batch.clear()
    return count
