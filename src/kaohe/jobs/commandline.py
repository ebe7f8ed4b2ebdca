"""`kaohe worker`: runs queued background jobs, drawing each one's progress bar."""

from __future__ import annotations

import sys

from .models import Job
from .services import ECHO, text_bar


def draw(job: Job) -> None:
    end = "\n" if job.finished else ""
    print(f"\r{text_bar(job)}", end=end, file=sys.stderr, flush=True)
    if job.status == Job.Status.FAILED:
        print(f"  {job.error}", file=sys.stderr)


def worker(*, batch: bool) -> int:
    from django.core.management import call_command

    ECHO.append(draw)
    try:
        args = ["--queue-name", "*", "--no-startup-delay", "--no-reload", "--verbosity", "0"]
        call_command("db_worker", *args, *(["--batch"] if batch else []))
    finally:
        ECHO.remove(draw)
    return 0
