"""Aggregation and review (确认公示), the public notice with its PDF, objections, and the use
of the results (结果运用) with Excel and PDF exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kaohe.jobs.models import Job
from kaohe.jobs.services import job_enqueue
from kaohe.people.models import User
from kaohe.yearend.exports import use_workbook
from kaohe.yearend.models import Closing, Objection
from kaohe.yearend.selectors import closing_read, published_changes, readiness
from kaohe.yearend.services import (
    ClosingConflict,
    YearEndError,
    closing_compute_check,
    closing_finalize,
    closing_publish,
    closing_reopen,
    closing_review,
    closing_submit,
    notice_open,
    objection_answer,
    objection_lodge,
    readiness_problems,
)
from kaohe.years.finality import YearFinal
from kaohe.years.models import Year

from .access import any_user, current_user, require, role, sees_everything
from .charts import totals_distribution
from .confirm import confirm_page, confirmed
from .downloads import PDF, file_response
from .forms_closing import ObjectionForm, ResultsForm
from .notice_files import pdf_bytes, pdf_context

PUBLIC_STAGES = (Closing.Stage.PUBLISHED, Closing.Stage.FINAL)


def tables(year: Year, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Per category: rows in rank order with name and components, from stored figures."""
    out = []
    for category in year.scheme.categories:
        rows = []
        for row in figures["annual"].get(category.key, []):
            unit = figures["units"][row["unit"]]
            rows.append(
                {
                    "code": row["unit"],
                    "rank": row["rank"],
                    "vetoed": row.get("vetoed", False),
                    **{k: unit[k] for k in ("name", "T", "B", "F", "R", "total")},
                }
            )
        out.append(
            {
                "category": category,
                "rows": rows,
                "use": figures["results_use"].get(category.key, {}),
            }
        )
    return out


def _review_history(closing: Closing) -> list[dict[str, Any]]:
    """The leaders' decisions, newest first, with their dates parsed for display."""
    notes = []
    for note in reversed(closing.review_notes or []):
        at = parse_datetime(str(note.get("at", "")))
        notes.append({**note, "at": timezone.localtime(at) if at else None})
    return notes


def _past_notices(closing: Closing) -> list[dict[str, Any]]:
    out = []
    for past in reversed(closing.past_notices or []):
        at = parse_datetime(str(past.get("reopened_at", "")))
        published = parse_datetime(str(past.get("published_at") or ""))
        out.append(
            {
                **past,
                "reopened_at": timezone.localtime(at) if at else None,
                "published_at": timezone.localtime(published) if published else None,
            }
        )
    return out


def _readiness_panel(year: Year) -> list[tuple[str, str | None]]:
    """(what is missing, where to fix it) for the results page."""
    state = readiness(year)
    problems = readiness_problems(state)
    links: list[str | None] = []
    for gap in state.months:
        links.append(
            reverse("cycle", args=[year.year, gap.month])
            if gap.opened
            else reverse("year", args=[year.year])
        )
    if state.pending_declarations:
        links.append(reverse("declarations", args=[year.year]))
    if state.evaluation != "closed":
        links.append(reverse("evaluation", args=[year.year]))
    return list(zip(problems, links, strict=True))


def _compute(request: HttpRequest, user: User, year: Year, version: int | None) -> HttpResponse:
    """Aggregating the year runs as a background job: refused at once when it would be, then
    queued; the page follows its progress (or, when it ran at once, says how it ended)."""
    closing_compute_check(acting_user=user, year=year, expected_version=version)
    job = job_enqueue(
        kind=Job.Kind.RESULTS, acting_user=user, year=year, params={"version": version}
    )
    if job.status == Job.Status.QUEUED:
        return redirect("job", pk=job.pk)
    if job.status == Job.Status.FAILED:
        messages.error(request, job.error)
    else:
        messages.success(request, job.message)
    return redirect("results", year=year.year)


def _run(form: ResultsForm, user: User, year: Year) -> None:
    data = form.cleaned_data
    action, version = data["action"], data["version"]
    if action == "submit":
        closing_submit(acting_user=user, year=year, expected_version=version)
    elif action in ("approve", "return"):
        closing_review(
            acting_user=user,
            year=year,
            approve=action == "approve",
            comment=data["comment"],
            expected_version=version,
        )
    elif action == "publish":
        closing_publish(acting_user=user, year=year, expected_version=version)
    elif action == "reopen":
        closing_reopen(acting_user=user, year=year, reason=data["reason"], expected_version=version)
    elif action == "finalize":
        closing_finalize(acting_user=user, year=year, expected_version=version)
    else:
        objection_answer(acting_user=user, objection=data["objection_row"], answer=data["answer"])


_CONFIRM = ("approve", "publish", "finalize")


def _confirm_results(request: HttpRequest, year: Year, action: str) -> HttpResponse:
    """What approving, publishing or finalising the results does, in words."""
    y = {"year": year.year}
    back = reverse("results", args=[year.year])
    if action == "approve":
        return confirm_page(
            request,
            title=_("Approve the results of %(year)s?") % y,
            consequence=_(
                "Once approved, the office may publish these results as the public notice, "
                "for everyone to read."
            ),
            button=_("Yes, approve"),
            back=back,
        )
    if action == "publish":
        return confirm_page(
            request,
            title=_("Publish the notice of %(year)s?") % y,
            consequence=_(
                "Once published, the results are public on the notices page for everyone, "
                "the notice period starts and units may lodge objections."
            ),
            button=_("Yes, publish the notice"),
            back=back,
        )
    return confirm_page(
        request,
        title=_("Finalise the results of %(year)s?") % y,
        consequence=_(
            "Once final, the results of the year cannot be changed any more: no score, "
            "declaration or ballot of the year can be edited."
        ),
        button=_("Yes, finalise"),
        back=back,
    )


