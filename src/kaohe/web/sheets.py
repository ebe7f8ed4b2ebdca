"""The month (cycle) page, departments' scoring sheets and their cells."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kaohe.engine.rules import natural
from kaohe.excel.sheets import export_sheet, import_sheet
from kaohe.monthly.models import Cycle, Sheet
from kaohe.monthly.scope import Column, columns_for
from kaohe.monthly.selectors import current_entries, sheet_grid
from kaohe.monthly.services import (
    CycleError,
    entry_save,
    mark_rest_clean,
    parse_values,
    sheet_accept,
    sheet_return,
    sheet_submit,
)
from kaohe.people.models import Unit

from .access import (
    any_user,
    current_user,
    is_office,
    may_read_sheet,
    may_score_sheet,
    require,
    role,
    sees_everything,
)
from .display import cell_summary
from .downloads import file_response
from .forms import ReturnForm


def _cycle(year: int, month: int) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("year"), year__year=year, month=month)


@role(sees_everything)
def cycle_detail(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Sheets of the month with their state, and the coverage of every department × unit."""
    cycle = _cycle(year, month)
    sheets = list(cycle.sheets.select_related("department"))
    grids = [sheet_grid(sheet) for sheet in sheets]
    units: dict[int, Unit] = {}
    coverage: dict[int, dict[int, tuple[int, int, int]]] = {}
    for grid in grids:
        for unit, cells in grid.rows:
            units[unit.pk] = unit
            scored = sum(1 for _, e in cells if e is not None)
            found = sum(1 for _, e in cells if e is not None and e.has_findings)
            coverage.setdefault(unit.pk, {})[grid.sheet.pk] = (len(cells), scored, found)
    matrix = [
        (unit, [coverage.get(pk, {}).get(sheet.pk) for sheet in sheets])
        for pk, unit in sorted(units.items(), key=lambda pair: pair[1].code)
    ]
    return render(
        request,
        "web/cycle.html",
        {
            "cycle": cycle,
            "sheets": list(zip(sheets, grids, strict=True)),
            "matrix": matrix,
            "return_form": ReturnForm(),
        },
    )


