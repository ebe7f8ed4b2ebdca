"""Home, years, months, responsibility letters and targets."""

from __future__ import annotations

import yaml
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kaohe.engine import InputError, load_scheme
from kaohe.engine.errors import say
from kaohe.engine.loader import read_scheme_text
from kaohe.engine.scheme import Item
from kaohe.excel.rubric import export_rubrics, import_rubrics
from kaohe.monthly.models import Cycle, Sheet
from kaohe.monthly.services import CycleError, cycle_open
from kaohe.people.models import Unit
from kaohe.years.finality import YearFinal
from kaohe.years.models import Target, Year
from kaohe.years.selectors import added_targets
from kaohe.years.services import YearError, target_items, target_set, year_create

from .access import any_user, current_user, for_user, is_office, require, role, sees_everything
from .downloads import file_response
from .forms import ConfirmSchemeForm, OpenMonthForm, TargetsForm, YearCreateForm
from .todo import todo_for


@role(any_user)
def home(request: HttpRequest) -> HttpResponse:
    """Each role's to-do list, counted and linked (``todo.py``), and the months at a glance."""
    user = current_user(request)
    year = Year.objects.first()
    context: dict[str, object] = {"year": year, "todo": todo_for(user, year)}
    if year is not None and user.sees_everything:
        context["cycles"] = list(
            Cycle.objects.filter(year=year).annotate(
                accepted=Count("sheets", filter=Q(sheets__status=Sheet.Status.ACCEPTED)),
                total=Count("sheets"),
            )
        )
    if year is not None and user.department_id:
        context["my_sheets"] = (
            Sheet.objects.filter(cycle__year=year, department_id=user.department_id)
            .select_related("cycle")
            .order_by("-cycle__month")
        )
    return render(request, "web/home.html", context)


@role(sees_everything)
def year_list(request: HttpRequest) -> HttpResponse:
    form = YearCreateForm()
    if request.method == "POST" and ConfirmSchemeForm(request.POST).is_valid():
        # a rubric workbook with warnings, confirmed by the office after reading them
        require(current_user(request).is_office)
        pending = request.session.pop("pending_scheme", None)
        if pending is None:
            messages.error(
                request, _("Nothing is waiting for confirmation; upload the file again.")
            )
            return redirect("years")
        return _create_year(request, form, pending["text"], pending["source"])
    if request.method == "POST":
        require(current_user(request).is_office)
        form = YearCreateForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("upload")
            try:
                if upload is not None and (upload.name or "").lower().endswith(".xlsx"):
                    source = upload.name or "rubric.xlsx"
                    scheme, warnings = import_rubrics(
                        upload.read(), load_scheme("district-2014"), source
                    )
                    text = yaml.safe_dump(
                        scheme.model_dump(mode="json"), allow_unicode=True, sort_keys=False
                    )
                    if warnings:
                        request.session["pending_scheme"] = {"text": text, "source": source}
                        return render(
                            request,
                            "web/confirm_scheme.html",
                            {"warnings": warnings, "source": source, "text": text},
                        )
                    return _create_year(request, form, text, source)
                if upload is not None:
                    return _create_year(
                        request, form, upload.read().decode("utf-8"), upload.name or ""
                    )
                source, text = read_scheme_text(form.cleaned_data["builtin"])
                return _create_year(request, form, text, source)
            except UnicodeDecodeError:
                form.add_error("upload", _("The file is not UTF-8 text."))
            except InputError as exc:
                for error in exc.errors:
                    form.add_error(None, say(error, get_language()))
    return render(request, "web/years.html", {"years": Year.objects.all(), "form": form})


def _create_year(
    request: HttpRequest, form: YearCreateForm, text: str, source: str
) -> HttpResponse:
    try:
        year = year_create(acting_user=current_user(request), scheme_text=text, source=source)
    except YearError as exc:
        for error in exc.errors:
            form.add_error(None, say(error, get_language()))
        return render(request, "web/years.html", {"years": Year.objects.all(), "form": form})
    messages.success(request, _("The year %(year)s is set up.") % {"year": year.year})
    return redirect("year", year=year.year)


@role(sees_everything)
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    the_year = get_object_or_404(Year, year=year)
    form = OpenMonthForm(initial={"month": (the_year.cycles.count() % 12) + 1})
    if request.method == "POST":
        require(current_user(request).is_office)
        form = OpenMonthForm(request.POST)
        if form.is_valid():
            try:
                cycle = cycle_open(
                    acting_user=current_user(request),
                    year=the_year,
                    month=form.cleaned_data["month"],
                    due_date=form.cleaned_data["due_date"],
                )
            except (CycleError, YearFinal) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Month %(month)s is open.") % {"month": cycle.month})
                return redirect("cycle", year=year, month=cycle.month)
    cycles = Cycle.objects.filter(year=the_year).annotate(
        accepted=Count("sheets", filter=Q(sheets__status=Sheet.Status.ACCEPTED)),
        late=Count("sheets", filter=Q(sheets__late=True)),
        total=Count("sheets"),
    )
    scheme = the_year.scheme
    return render(
        request,
        "web/year.html",
        {
            "year": the_year,
            "scheme": scheme,
            "cycles": cycles,
            "form": form,
            "units": Unit.objects.filter(active=True).count(),
        },
    )


