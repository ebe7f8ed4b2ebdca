"""An assessor takes the department's submitted sheet back (撤回) until the office decides."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaohe.monthly.models import Sheet
from kaohe.monthly.services import CycleError, StaleRecord, sheet_withdraw

from .access import any_user, current_user, for_user, may_score_sheet, role
from .forms import SheetActionForm

SHEETS = Sheet.objects.select_related("cycle__year", "department", "changed_by")


@role(any_user)
def sheet_withdraw_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """POST only, from the version of the sheet the assessor saw; back to the sheet."""
    user = current_user(request)
    sheet = for_user(user, SHEETS, may=may_score_sheet, pk=sheet_id)
    back = redirect("sheet", sheet_id=sheet.pk)
    if request.method != "POST":
        return back
    form = SheetActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    try:
        sheet_withdraw(acting_user=user, sheet=sheet, expected_version=form.cleaned_data["version"])
    except StaleRecord as exc:
        return render(
            request,
            "web/sheet_conflict.html",
            {"sheet": exc.obj, "action": "withdraw", "form": form, "back": back["Location"]},
            status=409,
        )
    except CycleError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(
        request, _("The sheet is withdrawn: it is a draft again; submit it when ready.")
    )
    return back
