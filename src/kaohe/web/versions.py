"""Scheme versions within a year (第五条): upload a draft, read its diff, confirm or discard.
Office only; refused once the year's results are final."""

from __future__ import annotations

import yaml
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.engine import InputError
from kaohe.engine.errors import say
from kaohe.excel.rubric import import_rubrics
from kaohe.people.models import Unit
from kaohe.years.finality import YearFinal, year_is_final
from kaohe.years.models import SchemeVersion, Year
from kaohe.years.selectors import version_diff
from kaohe.years.services import YearError, version_confirm, version_discard, version_upload

from .access import current_user, is_office, role
from .forms_versions import VersionDiscardForm, VersionUploadForm

# the item fields a version may change (engine.versions.ITEM_FIELDS), as the rubric names them
FIELD_LABELS = {
    "target": gettext_lazy("Target"),
    "weight": gettext_lazy("Weight"),
    "standard": gettext_lazy("Scoring standard"),
    "method": gettext_lazy("Method"),
    "departments": gettext_lazy("Department"),
    "kinds": gettext_lazy("Unit kinds"),
    "bonus": gettext_lazy("Bonus item"),
    "rule": gettext_lazy("Rule"),
    "added_on": gettext_lazy("Added on"),
}


def _scheme_text(upload: object, year: Year) -> tuple[str, str, list[str]]:
    """(text, source, warnings) of an uploaded scheme file or rubric workbook; a workbook's
    other settings are the year's latest version's."""
    name = getattr(upload, "name", "") or "scheme.yaml"
    content = upload.read()  # type: ignore[attr-defined]
    if name.lower().endswith(".xlsx"):
        scheme, warnings = import_rubrics(content, year.scheme, name)
        text = yaml.safe_dump(scheme.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
        return text, name, warnings
    return content.decode("utf-8"), name, []


@role(is_office)
def version_list(request: HttpRequest, year: int) -> HttpResponse:
    """The year's versions (drafts, confirmed, discarded) and the upload of a new draft."""
    the_year = get_object_or_404(Year, year=year)
    form = VersionUploadForm()
    if request.method == "POST":
        form = VersionUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                text, source, warnings = _scheme_text(data["upload"], the_year)
                version = version_upload(
                    acting_user=current_user(request),
                    year=the_year,
                    scheme_text=text,
                    source=source,
                    from_month=data["from_month"],
                    reason=data["reason"],
                    approved_by=data["approved_by"],
                )
            except UnicodeDecodeError:
                form.add_error("upload", _("The file is not UTF-8 text."))
            except InputError as exc:
                for error in exc.errors:
                    form.add_error(None, say(error, get_language()))
            except (YearError, YearFinal) as exc:
                for error in getattr(exc, "errors", [str(exc)]):
                    form.add_error(None, say(error, get_language()))
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _("Draft version %(n)s uploaded: read what it changes before confirming.")
                    % {"n": version.number},
                )
                return redirect("version", year=year, pk=version.pk)
    return render(
        request,
        "web/versions.html",
        {
            "year": the_year,
            "form": form,
            "versions": the_year.versions.select_related("created_by", "confirmed_by"),
            "final": year_is_final(the_year),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@role(is_office)
def version_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """The diff of a version: every item it changes and every figure it moves."""
    the_year = get_object_or_404(Year, year=year)
    version = get_object_or_404(SchemeVersion, year=the_year, pk=pk)
    return _detail(request, the_year, version)


def _detail(
    request: HttpRequest,
    the_year: Year,
    version: SchemeVersion,
    discard: VersionDiscardForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    diff = version_diff(the_year, version)
    codes = {f.unit for f in diff.figures}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    figures = [(f, names.get(f.unit, f.unit)) for f in diff.figures]
    titles = {r.key: r.title for r in (*the_year.scheme.rubrics, *version.scheme.rubrics)}
    items = [
        (
            change,
            titles.get(change.rubric, change.rubric),
            [
                (FIELD_LABELS.get(name, name), before, after)
                for name, before, after in change.fields
            ],
        )
        for change in diff.items
    ]
    return render(
        request,
        "web/version.html",
        {
            "year": the_year,
            "version": version,
            "diff": diff,
            "figures": figures,
            "items": items,
            "discard": discard or VersionDiscardForm(),
            "errors": errors or [],
            "final": year_is_final(the_year),
        },
        status=status,
    )


@role(is_office)
@require_POST
def version_confirm_view(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    the_year = get_object_or_404(Year, year=year)
    version = get_object_or_404(SchemeVersion, year=the_year, pk=pk)
    try:
        version_confirm(acting_user=current_user(request), version=version)
    except (YearError, YearFinal) as exc:
        version.refresh_from_db()
        return _detail(
            request, the_year, version, errors=getattr(exc, "errors", [str(exc)]), status=409
        )
    messages.success(
        request,
        _("Version %(n)s is confirmed: months from %(m)s are scored with it.")
        % {"n": version.number, "m": version.from_month},
    )
    return redirect("versions", year=year)


@role(is_office)
@require_POST
def version_discard_view(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    the_year = get_object_or_404(Year, year=year)
    version = get_object_or_404(SchemeVersion, year=the_year, pk=pk)
    form = VersionDiscardForm(request.POST)
    if not form.is_valid():
        return _detail(request, the_year, version, discard=form, status=400)
    try:
        version_discard(
            acting_user=current_user(request), version=version, reason=form.cleaned_data["reason"]
        )
    except YearError as exc:
        return _detail(request, the_year, version, discard=form, errors=exc.errors, status=409)
    messages.success(request, _("The draft is discarded (kept for the record)."))
    return redirect("versions", year=year)
