"""Which fields each endpoint takes: read from the rendered pages' forms (so the fuzzer keeps
up as views move to Django forms), from the form classes of ``kaohe.web``, and from a short
list of names the views read today for roles that never see the form."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve

# Names the views read by hand (grep request.POST in src/kaohe/web) and the values that
# pick a branch; a role without the form on its page still posts them.
STATIC_FIELDS: dict[str, dict[str, list[str]]] = {
    "years": {"confirm": ["1"], "builtin": ["district-2014"]},
    "year": {"month": ["1", "2", "3"], "due_date": ["2014-02-10"]},
    "escalations": {"case": [], "status": ["pending", "done"], "notes": []},
    "cell": {
        "correction_reason": [],
        **{f"c{i}-{n}": [] for i in range(2) for n in ("deduction", "count", "not_met")},
        **{f"c{i}-{n}": [] for i in range(2) for n in ("reason", "evidence")},
    },
    "sheet-return": {"reason": []},
    "declarations": {
        "action": ["open", "close", "preview-fault", "fault", "achievement"],
        "unit": [],
        "fault_type": ["report_late", "meeting_absent", "cadre_selection"],
        "occurrences": ["1", "2"],
        "description": ["说明"],
        "occurred_on": ["2014-03-01"],
        "award_level": ["innovation:major"],
        "content": ["网格党建"],
        "document_no": ["区组发〔2014〕1号"],
        "document_date": ["2014-03-01"],
    },
    "declaration": {"decision": ["accept", "reject"], "reason": ["无红头文件"]},
    "evaluation": {
        "action": ["open", "issue", "close"],
        "group": ["leaders", "served"],
        "count": ["1", "3"],
    },
    "results": {
        "action": [
            "compute",
            "submit",
            "approve",
            "return",
            "publish",
            "reopen",
            "finalize",
            "answer",
        ],
        "comment": ["同意"],
        "reason": ["更正"],
        "objection": [],
        "answer": ["经复核无误"],
    },
    "notice": {"text": ["第6项有误"]},
    "login": {"username": ["office", "unit-a"], "password": ["correct-horse-battery"]},
    "set_language": {"language": ["en", "zh-hans"], "next": ["/", "//evil.example/"]},
}
# File inputs per endpoint (besides those the pages show).
STATIC_FILES: dict[str, list[str]] = {
    "years": ["upload"],
    "sheet-xlsx": ["file"],
    "declarations": ["evidence"],
    "declaration": ["evidence"],
}


@dataclass
class Endpoint:
    """Everything known about what one URL name accepts."""

    fields: dict[str, set[str]] = field(default_factory=dict)  # name → known valid values
    files: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)  # who was shown a form posting here

    def add(self, name: str, value: str | None = None) -> None:
        values = self.fields.setdefault(name, set())
        if value is not None and value != "":
            values.add(value)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, object]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "f": []}
            )
            return
        if not self.forms:
            return
        fields: list[tuple[str, str, str]] = self.forms[-1]["f"]  # type: ignore[assignment]
        name = a.get("name", "")
        if tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            fields.append((self._select, "text", a.get("value", "")))
        elif tag in ("input", "button", "textarea") and name:
            kind = a.get("type", "text" if tag != "button" else "submit").lower()
            fields.append((name, kind, a.get("value", "on" if kind == "checkbox" else "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_on(
    page_url: str, html: str
) -> list[tuple[str, dict[str, str], str, list[tuple[str, str, str]]]]:
    """(url name, kwargs, method, fields) of each form on a page, by the URL it posts to."""
    parser = _FormParser()
    parser.feed(html)
    out = []
    for form in parser.forms:
        target = urlsplit(str(form["action"]) or page_url).path or urlsplit(page_url).path
        try:
            match = resolve(target)
        except Resolver404:
            continue
        out.append((match.url_name or "", dict(match.kwargs), str(form["method"]), form["f"]))  # type: ignore[arg-type]
    return out


def form_class_fields() -> set[str]:
    """Every field name of every Django form class in ``kaohe.web`` (today's and tomorrow's)."""
    import kaohe.web

    names: set[str] = set()
    for info in pkgutil.walk_packages(kaohe.web.__path__, "kaohe.web."):
        if ".management" in info.name or info.name.endswith(".demo"):
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                names.update(obj.base_fields)
    return names


def endpoints_from_static() -> dict[str, Endpoint]:
    out: dict[str, Endpoint] = {}
    for name, fields in STATIC_FIELDS.items():
        endpoint = out.setdefault(name, Endpoint())
        for field_name, values in fields.items():
            endpoint.add(field_name)
            for value in values:
                endpoint.add(field_name, value)
    for name, files in STATIC_FILES.items():
        out.setdefault(name, Endpoint()).files.update(files)
    return out


def learn(endpoints: dict[str, Endpoint], page_url: str, html: str, role: str) -> None:
    """Add what one rendered page's forms post, to the endpoints they post to."""
    for url_name, _kwargs, method, fields in forms_on(page_url, html):
        if method != "post":
            url_name = url_name + "?"  # a GET form: its fields are query parameters
        endpoint = endpoints.setdefault(url_name, Endpoint())
        endpoint.roles.add(role)
        for name, kind, value in fields:
            if name == "csrfmiddlewaretoken":
                continue
            if kind == "file":
                endpoint.files.add(name)
            else:
                endpoint.add(name, value)
