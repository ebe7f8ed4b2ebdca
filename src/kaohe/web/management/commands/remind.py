from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kaohe.jobs.commandline import draw
from kaohe.jobs.models import Job
from kaohe.jobs.services import ECHO, job_enqueue, job_run_now


class Command(BaseCommand):
    help = "Remind departments of scoring sheets due soon (run daily, e.g. from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="leave it to the background worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            job = job_enqueue(kind=Job.Kind.REMINDERS, acting_user=None)
            self.stdout.write(_("queued as job %(id)s") % {"id": job.pk})
            return
        ECHO.append(draw)
        try:
            job = job_run_now(kind=Job.Kind.REMINDERS, acting_user=None)
        finally:
            ECHO.remove(draw)
        self.stdout.write(job.message or job.error)
