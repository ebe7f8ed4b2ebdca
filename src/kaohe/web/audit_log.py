"""The audit log page (审计日志) for the office: newest first, filtered, each event with its
object's link and its before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaohe.audit.labels import ACTIONS, action_label, object_label
from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Entry, Sheet
from kaohe.people.models import Department, Unit
from kaohe.yearend.models import Declaration, Objection
from kaohe.years.models import Target, Year

from .access import is_office, role
from .fields import RefField

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    person = RefField(label=_("Person (user name)"), required=False)
    unit = forms.ModelChoiceField(
        Unit.objects.order_by("code"),
        label=_("Unit"),
        required=False,
        to_field_name="code",
        empty_label=_("Every unit"),
    )
    department = forms.ModelChoiceField(
        Department.objects.order_by("key"),
        label=_("Department"),
        required=False,
        to_field_name="key",
        empty_label=_("Every department"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(((code, action_label(code)) for code in ACTIONS), key=lambda c: c[1])
        action = self.fields["action"]
        if isinstance(action, forms.ChoiceField):  # always: declared above
            action.choices = [("", _("Every action")), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


def _ids(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Primary keys as text, to match ``AuditEvent.object_id`` inside the database."""
    texts: QuerySet[Any] = qs.annotate(text_pk=Cast("pk", CharField())).values("text_pk")
    return texts


def _of(label: str, qs: QuerySet[Any]) -> Q:
    return Q(object_type=label, object_id__in=_ids(qs))


def filtered(data: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-id")
    if data.get("person"):
        events = events.filter(actor_name=data["person"])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if unit := data.get("unit"):
        events = events.filter(
            _of("monthly.entry", Entry.objects.filter(unit=unit))
            | _of("yearend.declaration", Declaration.objects.filter(unit=unit))
            | _of("yearend.objection", Objection.objects.filter(unit=unit))
            | _of("years.target", Target.objects.filter(unit=unit))
            | _of("people.unit", Unit.objects.filter(pk=unit.pk))
            | Q(actor__unit=unit)
        )
    if department := data.get("department"):
        events = events.filter(
            _of("monthly.sheet", Sheet.objects.filter(department=department))
            | _of("monthly.entry", Entry.objects.filter(sheet__department=department))
            | Q(actor__department=department)
        )
    zone = timezone.get_current_timezone()
    if since := data.get("since"):
        events = events.filter(at__gte=dt.datetime.combine(since, dt.time.min, zone))
    if until := data.get("until"):
        events = events.filter(at__lt=dt.datetime.combine(until, dt.time.min, zone) + _DAY)
    return events


_DAY = dt.timedelta(days=1)


def _links(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """A link per event object, with one query per object type on the page."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_id.isdigit():
            wanted.setdefault(e.object_type, set()).add(int(e.object_id))
    links: dict[tuple[str, str], str] = {}

    def put(label: str, pk: int, url: str) -> None:
        links[(label, str(pk))] = url

    for pk in wanted.get("monthly.sheet", ()):
        put("monthly.sheet", pk, reverse("sheet", args=[pk]))
    for pk, sheet in Entry.objects.filter(pk__in=wanted.get("monthly.entry", ())).values_list(
        "pk", "sheet_id"
    ):
        put("monthly.entry", pk, reverse("sheet", args=[sheet]))
    for pk in wanted.get("yearend.declaration", ()):
        put("yearend.declaration", pk, reverse("declaration", args=[pk]))
    for pk, year in Year.objects.filter(pk__in=wanted.get("years.year", ())).values_list(
        "pk", "year"
    ):
        put("years.year", pk, reverse("year", args=[year]))
    for label, model, view in (
        ("yearend.closing", "closing", "results"),
        ("yearend.evaluation", "evaluation", "evaluation"),
        ("yearend.objection", "objection", "results"),
        ("years.target", "target", "targets"),
    ):
        found = apps.get_model(label.split(".")[0], model).objects.filter(
            pk__in=wanted.get(label, ())
        )
        for pk, year in found.values_list("pk", "year__year"):
            put(label, pk, reverse(view, args=[year]))
    return links


def _shown(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@role(is_office)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    paginator = Paginator(
        filtered(data) if not form.errors else AuditEvent.objects.none(), PAGE_SIZE
    )
    page = paginator.get_page(data.get("page") or 1)
    events = list(page.object_list)
    links = _links(events)
    rows = [
        {
            "event": e,
            "label": action_label(e.action),
            "object": object_label(e.object_type),
            "link": links.get((e.object_type, e.object_id), ""),
            "before": _shown(e.before),
            "after": _shown(e.after),
        }
        for e in events
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit_log.html",
        {"form": form, "rows": rows, "page": page, "query": query.urlencode()},
    )
