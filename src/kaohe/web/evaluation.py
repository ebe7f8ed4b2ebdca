"""The recognition evaluation (公认度评价): the office's page and the rater's ballot."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kaohe.yearend.models import BallotCode, Evaluation
from kaohe.yearend.services import (
    YearEndError,
    ballot_cast,
    codes_issue,
    codes_print,
    codes_reprint,
    evaluation_close,
    evaluation_open,
    rated_units,
)
from kaohe.years.finality import YearFinal
from kaohe.years.models import Year

from .access import current_user, is_office, role
from .confirm import confirm_page, confirmed
from .forms_closing import BallotForm, EvaluationForm

# a code as issued is 12 URL-safe characters; the model stores at most 32
CODE_MAX = 32


def _summary(year: Year, current: Evaluation | None) -> list[dict[str, Any]]:
    """Per rater group: codes issued, used, unused, not printed yet, and its list's printing.
    Counts only: no page shows a code once issued, except the printed list itself."""
    if current is None:
        return []
    counts = {
        row["group"]: row
        for row in current.codes.values("group").annotate(
            issued=Count("id"),
            used=Count("id", filter=Q(used_at__isnull=False)),
            unprinted=Count("id", filter=Q(printed_at__isnull=True, used_at__isnull=True)),
        )
    }
    rows = []
    for group in year.scheme.recognition.groups:
        row = counts.get(group.key, {"issued": 0, "used": 0, "unprinted": 0})
        printing = current.code_lists.get(group.key) or {}
        rows.append(
            {
                "group": group,
                "issued": row["issued"],
                "used": row["used"],
                "unused": row["issued"] - row["used"],
                "unprinted": row["unprinted"],
                "printed_at": _when(printing.get("printed_at")),
                "reprints": printing.get("reprints", 0),
                "reprinted_at": _when(printing.get("reprinted_at")),
            }
        )
    return rows


def _when(raw: object) -> Any:
    parsed = parse_datetime(str(raw)) if raw else None
    return timezone.localtime(parsed) if parsed else None


@role(is_office)
def evaluation(request: HttpRequest, year: int) -> HttpResponse:
    the_year = get_object_or_404(Year, year=year)
    user = current_user(request)
    current = Evaluation.objects.filter(year=the_year).first()
    form = EvaluationForm(year=the_year, initial={"count": 10})
    status = 200
    if request.method == "POST":
        form = EvaluationForm(request.POST, year=the_year)
        if form.is_valid():
            data = form.cleaned_data
            action = data["action"]
            if action == "close" and current is not None and not confirmed(request):
                return confirm_page(
                    request,
                    title=_("Close the evaluation of %(year)s?") % {"year": year},
                    consequence=_(
                        "Once closed, no ballot can be cast any more: the unused codes are void "
                        "and the recognition scores are counted from the ballots cast so far."
                    ),
                    button=_("Yes, close the evaluation"),
                    back=reverse("evaluation", args=[year]),
                )
            try:
                if action == "open":
                    evaluation_open(acting_user=user, year=the_year)
                elif current is None:
                    raise YearEndError(_("Open the evaluation first."))
                elif action == "issue":
                    codes_issue(
                        acting_user=user,
                        evaluation=current,
                        group=data["group"],
                        count=data["count"],
                    )
                elif action in ("print", "reprint"):
                    codes = (
                        codes_print(acting_user=user, evaluation=current, group=data["group"])
                        if action == "print"
                        else codes_reprint(
                            acting_user=user,
                            evaluation=current,
                            group=data["group"],
                            reason=data["reason"],
                        )
                    )
                    return _code_list(request, the_year, data["group"], codes, action)
                else:
                    evaluation_close(acting_user=user, evaluation=current)
                messages.success(request, _("Saved."))
            except (YearEndError, YearFinal) as exc:
                messages.error(request, str(exc))
            return redirect("evaluation", year=year)
        status = 400
    return render(
        request,
        "web/evaluation.html",
        {
            "year": the_year,
            "evaluation": current,
            "groups": the_year.scheme.recognition.groups,
            "summary": _summary(the_year, current),
            "form": form,
        },
        status=status,
    )


def _code_list(
    request: HttpRequest, year: Year, group_key: str, codes: list[str], action: str
) -> HttpResponse:
    """The printable list: shown in this one response only, never cached."""
    group = next(g for g in year.scheme.recognition.groups if g.key == group_key)
    response = render(
        request,
        "web/ballot_codes.html",
        {"year": year, "group": group, "codes": codes, "reprint": action == "reprint"},
    )
    response["Cache-Control"] = "no-store"
    return response


def ballot(request: HttpRequest, code: str) -> HttpResponse:
    """A rater's ballot, opened by its link without an account; each code counts once."""
    ballot_code = (
        BallotCode.objects.select_related("evaluation__year").filter(code=code).first()
        if len(code) <= CODE_MAX
        else None
    )
    if ballot_code is None:
        return render(request, "web/ballot_invalid.html", status=404)
    year = ballot_code.evaluation.year
    scheme = year.scheme
    units = list(rated_units(year))
    options = [*scheme.recognition.options, "弃权"]
    form = BallotForm(units=units, options=options)
    error = ""
    if request.method == "POST":
        form = BallotForm(request.POST, units=units, options=options)
        if form.is_valid():
            try:
                ballot_cast(code=code, ratings=form.ratings())
            except (YearEndError, YearFinal) as exc:
                error = str(exc)
            else:
                return render(request, "web/ballot_done.html", {"year": year})
        else:
            unanswered = [u.name for u in units if f"u-{u.pk}" in form.errors]
            error = _("Rate every unit with one of the options. Not rated yet: %(units)s.") % {
                "units": "、".join(unanswered)
            }
    group = next((g for g in scheme.recognition.groups if g.key == ballot_code.group), None)
    categories = {c.key: c.name for c in scheme.categories}
    # nothing is chosen for the rater: an unanswered unit is an error, never a silent 满意
    chosen = {u.pk: (form[f"u-{u.pk}"].value() or "") if form.is_bound else "" for u in units}
    missing = {u.pk for u in units if form.is_bound and f"u-{u.pk}" in form.errors}
    return render(
        request,
        "web/ballot.html",
        {
            "year": year,
            "code": ballot_code,
            "group": group,
            "units": units,
            "chosen": chosen,
            "missing": missing,
            "error": error,
            "options": options,
            "categories": categories,
            "closed": ballot_code.used_at is not None
            or ballot_code.evaluation.status != Evaluation.Status.OPEN,
        },
        status=200 if not error else 400,
    )
