from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.people.services import initial_passwords_kept
from kaohe.web.demo import DEMO_PASSWORD, demo_clock_start, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo district (once) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        clock = demo_clock_start()  # the demo lives in 2015 (KAOHE_DEMO_CLOCK=off: not)
        year = load_demo()
        if clock is not None:
            when = f"{timezone.localtime(clock):%Y-%m-%d %H:%M}"
            self.stdout.write(_("Demo clock: %(when)s") % {"when": when})
        self.stdout.write(_("Demo year: %(title)s") % {"title": year.title})
        self.stdout.write(
            _("Logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        if not initial_passwords_kept():  # production accounts (docs/decisions.md)
            self.stdout.write(_("  each account must change it at its first login"))
        for username, who in demo_logins():
            self.stdout.write(f"  {username:<28} {who}")