@role(sees_everything)
def rubric_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    """The year's rubrics as .xlsx in the attachment's layout, rules included."""
    the_year = get_object_or_404(Year, year=year)
    return file_response(export_rubrics(the_year.scheme), f"rubric-{year}.xlsx")


@role(is_office)
def targets(request: HttpRequest, year: int) -> HttpResponse:
    """Responsibility-letter targets (目标管理责任书): each unit's share of a target."""
    the_year = get_object_or_404(Year, year=year)
    items = target_items(the_year)
    scheme = the_year.scheme
    applies = {}
    for number, _text, _total in items:
        categories = set()
        for category in scheme.categories:
            rubric = scheme.rubric(category.rubric)
            if any(i.number == number for i in rubric.items()):
                categories.add(category.key)
        applies[number] = categories
    units = list(Unit.objects.filter(active=True, category__in=[c.key for c in scheme.categories]))
    current = {(t.unit_id, t.item): t.target for t in Target.objects.filter(year=the_year)}
    cells = [
        (unit.pk, number)
        for unit in units
        for number, _text, _total in items
        if unit.category in applies[number]
    ]
    form = TargetsForm(cells=cells)
    errors: list[str] = []
    conflicts: list[str] = []
    if request.method == "POST":
        form = TargetsForm(request.POST, cells=cells)
        if form.is_valid():
            by_pk = {u.pk: u for u in units}
            changes = [
                (by_pk[unit_id], number, value)
                for (unit_id, number), value in form.targets().items()
                if current.get((unit_id, number)) != value
            ]
            based_on = form.based_on()
            stale = [
                (unit, number)
                for unit, number, _value in changes
                if (unit.pk, number) in based_on
                and based_on[(unit.pk, number)] != current.get((unit.pk, number))
            ]
            for unit, number in stale:
                conflicts.append(
                    _(
                        "%(unit)s, item %(item)s: someone saved %(now)s after you opened "
                        "the page; your value is kept below — save again to replace it."
                    )
                    % {"unit": unit.name, "item": number, "now": current[(unit.pk, number)]}
                )
            if stale:
                changes = []
            try:
                with transaction.atomic():
                    for unit, number, value in changes:
                        target_set(
                            acting_user=current_user(request),
                            year=the_year,
                            unit=unit,
                            item=number,
                            target=value,
                        )
            except (YearError, YearFinal) as exc:
                errors.append(str(exc))
            else:
                if not conflicts:
                    messages.success(request, _("%(n)s targets saved.") % {"n": len(changes)})
                    return redirect("targets", year=year)
                errors.extend(conflicts)
        names = {u.pk: u.name for u in units}
        for name, field_errors in form.errors.items():
            _t, unit_id, number = name.split("-", 2)
            for error in field_errors:
                errors.append(
                    _("%(unit)s, item %(item)s: %(error)s")
                    % {"unit": names.get(int(unit_id), unit_id), "item": number, "error": error}
                )
    columns = [
        (number, text, sum(current.get((u.pk, number), 0) for u in units), total)
        for number, text, total in items
    ]
    rows = [
        (
            unit,
            [
                (
                    number,
                    unit.category in applies[number],
                    _shown(form, unit.pk, number, current),
                    form.errors.get(f"t-{unit.pk}-{number}"),
                    current.get((unit.pk, number), ""),  # the version the next save is based on
                )
                for number, _t, _total in items
            ],
        )
        for unit in units
    ]
    return render(
        request,
        "web/targets.html",
        {
            "year": the_year,
            "columns": columns,
            "rows": rows,
            "errors": errors,
        },
        status=409 if conflicts else 200,
    )


def _shown(form: TargetsForm, unit_id: int, number: str, current: dict) -> object:  # type: ignore[type-arg]
    """A target cell's value: what was posted (kept after an error), else the stored one."""
    if form.is_bound:
        return form.data.get(f"t-{unit_id}-{number}", "")
    return current.get((unit_id, number))


@role(any_user)
def letter(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A unit's responsibility letter: its items, weights, standards and targets as signed
    at the start of the year (version 1), and the targets later versions added (补充目标,
    第五条) with the month they count from and why; printable."""
    the_year = get_object_or_404(Year, year=year)
    unit = for_user(current_user(request), Unit, code=code)
    scheme = the_year.base_scheme
    rubric = scheme.rubric(scheme.category(unit.category).rubric)
    unit_targets = dict(
        Target.objects.filter(year=the_year, unit=unit).values_list("item", "target")
    )
    names = {d.key: d.name for d in scheme.departments}
    sections = []
    for section in rubric.sections:
        rows = []
        for item in section.items:
            if not item.applies_to(unit.kind):
                continue
            rows.append((item, _shares(item, names), unit_targets.get(item.number)))
        sections.append((section, rows))
    return render(
        request,
        "web/letter.html",
        {
            "year": the_year,
            "unit": unit,
            "rubric": rubric,
            "sections": sections,
            "category": scheme.category(unit.category),
            "addendum": [
                (added, _shares(added.item, names), unit_targets.get(added.item.number))
                for added in added_targets(the_year, unit.category, unit.kind)
            ],
        },
    )


def _shares(item: Item, names: dict[str, str]) -> str:
    return "、".join(
        names[s.department] + (f"{s.points}分" if len(item.departments) > 1 else "")
        for s in item.departments
    )