@role(any_user)
def sheet_detail(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = get_object_or_404(
        Sheet.objects.select_related("cycle__year", "department"), pk=sheet_id
    )
    require(may_read_sheet(current_user(request), sheet))
    grid = sheet_grid(sheet)
    tables: dict[str, dict[str, Any]] = {}
    scheme = sheet.cycle.year.scheme
    for unit, cells in grid.rows:
        table = tables.setdefault(
            unit.category, {"category": scheme.category(unit.category), "items": {}, "rows": []}
        )
        by_item: dict[str, list[tuple[Column, Any]]] = {}
        for column, entry in cells:
            by_item.setdefault(column.item.number, []).append((column, entry))
            table["items"].setdefault(column.item.number, column.item)
        table["rows"].append((unit, by_item))
    order = {c.key: i for i, c in enumerate(scheme.categories)}
    tables = dict(sorted(tables.items(), key=lambda pair: order[pair[0]]))
    for table in tables.values():
        numbers = sorted(table["items"], key=natural)
        table["rows"] = [
            (unit, [_cell(number, by_item.get(number)) for number in numbers])
            for unit, by_item in table["rows"]
        ]
        table["items"] = [table["items"][n] for n in numbers]
    return render(
        request,
        "web/sheet.html",
        {
            "sheet": sheet,
            "grid": grid,
            "tables": list(tables.values()),
            "can_score": may_score_sheet(current_user(request), sheet),
            "return_form": ReturnForm(),
        },
    )


def _cell(number: str, cells: list[tuple[Column, Any]] | None) -> dict[str, Any] | None:
    """A grid cell: not scored / scored clean / scored with findings, and a short summary."""
    if not cells:
        return None
    entries = [e for _, e in cells]
    if any(e is None for e in entries):
        state = "partial" if any(e is not None for e in entries) else "empty"
        return {"number": number, "state": state, "text": ""}
    found = [(c, e) for c, e in cells if e.has_findings]
    if not found:
        return {"number": number, "state": "clean", "text": "✓"}
    text = " ".join(cell_summary(c.rule_item, e.values) for c, e in found)
    return {
        "number": number,
        "state": "found",
        "text": text,
        "reason": "; ".join(e.reason for _, e in found),
    }


@role(any_user)
def cell_edit(request: HttpRequest, sheet_id: int, code: str, item: str) -> HttpResponse:
    """Edit one unit × item cell (with its sub-items); the whole cell saves or nothing does."""
    sheet = get_object_or_404(
        Sheet.objects.select_related("cycle__year", "department"), pk=sheet_id
    )
    require(may_score_sheet(current_user(request), sheet))
    unit = get_object_or_404(Unit, code=code)
    scheme = sheet.cycle.year.scheme
    columns = [c for c in columns_for(scheme, sheet.department.key, unit) if c.item.number == item]
    if not columns:
        raise_404()
    current = {e.sub_item: e for e in current_entries().filter(sheet=sheet, unit=unit, item=item)}
    errors: list[str] = []
    posted: dict[str, Any] = {}
    if request.method == "POST":
        parsed = []
        for i, column in enumerate(columns):
            data: dict[str, str] = {
                k.removeprefix(f"c{i}-"): str(v)
                for k, v in request.POST.items()
                if k.startswith(f"c{i}-")
            }
            posted[column.key[1]] = data
            values, problems = parse_values(column.rule_item, data)
            label = _cell_label(column)
            errors.extend(f"{label}:{p}" for p in problems)
            parsed.append((column, values, data.get("reason", ""), data.get("evidence", "")))
        correction = request.POST.get("correction_reason", "")
        if not errors:
            try:
                with transaction.atomic():
                    for column, values, reason, evidence in parsed:
                        entry_save(
                            acting_user=current_user(request),
                            sheet=sheet,
                            unit=unit,
                            item=column.key[0],
                            sub_item=column.key[1],
                            values=values,
                            reason=reason,
                            evidence=evidence,
                            correction_reason=correction,
                        )
            except CycleError as exc:
                errors.append(str(exc))
            else:
                messages.success(
                    request,
                    _("Saved: %(unit)s, item %(item)s.") % {"unit": unit.name, "item": item},
                )
                return redirect(f"{_sheet_url(sheet)}#u-{unit.code}")
    blocks = []
    for i, column in enumerate(columns):
        entry = current.get(column.key[1])
        previous: dict[str, Any] | None = posted.get(column.key[1]) if posted else None
        blocks.append(
            {
                "prefix": f"c{i}",
                "column": column,
                "label": _cell_label(column),
                "fields": _fields(column, entry.values if entry else {}, previous),
                "reason": (previous or {}).get("reason", entry.reason if entry else ""),
                "evidence": (previous or {}).get("evidence", entry.evidence if entry else ""),
                "entry": entry,
            }
        )
    return render(
        request,
        "web/cell.html",
        {
            "sheet": sheet,
            "unit": unit,
            "item": columns[0].item,
            "blocks": blocks,
            "errors": errors,
            "locked": sheet.locked,
            "editable": sheet.editable or sheet.locked,
        },
    )


@role(any_user)
def sheet_xlsx(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """GET: the offline sheet; POST (the department): upload it back, all or nothing."""
    sheet = get_object_or_404(
        Sheet.objects.select_related("cycle__year", "department"), pk=sheet_id
    )
    user = current_user(request)
    if request.method == "POST":
        require(may_score_sheet(user, sheet))
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the filled-in .xlsx file."))
        else:
            try:
                changed = import_sheet(
                    acting_user=user,
                    sheet=sheet,
                    content=upload.read(),
                    name=upload.name or "sheet.xlsx",
                )
            except CycleError as exc:
                for line in str(exc).splitlines()[:200]:
                    messages.error(request, line)
            else:
                messages.success(
                    request, _("The file is saved: %(n)s cells changed.") % {"n": changed}
                )
        return redirect("sheet", sheet_id=sheet.pk)
    require(may_read_sheet(user, sheet))
    name = f"sheet-{sheet.cycle.year.year}-{sheet.cycle.month:02d}-{sheet.department.key}.xlsx"
    return file_response(export_sheet(sheet), name)


def raise_404() -> None:
    from django.http import Http404

    raise Http404


def _sheet_url(sheet: Sheet) -> str:
    from django.urls import reverse

    return reverse("sheet", args=[sheet.pk])


def _cell_label(column: Column) -> str:
    if column.sub_item is not None:
        return _("Sub-item %(n)s") % {"n": column.sub_item.number}
    return _("Item %(n)s") % {"n": column.item.number}


def _fields(
    column: Column, values: dict[str, Any], posted: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Inputs following the item's rule, filled from the current entry or the rejected post."""
    rule = column.rule_item.rule
    kind = rule.kind
    if kind == "checks":
        checks = values.get("checks", {})
        out = []
        for check in rule.checks:  # type: ignore[union-attr]
            name = f"check_{check.key}"
            value = posted.get(name) if posted is not None else checks.get(check.key, 0)
            out.append(
                {
                    "name": name,
                    "label": check.label,
                    "points": check.points,
                    "type": "number" if check.per_occurrence else "checkbox",
                    "max": check.max_occurrences,
                    "value": value or "",
                }
            )
        return out
    if kind in ("per_count", "target_count"):
        value = posted.get("count") if posted is not None else values.get("count", "")
        label = _("Failures this month") if kind == "per_count" else _("Achieved this month")
        return [
            {
                "name": "count",
                "label": label,
                "type": "number",
                "value": value or "",
                "unit": getattr(rule, "counted", ""),
            }
        ]
    if kind == "all_or_nothing":
        value = posted.get("not_met") if posted is not None else values.get("met") is False
        return [
            {
                "name": "not_met",
                "label": _("Target not met: the item scores 0"),
                "type": "checkbox",
                "value": value,
            }
        ]
    value = posted.get("deduction") if posted is not None else values.get("deduction", "")
    return [
        {
            "name": "deduction",
            "label": _("Points deducted (0–%(w)s)") % {"w": column.rule_item.weight},
            "type": "decimal",
            "value": value or "",
        }
    ]


def _sheet_action(request: HttpRequest, sheet_id: int, action: str) -> HttpResponse:
    sheet = get_object_or_404(Sheet.objects.select_related("cycle__year"), pk=sheet_id)
    if request.method != "POST":
        return redirect("sheet", sheet_id=sheet.pk)
    try:
        if action == "submit":
            sheet_submit(acting_user=current_user(request), sheet=sheet)
            messages.success(request, _("The sheet is submitted to the office."))
        elif action == "clean":
            n = mark_rest_clean(acting_user=current_user(request), sheet=sheet)
            messages.success(
                request, _("%(n)s cells recorded as scored, nothing found.") % {"n": n}
            )
        elif action == "accept":
            sheet_accept(acting_user=current_user(request), sheet=sheet)
            messages.success(request, _("The sheet is accepted and locked."))
        elif action == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            sheet_return(acting_user=current_user(request), sheet=sheet, reason=str(reason))
            messages.success(request, _("The sheet is returned to the department."))
    except CycleError as exc:
        messages.error(request, str(exc))
    if action in ("accept", "return"):
        return redirect("cycle", year=sheet.cycle.year.year, month=sheet.cycle.month)
    return redirect("sheet", sheet_id=sheet.pk)


@role(any_user)
def sheet_submit_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = get_object_or_404(Sheet, pk=sheet_id)
    require(may_score_sheet(current_user(request), sheet))
    return _sheet_action(request, sheet_id, "submit")


@role(any_user)
def sheet_clean_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = get_object_or_404(Sheet, pk=sheet_id)
    require(may_score_sheet(current_user(request), sheet))
    return _sheet_action(request, sheet_id, "clean")


@role(is_office)
def sheet_accept_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "accept")


@role(is_office)
def sheet_return_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "return")
