from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from kaohe.web.demo import DEMO_PASSWORD, demo_clock_start, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo district (once) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        clock = demo_clock_start()  # the demo lives in 2015 (KAOHE_DEMO_CLOCK=off: not)
        year = load_demo()
        if clock is not None:
            self.stdout.write(f"Demo clock: {timezone.localtime(clock):%Y-%m-%d %H:%M}")
        self.stdout.write(f"Demo year: {year.title}")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, who in demo_logins():
            self.stdout.write(f"  {username:<28} {who}")
