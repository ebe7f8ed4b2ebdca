from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaohe.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; name the first broken record."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(report.verdict())
        self.stdout.write(report.verdict())
