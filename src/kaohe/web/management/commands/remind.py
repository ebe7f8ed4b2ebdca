from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kaohe.monthly.services import send_reminders


class Command(BaseCommand):
    help = "Remind departments of scoring sheets due soon (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders()
        self.stdout.write(
            ngettext("%(n)s reminder sent", "%(n)s reminders sent", sent) % {"n": sent}
        )
