from typing import Any

from django.core.management.base import BaseCommand

from kaohe.monthly.services import send_reminders


class Command(BaseCommand):
    help = "Remind departments of scoring sheets due soon (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_reminders()} reminder(s) sent")
