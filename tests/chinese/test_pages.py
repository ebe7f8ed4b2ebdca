"""What the web shows in Chinese: refusals of a cell without the file path, the what-if table
with Chinese labels, two decimals and rank movement as arrows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from kaohe.monthly.services import CycleError
from kaohe.yearend.selectors import Change
from tests.web.test_monthly import score

from .conftest import World


def test_a_cell_beyond_a_checks_cap_is_refused_in_chinese_without_the_path(world: World) -> None:
    translation.activate("zh-hans")
    with pytest.raises(CycleError) as caught:
        score(world, item="7", values={"checks": {"not_carried_out": 11}}, reason="x")
    message = str(caught.value)
    assert "最多记10次" in message
    assert "cell." not in message and "at most" not in message


def test_the_same_refusal_in_english_when_english_is_chosen(world: World) -> None:
    translation.activate("en")
    with pytest.raises(CycleError) as caught:
        score(world, item="7", values={"checks": {"not_carried_out": 11}}, reason="x")
    assert "at most 10" in str(caught.value) and "cell." not in str(caught.value)


CHANGES = [
    Change("S1", "东城街道", "total", Decimal("96.9166666667"), Decimal("116.9166666667")),
    Change("S1", "东城街道", "rank", 3, 1),
    Change("S2", "西城街道", "rank", 1, 2),
    Change("S1", "东城街道", "advanced", False, True),
    Change("S2", "西城街道", "escalation talk 2", True, False),
]


def test_the_what_if_table_speaks_chinese_with_two_decimals_and_arrows() -> None:
    translation.activate("zh-hans")
    html = render_to_string("web/_changes.html", {"changes": CHANGES})
    for text in ("年度总分", "96.92", "116.92", "+20.00", "年度名次", "↑2", "↓1"):
        assert text in html, text
    assert "推荐为先进" in html and "否 → 是" in html
    assert "组织约谈(2月)" in html and "是 → 否" in html
    for english in ("total", "rank", "advanced", "False", "True", "escalation", "9166"):
        assert english not in html, english


def test_the_what_if_table_in_english() -> None:
    translation.activate("en")
    html = render_to_string("web/_changes.html", {"changes": CHANGES})
    assert "Annual total" in html and "↑2" in html and "no → yes" in html
    assert "Escalation: talk (month 2)" in html


def test_djangos_blank_choice_reads_chinese() -> None:
    """Django 6 labels a model choice left blank "- Select an option -"; its own zh-hans
    catalog lacks it, ours has it."""
    from django.db.models import fields

    translation.activate("zh-hans")
    assert str(fields.BLANK_CHOICE_LABEL) == "- 请选择 -"


def test_a_bad_scheme_upload_is_refused_in_the_pages_language(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    def refused(client: object) -> str:
        bad = SimpleUploadedFile("bad.yaml", b"- a list, not settings\n")
        response = client.post(reverse("years"), {"upload": bad})  # type: ignore[attr-defined]
        assert response.status_code in (200, 400)
        return str(response.content.decode())

    client = world.client("office")
    assert "方案须是由各项设置组成的映射" in refused(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "a scheme must be a mapping of settings" in refused(client)
