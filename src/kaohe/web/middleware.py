"""Request middleware: the interface language, and the request body limit."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware(LocaleMiddleware):
    """An office PC's browser language says nothing about its user: the interface is in
    Simplified Chinese by default, and English only when chosen (the language cookie)."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class BodyLimitMiddleware:
    """Refuses a request whose declared body is larger than ``REQUEST_MAX_BYTES`` (413), from
    its Content-Length alone: nothing of the body is read, no view runs. Django's own limits
    (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FILES) apply to what is let through,
    and each file is checked again by its consumer (evidence, spreadsheets)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.REQUEST_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads such a body as empty
        if declared > limit:
            return too_large(limit)
        return self.get_response(request)


def too_large(limit: int) -> HttpResponse:
    title = _("Too large")
    text = _(
        "What you sent is larger than %(size)s and was refused before it was read. "
        "Send fewer or smaller files at a time."
    ) % {"size": filesizeformat(limit)}
    page = format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>",
        translation.get_language() or "zh-hans",
        title,
        title,
        text,
    )
    return HttpResponse(page, status=413)
