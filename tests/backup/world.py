"""A tiny district for the backup tests, written by a separate process into the database
and evidence folder its environment names: `python -m tests.backup.world`."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django

    django.setup()
    if sys.argv[1:] == ["more"]:
        more()
        return
    if sys.argv[1:2] == ["writes"]:
        writes(Path(sys.argv[2]))
        return
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from kaohe.engine.loader import read_scheme_text
    from kaohe.monthly.services import cycle_open
    from kaohe.people.models import Unit, User
    from kaohe.yearend.services import declaration_submit, window_set
    from kaohe.years.services import year_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    source, text = read_scheme_text("district-2014")
    office = User.objects.create_user("office", password="x", is_office=True)
    year = year_create(acting_user=office, scheme_text=text, source=source)
    unit = Unit.objects.create(code="S1", name="第1街道党工委", category="street", secretary="书记")
    Unit.objects.create(code="D1", name="区财政局机关党委", category="district", kind="organ")
    user = User.objects.create_user("unit-a", password="x", unit=unit)
    cycle_open(acting_user=office, year=year, month=1)
    window_set(acting_user=office, year=year, open_=True)
    declaration_submit(
        acting_user=user,
        year=year,
        unit=unit,
        kind="achievement",
        award="innovation",
        level="major",
        content="网格党建",
        description="获评重大创新项目",
        uploads=[
            SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
            SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40),
        ],
    )


def more() -> None:
    """One more audited write into a restored database: its keys must come after the restored
    ones (PostgreSQL's sequences moved past them)."""
    from django.db import transaction

    from kaohe.audit.services import record
    from kaohe.people.models import Unit

    with transaction.atomic():
        unit = Unit.objects.create(code="S9", name="第9街道党工委", category="street")
        record(acting_user=None, action="unit.create", obj=unit, after={"code": "S9"})


def writes(stop: Path) -> None:
    """Audited writes one after another, each its own transaction, until ``stop`` exists."""
    from django.db import transaction

    from kaohe.audit.services import record
    from kaohe.people.models import Unit

    print("writing", flush=True)
    for i in range(100_000):
        if stop.exists():
            break
        with transaction.atomic():
            unit = Unit.objects.create(code=f"W{i}", name=f"写入单位{i}", category="street")
            record(acting_user=None, action="unit.create", obj=unit, after={"code": unit.code})


if __name__ == "__main__":
    main()
