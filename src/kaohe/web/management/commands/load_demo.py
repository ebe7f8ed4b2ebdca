from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kaohe.web.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo district (once) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        year = load_demo()
        self.stdout.write(_("Demo year: %(title)s") % {"title": year.title})
        self.stdout.write(
            _("Logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for username, who in demo_logins():
            self.stdout.write(f"  {username:<28} {who}")