@role(sees_everything)
def results(request: HttpRequest, year: int) -> HttpResponse:
    the_year = get_object_or_404(Year, year=year)
    user = current_user(request)
    closing = closing_read(the_year)
    form = ResultsForm(year=the_year, initial={"version": closing.version})
    status = 200
    if request.method == "POST":
        form = ResultsForm(request.POST, year=the_year)
        if form.is_valid():
            action = form.cleaned_data["action"]
            # asked only of whoever may do it; anyone else gets the service's refusal
            may = user.is_leader if action == "approve" else user.is_office
            if action in _CONFIRM and may and not confirmed(request):
                return _confirm_results(request, the_year, action)
            try:
                if action == "compute":
                    return _compute(request, user, the_year, form.cleaned_data["version"])
                _run(form, user, the_year)
            except ClosingConflict as exc:
                return render(
                    request,
                    "web/closing_conflict.html",
                    {"year": the_year, "closing": exc.closing, "form": form},
                    status=409,
                )
            except (YearEndError, YearFinal) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Saved."))
            return redirect("results", year=year)
        status = 400
        closing = closing_read(the_year)
    return render(
        request,
        "web/results.html",
        {
            "year": the_year,
            "closing": closing,
            "form": form,
            "readiness": _readiness_panel(the_year),
            "review_history": _review_history(closing),
            "past_notices": _past_notices(closing),
            "tables": tables(the_year, closing.results) if closing.results else [],
            "charts": totals_distribution(the_year, closing.results) if closing.results else [],
            "objections": Objection.objects.filter(year=the_year).select_related("unit"),
            "changes": published_changes(the_year)
            if closing.stage in (Closing.Stage.PUBLISHED, Closing.Stage.FINAL)
            else None,
            "notice_open": notice_open(closing),
        },
        status=status,
    )


def notice_list(request: HttpRequest) -> HttpResponse:
    """Every published notice; no login needed."""
    closings = (
        Closing.objects.filter(stage__in=PUBLIC_STAGES)
        .select_related("year")
        .order_by("-year__year")
    )
    return render(request, "web/notice_list.html", {"closings": closings})


def _published(year: int) -> tuple[Closing, dict[str, Any]]:
    closing = (
        Closing.objects.select_related("year")
        .filter(year__year=year, stage__in=PUBLIC_STAGES)
        .first()
    )
    if closing is None or closing.results is None:
        raise Http404
    return closing, closing.results


def notice(request: HttpRequest, year: int) -> HttpResponse:
    """The public notice (公示); a unit's user may object during the notice period."""
    closing, figures = _published(year)
    unit_id = getattr(request.user, "unit_id", None)
    can_object = bool(unit_id) and notice_open(closing)
    form = ObjectionForm()
    status = 200
    if request.method == "POST":
        require(can_object)
        form = ObjectionForm(request.POST)
        if form.is_valid():
            try:
                objection_lodge(
                    acting_user=current_user(request),
                    year=closing.year,
                    text=form.cleaned_data["text"],
                )
                messages.success(request, _("Your objection is lodged; the office will answer it."))
            except (YearEndError, YearFinal) as exc:
                messages.error(request, str(exc))
            return redirect("notice", year=year)
        status = 400
    mine = Objection.objects.filter(year=closing.year, unit_id=unit_id) if unit_id else []
    own = getattr(request.user, "unit", None)
    own = own if own is not None and own.code in figures["units"] else None
    return render(
        request,
        "web/notice.html",
        {
            "closing": closing,
            "year": closing.year,
            "tables": tables(closing.year, figures),
            "can_object": can_object,
            "period_open": notice_open(closing),
            "own": own,
            "mine": mine,
            "form": form,
        },
        status=status,
    )


def notice_pdf(request: HttpRequest, year: int) -> HttpResponse:
    closing, _figures = _published(year)
    return file_response(pdf_bytes(closing, "notice"), f"notice-{year}.pdf", PDF, inline=True)


@role(any_user)
def annual_unit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Every point of a unit's annual total: T by month and item, B, F, R, rank, use. The
    office and the leaders read every unit's; a unit reads its own once the notice is
    published (issue 10 point 5), never another's."""
    from kaohe.engine import explain_unit
    from kaohe.yearend.selectors import year_end_result

    user = current_user(request)
    the_year = get_object_or_404(Year, year=year)
    if not user.sees_everything:
        own = user.unit is not None and user.unit.code == code
        require(own and Closing.objects.filter(year=the_year, stage__in=PUBLIC_STAGES).exists())
    result = year_end_result(the_year)
    if code not in result.units:
        raise Http404
    line = explain_unit(result, code)
    return render(
        request,
        "web/annual_unit.html",
        {
            "year": the_year,
            "unit": result.units[code].unit,
            "line": line,
            "lines": line.children,
            "closing": closing_read(the_year),
        },
    )


@role(any_user)
def results_use(request: HttpRequest, year: int, fmt: str = "") -> HttpResponse:
    """Final ranking, advanced units, ineligible units and cadres, escalations; with exports."""
    closing, _figures = _published(year)
    user = current_user(request)
    require(user.sees_everything or closing.stage == Closing.Stage.FINAL)
    context = pdf_context(closing)  # the page, the workbook and the PDF read the same
    if fmt == "xlsx":
        return file_response(use_workbook(closing.year, context), f"results-use-{year}.xlsx")
    if fmt == "pdf":
        pdf = pdf_bytes(closing, "use")
        return file_response(pdf, f"results-use-{year}.pdf", PDF, inline=True)
    return render(request, "web/use.html", context)
