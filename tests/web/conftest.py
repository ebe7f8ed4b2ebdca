"""A small district and the cast of users every view test checks (SPEC §1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from kaohe.audit.signals import DISPATCH_UID, on_login
from kaohe.engine.loader import read_scheme_text
from kaohe.monthly.models import Cycle
from kaohe.monthly.services import cycle_open
from kaohe.people.models import Department, Unit, User
from kaohe.years.models import Year
from kaohe.years.services import year_create

PASSWORD = "correct-horse-battery"  # noqa: S105
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

# The settings create no folder (a command run elsewhere must not leave ./var behind): the
# SQLite test databases (one per xdist worker) and whitenoise's root live here.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2 (hashes start "argon2"), at the cheapest parameters: Django's default costs
    about 0.35 s of CPU per password, and every world creates six users."""

    time_cost = 1
    memory_cost = 8  # KiB
    parallelism = 1


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher() -> Iterator[None]:
    # and background jobs run where they are queued, so a page's action is done when it answers
    with override_settings(
        PASSWORD_HASHERS=[f"{__name__}.FastArgon2PasswordHasher"],
        KAOHE_JOBS_INLINE=True,
        KAOHE_NOTICE_PDF_AT_PUBLISH=False,  # a PDF per publication would slow every test
    ):
        yield


@dataclass
class World:
    year: Year
    cycle: Cycle
    units: dict[str, Unit]
    users: dict[str, User]

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            # the cast logs in quietly: tests count the audit events of the action they try;
            # logins themselves are audited and tested in test_audit.py and test_auth.py
            user_logged_in.disconnect(dispatch_uid=f"{DISPATCH_UID}.login")
            try:
                client.force_login(self.users[who])
            finally:
                user_logged_in.connect(on_login, dispatch_uid=f"{DISPATCH_UID}.login")
        return client

    def sheet(self, department: str):  # type: ignore[no-untyped-def]
        return self.cycle.sheets.get(department__key=department)


def make_units(streets: int = 4) -> dict[str, Unit]:
    units = {
        f"S{i}": Unit.objects.create(
            code=f"S{i}", name=f"第{i}街道党工委", category="street", secretary=f"书记{i}"
        )
        for i in range(1, streets + 1)
    }
    units["D1"] = Unit.objects.create(
        code="D1", name="区财政局机关党委", category="district", kind="organ"
    )
    units["D2"] = Unit.objects.create(
        code="D2", name="区法院党委", category="district", kind="affiliated"
    )
    return units


def build_world() -> World:
    source, text = read_scheme_text("district-2014")
    office = User.objects.create_user("office", password=PASSWORD, is_office=True)
    year = year_create(acting_user=office, scheme_text=text, source=source)
    units = make_units()
    departments = {d.key: d for d in Department.objects.all()}
    users = {
        "office": office,
        "leader": User.objects.create_user("leader", password=PASSWORD, is_leader=True),
        "assessor_org": User.objects.create_user(
            "org", password=PASSWORD, department=departments["org"]
        ),
        "assessor_cadre": User.objects.create_user(
            "cadre", password=PASSWORD, department=departments["cadre"]
        ),
        "unit_a": User.objects.create_user("unit-a", password=PASSWORD, unit=units["S1"]),
        "unit_b": User.objects.create_user("unit-b", password=PASSWORD, unit=units["S2"]),
    }
    cycle = cycle_open(acting_user=office, year=year, month=1)
    return World(year, cycle, units, users)


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Services speak the active language; pin it so assertions do not depend on test order
    (a request's LocaleMiddleware leaves its language active in the thread)."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: object) -> Iterator[World]:
    """One district for a whole module, in a transaction rolled back at its end; each test runs
    in a savepoint inside it (pytest-django's `db`), so what a test writes is undone after it.
    For modules whose tests only read the world's objects (never keep edited instances)."""
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):  # type: ignore[attr-defined]
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """The same district, committed, for the browser against the live server."""
    return build_world()


CAST = ["office", "leader", "assessor_org", "assessor_cadre", "unit_a", "unit_b", "anonymous"]


_RUNNING: dict[str, object] = {}  # one Playwright per process, whichever conftest asks


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium (never a downloaded one); skipped where it is not installed, unless
    KAOHE_REQUIRE_BROWSER is set (as `make test` does), where its absence fails. Other test
    folders import this fixture: the first to start it shares it (Playwright's sync API
    cannot start twice in one process)."""
    if "browser" in _RUNNING:
        yield _RUNNING["browser"]
        return
    if not shutil.which(CHROMIUM) and not os.environ.get("KAOHE_REQUIRE_BROWSER"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        _RUNNING["browser"] = browser
        try:
            yield browser
        finally:
            del _RUNNING["browser"]
            browser.close()


def login(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 950}, locale="zh-CN")
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button.btn-danger")
    page.wait_for_url(f"{live_server.url}/")
    return page
