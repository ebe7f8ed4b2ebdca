"""An offline sheet over the size limit is refused by its declared size, before it is read."""

from __future__ import annotations

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.excel.guard import SHEET_LIMITS
from kaohe.monthly.models import Entry

from .conftest import World


def test_an_oversized_sheet_is_refused_without_reading_it(world: World) -> None:
    sheet = world.sheet("org")
    big = SimpleUploadedFile("big.xlsx", b"\0" * (SHEET_LIMITS.file_bytes + 1))
    client = world.client("assessor_org")  # logging in is an audit event of its own
    events, entries = AuditEvent.objects.count(), Entry.objects.count()
    with mock.patch("kaohe.web.sheets.import_sheet") as parse:
        page = client.post(reverse("sheet-xlsx", args=[sheet.pk]), {"file": big}, follow=True)
    assert page.status_code == 200
    assert not parse.called
    assert "文件超过 10 MB" in page.content.decode()
    assert (AuditEvent.objects.count(), Entry.objects.count()) == (events, entries)
