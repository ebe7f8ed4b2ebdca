"""The month (cycle) page, departments' scoring sheets and their cells."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.engine.rules import natural
from kaohe.excel.sheets import export_sheet, import_sheet
from kaohe.monthly.models import Confirmation, Cycle, Entry, Sheet
from kaohe.monthly.scope import Column, columns_for
from kaohe.monthly.selectors import current_entries, sheet_grid
from kaohe.monthly.services import (
    CellInput,
    CycleError,
    Source,
    StaleCells,
    StaleRecord,
    mark_rest_clean,
    scores_save,
    sheet_accept,
    sheet_return,
    sheet_submit,
)
from kaohe.people.models import Unit, User

from .access import (
    any_user,
    current_user,
    for_user,
    is_office,
    may_score_sheet,
    role,
    sees_everything,
)
from .confirm import confirm_page, confirmed
from .display import cell_summary
from .downloads import file_response
from .forms import (
    CellFormSet,
    CellThenForm,
    CorrectionForm,
    SheetActionForm,
    SheetReturnForm,
    SheetUploadForm,
)

SHEETS = Sheet.objects.select_related("cycle__year", "department", "changed_by")


def form_messages(request: HttpRequest, form: Any) -> None:
    """A refused small form (a button's hidden fields) as messages on the page it returns to."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label or name}: " if field is not None else ""
        for error in errors:
            messages.error(request, f"{label}{error}")


@role(sees_everything)
def cycle_detail(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Sheets of the month with their state, and the coverage of every department × unit."""
    cycle = for_user(
        current_user(request), Cycle.objects.select_related("year"), year__year=year, month=month
    )
    sheets = list(cycle.sheets.select_related("department", "changed_by"))
    grids = [sheet_grid(sheet) for sheet in sheets]
    units: dict[int, Unit] = {}
    coverage: dict[int, dict[int, tuple[int, int, int, int]]] = {}
    for grid in grids:
        for unit, cells in grid.rows:
            units[unit.pk] = unit
            scored = sum(1 for _, e in cells if e is not None)
            found = sum(1 for _, e in cells if e is not None and e.has_findings)
            waiting = sum(1 for _, e in cells if e is not None and _waiting(e))
            coverage.setdefault(unit.pk, {})[grid.sheet.pk] = (len(cells), scored, found, waiting)
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
        },
    )


def _grid_tables(sheet: Sheet, grid: Any) -> list[dict[str, Any]]:
    """The sheet as one table per category: items in natural order, a cell per unit × item."""
    tables: dict[str, dict[str, Any]] = {}
    scheme = sheet.cycle.year.scheme_for(sheet.cycle.month)
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
    ordered = [tables[key] for key in sorted(tables, key=lambda key: order[key])]
    for table in ordered:
        numbers = sorted(table["items"], key=natural)
        table["rows"] = [
            (unit, [_cell(number, by_item.get(number)) for number in numbers])
            for unit, by_item in table["rows"]
        ]
        table["items"] = [table["items"][n] for n in numbers]
    return ordered


def _cells_in_order(tables: list[dict[str, Any]]) -> list[tuple[Unit, dict[str, Any]]]:
    """Every cell of the sheet in reading order: table by table, row by row, left to right."""
    return [
        (unit, cell)
        for table in tables
        for unit, cells in table["rows"]
        for cell in cells
        if cell is not None
    ]


@role(any_user)
def sheet_detail(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = for_user(current_user(request), SHEETS, pk=sheet_id)
    grid = sheet_grid(sheet)
    return render(
        request,
        "web/sheet.html",
        {
            "sheet": sheet,
            "grid": grid,
            "tables": _grid_tables(sheet, grid),
            "remaining": grid.cells - grid.scored,
            "can_score": may_score_sheet(current_user(request), sheet),
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
    waiting = [_waiting(e) for _, e in found]
    return {
        "number": number,
        "state": "found",
        "text": text,
        "reason": "; ".join(e.reason for _, e in found),
        # a large deduction not yet confirmed by a second person ("refused" before "pending")
        "waiting": "refused" if "refused" in waiting else ("pending" if any(waiting) else ""),
    }


def _confirmation(entry: Entry | None) -> Confirmation | None:
    if entry is None:
        return None
    try:
        return entry.confirmation
    except Confirmation.DoesNotExist:
        return None


def _waiting(entry: Entry) -> str:
    """ "pending" or "refused" for a large deduction not confirmed, else "" (no query: the
    grid loads each entry's confirmation with it)."""
    try:
        confirmation = entry.confirmation
    except Confirmation.DoesNotExist:
        return ""
    return "" if confirmation.status == Confirmation.Status.CONFIRMED else confirmation.status


@role(any_user)
def cell_edit(request: HttpRequest, sheet_id: int, code: str, item: str) -> HttpResponse:
    """Edit one unit × item cell (with its sub-items); the whole cell saves or nothing does.
    Each column posts the entry it was based on: a cell saved by someone else meanwhile is
    a conflict (HTTP 409) showing the newer value, with the user's input kept."""
    user = current_user(request)
    sheet = for_user(user, SHEETS, may=may_score_sheet, pk=sheet_id)
    unit = for_user(user, Unit, may=lambda _user, _unit: True, code=code)  # scope: columns
    columns = _columns(sheet, unit, item)
    if not columns:
        raise Http404
    entries = _current(sheet, unit, columns)
    formset = CellFormSet(columns=columns, entries=entries)
    correction = CorrectionForm(locked=sheet.locked)
    errors: list[str] = []
    if request.method == "POST":
        formset = CellFormSet(request.POST, columns=columns, entries=entries)
        correction = CorrectionForm(request.POST, locked=sheet.locked)
        if formset.is_valid() and correction.is_valid():
            cells = []
            expected: dict[tuple[int, str, str], int | None] = {}
            for column, form in zip(columns, formset.forms, strict=True):
                data = form.cleaned_data
                cell = CellInput(
                    unit, *column.key, data["values"], data["reason"], data["evidence"]
                )
                cells.append(cell)
                if data["based_on"] is not None:
                    expected[cell.key] = data["based_on"] or None
            try:
                saved = scores_save(
                    user,
                    sheet,
                    cells,
                    source=Source.CELL,
                    correction_reason=correction.cleaned_data["correction_reason"],
                    expected=expected,
                )
            except StaleCells as exc:
                return _cell_conflict(request, sheet, unit, columns, exc)
            except CycleError as exc:
                errors = str(exc).splitlines()
            else:
                then = CellThenForm(request.POST)
                then_next = then.is_valid() and then.cleaned_data["then"] == "next"
                if Confirmation.objects.filter(entry__in=saved).exists() and not _htmx(request):
                    messages.warning(
                        request,
                        _(
                            "This deduction is large: it counts only once a second person "
                            "(the office or your department's head) has confirmed it."
                        ),
                    )
                return _cell_saved(request, sheet, unit, item, then_next=then_next)
        else:
            errors = [str(e) for e in formset.non_form_errors()]
    return _cell_page(request, sheet, unit, columns, formset, correction, errors)


def _htmx(request: HttpRequest) -> bool:
    """A request from htmx on the grid page (cell editing in place); its answer is a fragment."""
    return request.headers.get("HX-Request") == "true"


def _cell_saved(
    request: HttpRequest, sheet: Sheet, unit: Unit, item: str, *, then_next: bool
) -> HttpResponse:
    """After a save: the grid (without JavaScript, a redirect) or, in place, the saved cell's
    new look; with "save and next", the next cell of the sheet in reading order."""
    message = _("Saved: %(unit)s, item %(item)s.") % {"unit": unit.name, "item": item}
    sheet.refresh_from_db(fields=["version", "status"])  # the grid's buttons post it next
    grid = sheet_grid(sheet)
    cells = _cells_in_order(_grid_tables(sheet, grid))
    here = next(
        (i for i, (u, c) in enumerate(cells) if u.pk == unit.pk and c["number"] == item), None
    )
    following = (
        cells[here + 1] if then_next and here is not None and here + 1 < len(cells) else None
    )
    if not _htmx(request):
        messages.success(request, message)
        if following is not None:
            return redirect("cell", sheet.pk, following[0].code, following[1]["number"])
        if then_next:
            messages.info(request, _("That was the last cell of the sheet."))
        return redirect(f"{reverse('sheet', args=[sheet.pk])}#u-{unit.code}")
    saved = {
        "message": message,
        "unit": unit,
        "cell": cells[here][1] if here is not None else None,
        "grid": grid,
    }
    if following is None:
        if then_next:
            saved["message"] = f"{message} {_('That was the last cell of the sheet.')}"
        columns = _columns(sheet, unit, item)
        return _cell_page(request, sheet, unit, columns, None, None, [], saved=saved, done=True)
    next_unit, next_cell = following
    columns = _columns(sheet, next_unit, next_cell["number"])
    entries = _current(sheet, next_unit, columns)
    return _cell_page(
        request,
        sheet,
        next_unit,
        columns,
        CellFormSet(columns=columns, entries=entries),
        CorrectionForm(locked=sheet.locked),
        [],
        saved=saved,
    )


def _columns(sheet: Sheet, unit: Unit, item: str) -> list[Column]:
    scheme = sheet.cycle.year.scheme_for(sheet.cycle.month)
    return [c for c in columns_for(scheme, sheet.department.key, unit) if c.item.number == item]


def _current(sheet: Sheet, unit: Unit, columns: list[Column]) -> list[Entry | None]:
    current = {
        e.sub_item: e
        for e in current_entries()
        .filter(sheet=sheet, unit=unit, item=columns[0].key[0])
        .select_related("created_by", "confirmation__decided_by")
    }
    return [current.get(c.key[1]) for c in columns]


def _cell_page(
    request: HttpRequest,
    sheet: Sheet,
    unit: Unit,
    columns: list[Column],
    formset: Any,
    correction: CorrectionForm | None,
    errors: list[str],
    conflicts: list[dict[str, Any]] | None = None,
    status: int = 200,
    *,
    saved: dict[str, Any] | None = None,
    done: bool = False,
) -> HttpResponse:
    blocks = (
        []
        if formset is None
        else [
            {
                "column": column,
                "label": _cell_label(column),
                "form": form,
                "entry": entry,
                "confirmation": _confirmation(entry),
            }
            for column, form, entry in zip(columns, formset.forms, formset.entries, strict=True)
        ]
    )
    htmx = _htmx(request)
    return render(
        request,
        "web/cell.html#editor" if htmx else "web/cell.html",
        {
            "htmx": htmx,
            "saved": saved,
            "done": done,
            "sheet": sheet,
            "unit": unit,
            "item": columns[0].item,
            "blocks": blocks,
            "formset": formset,
            "correction": correction,
            "errors": errors,
            "conflicts": conflicts or [],
            "locked": sheet.locked,
        },
        status=status,
    )


def _cell_conflict(
    request: HttpRequest, sheet: Sheet, unit: Unit, columns: list[Column], exc: StaleCells
) -> HttpResponse:
    """The newer values, who saved them and when; the user's input kept, now based on the
    newer entries so that saving again overwrites them knowingly."""
    entries = _current(sheet, unit, columns)
    data: QueryDict = request.POST.copy()
    conflicts = []
    for i, (column, entry) in enumerate(zip(columns, entries, strict=True)):
        data[f"c{i}-based_on"] = str(entry.pk if entry else 0)
        if (unit.pk, *column.key) not in exc.current:
            continue
        conflicts.append(
            {
                "label": _cell_label(column),
                "entry": entry,
                "summary": (
                    cell_summary(column.rule_item, entry.values)
                    if entry is not None and entry.has_findings
                    else _("scored, nothing found")
                ),
            }
        )
    formset = CellFormSet(data, columns=columns, entries=entries)
    formset.is_valid()  # shows the same field messages as before, if any
    correction = CorrectionForm(data, locked=sheet.locked)
    return _cell_page(request, sheet, unit, columns, formset, correction, [], conflicts, status=409)


@role(any_user)
def sheet_xlsx(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """GET: the offline sheet; POST (the department): upload it back, all or nothing."""
    user = current_user(request)
    if request.method == "POST":
        sheet = for_user(user, SHEETS, may=may_score_sheet, pk=sheet_id)
        form = SheetUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            form_messages(request, form)
            return redirect("sheet", sheet_id=sheet.pk)
        upload = form.cleaned_data["file"]
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
            messages.success(request, _("The file is saved: %(n)s cells changed.") % {"n": changed})
        return redirect("sheet", sheet_id=sheet.pk)
    sheet = for_user(user, SHEETS, pk=sheet_id)
    name = f"sheet-{sheet.cycle.year.year}-{sheet.cycle.month:02d}-{sheet.department.key}.xlsx"
    return file_response(export_sheet(sheet), name)


def _cell_label(column: Column) -> str:
    if column.sub_item is not None:
        return _("Sub-item %(n)s") % {"n": column.sub_item.number}
    return _("Item %(n)s") % {"n": column.item.number}


def _may_decide(user: User, _sheet: Sheet) -> bool:
    return user.is_office


def _sheet_action(request: HttpRequest, sheet_id: int, action: str) -> HttpResponse:
    """Submit, mark clean, accept or return, from the version of the sheet the user saw."""
    user = current_user(request)
    may = _may_decide if action in ("accept", "return") else may_score_sheet
    sheet = for_user(user, SHEETS, may=may, pk=sheet_id)
    if action in ("accept", "return"):
        back = redirect("cycle", year=sheet.cycle.year.year, month=sheet.cycle.month)
    else:
        back = redirect("sheet", sheet_id=sheet.pk)
    if request.method != "POST":
        return back
    form = (SheetReturnForm if action == "return" else SheetActionForm)(request.POST)
    if not form.is_valid():
        form_messages(request, form)
        return back
    version = form.cleaned_data["version"]
    if action != "return" and not confirmed(request):
        return _confirm_sheet_action(request, sheet, action, back["Location"])
    try:
        if action == "submit":
            sheet_submit(acting_user=user, sheet=sheet, expected_version=version)
            messages.success(request, _("The sheet is submitted to the office."))
        elif action == "clean":
            n = mark_rest_clean(acting_user=user, sheet=sheet, expected_version=version)
            messages.success(
                request, _("%(n)s cells recorded as scored, nothing found.") % {"n": n}
            )
        elif action == "accept":
            sheet_accept(acting_user=user, sheet=sheet, expected_version=version)
            messages.success(request, _("The sheet is accepted and locked."))
        else:
            sheet_return(
                acting_user=user,
                sheet=sheet,
                reason=form.cleaned_data["reason"],
                expected_version=version,
            )
            messages.success(request, _("The sheet is returned to the department."))
    except StaleRecord as exc:
        return render(
            request,
            "web/sheet_conflict.html",
            {"sheet": exc.obj, "action": action, "form": form, "back": back["Location"]},
            status=409,
        )
    except CycleError as exc:
        for line in str(exc).splitlines():
            messages.error(request, line)
    return back


def _confirm_sheet_action(
    request: HttpRequest, sheet: Sheet, action: str, back: str
) -> HttpResponse:
    """The consequence of submitting, marking the rest clean or accepting, in words."""
    names = {"department": sheet.department.name, "month": sheet.cycle.month}
    if action == "submit":
        return confirm_page(
            request,
            title=_("Submit the sheet of %(department)s, month %(month)s?") % names,
            consequence=_(
                "Once submitted, the sheet is read-only for the department; only the office "
                "can accept it or return it for changes."
            ),
            button=_("Yes, submit to the office"),
            back=back,
        )
    if action == "clean":
        grid = sheet_grid(sheet)
        return confirm_page(
            request,
            title=_("Record the remaining cells as scored, nothing found?"),
            consequence=_(
                "%(n)s cells not scored yet will be recorded as scored, nothing found: those "
                "units lose no points on them this month."
            )
            % {"n": grid.cells - grid.scored},
            button=_("Yes, record them as nothing found"),
            back=back,
        )
    return confirm_page(
        request,
        title=_("Accept the sheet of %(department)s, month %(month)s?") % names,
        consequence=_(
            "Once accepted, the sheet is locked and its scores count in the monthly ranking; "
            "any later change is a correction recorded with its reason."
        ),
        button=_("Yes, accept and lock"),
        back=back,
    )


@role(any_user)
def sheet_submit_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "submit")


@role(any_user)
def sheet_clean_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "clean")


@role(is_office)
def sheet_accept_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "accept")


@role(is_office)
def sheet_return_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    return _sheet_action(request, sheet_id, "return")
