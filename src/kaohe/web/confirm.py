"""A confirmation step before an irreversible or bulk action (issue 10, point 6).

Without JavaScript the first post answers with a page naming the consequence, which posts
the same fields again with ``confirmed=1``; with JavaScript a dialog (``data-confirm`` on the
button, ``kaohe.js``) asks first and adds ``confirmed=1`` itself. The server never acts
without it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# what the confirmation page does not post again
_NOT_REPOSTED = ("csrfmiddlewaretoken", "confirmed")


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField(required=False)


def confirmed(request: HttpRequest) -> bool:
    """Whether the post says the user saw the consequence and confirmed."""
    form = ConfirmForm(request.POST)
    return form.is_valid() and bool(form.cleaned_data["confirmed"])


def confirm_page(
    request: HttpRequest, *, title: str, consequence: str, button: str, back: str
) -> HttpResponse:
    """The consequence in words, and one button posting the user's fields again, confirmed."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in _NOT_REPOSTED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "web/confirm_action.html",
        {
            "title": title,
            "consequence": consequence,
            "button": button,
            "back": back,
            "action": request.path,
            "fields": fields,
        },
    )
