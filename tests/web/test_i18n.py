"""Chinese by default, English available; the zh-hans catalog is complete and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
from django.urls import reverse

from .conftest import World

LOCALE = Path(__file__).resolve().parents[2] / "src/kaohe/locale/zh_Hans/LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalog = polib.pofile(str(LOCALE / "django.po"))
    assert catalog.percent_translated() == 100, [e.msgid for e in catalog.untranslated_entries()]
    assert not catalog.fuzzy_entries()


def test_the_compiled_catalog_matches_the_source() -> None:
    catalog = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_pages_are_in_chinese_by_default_and_english_on_request(world: World) -> None:
    client = world.client("office")
    assert "月度排名" in client.get(reverse("ranking", args=[2014, 1])).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Monthly ranking" in client.get(reverse("ranking", args=[2014, 1])).content.decode()


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(world: World) -> None:
    client = world.client("office")
    page = client.get(reverse("ranking", args=[2014, 1]), headers={"accept-language": "en-US,en"})
    assert "月度排名" in page.content.decode()
