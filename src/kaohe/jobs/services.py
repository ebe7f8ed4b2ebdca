"""Queueing jobs and running them: each runner reports its steps, the job row keeps them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.people.models import User
from kaohe.years.models import Year

from .models import Job

log = logging.getLogger("kaohe.jobs")


# set by a command-line worker: called with the job after every change, to draw its bar
ECHO: list[Callable[[Job], None]] = []


def text_bar(job: Job, width: int = 30) -> str:
    """``[██████░░░░]  60% 汇总成绩 2014 · message`` for a terminal."""
    filled = round(width * job.percent / 100)
    year = f" {job.year.year}" if job.year else ""
    message = f" · {job.message}" if job.message else ""
    return f"[{'█' * filled}{'░' * (width - filled)}] {job.percent:3d}% {job.get_kind_display()}{year}{message}"


class Progress:
    """What a runner calls as it goes: ``step(message)`` counts one of ``total`` steps."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, total: int, message: str = "") -> None:
        self._save(done=0, total=max(total, 1), message=message)

    def step(self, message: str = "") -> None:
        self._save(done=min(self.job.done + 1, self.job.total), message=message)

    def _save(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self.job, name, value)
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for echo in ECHO:
            echo(self.job)


def _results(job: Job, progress: Progress) -> str:
    from kaohe.yearend.services import closing_compute

    if job.year is None or job.created_by is None:
        raise ValueError("a results job needs its year and the office user who asked")
    progress.start(2, _("Computing every unit's year…"))
    version = job.params.get("version")  # what the office saw; a change since is a conflict
    closing = closing_compute(acting_user=job.created_by, year=job.year, expected_version=version)
    progress.step(_("Figures kept for review."))
    count = len(closing.results.get("units", {})) if isinstance(closing.results, dict) else 0
    return _("%(n)s units aggregated.") % {"n": count}


def _reminders(job: Job, progress: Progress) -> str:
    from kaohe.monthly.services import send_reminders

    progress.start(1, _("Sending reminders…"))
    sent = send_reminders()
    return _("%(n)s reminder(s) sent.") % {"n": sent}


def _notice_pdf(job: Job, progress: Progress) -> str:
    from kaohe.web.notice_files import TEMPLATES, build_pdf
    from kaohe.yearend.models import Closing

    if job.year is None:
        raise ValueError("a notice job needs its year")
    closing = Closing.objects.select_related("year").get(year=job.year)
    progress.start(len(TEMPLATES), _("Rendering the notice…"))
    size = 0
    for document in TEMPLATES:
        size += build_pdf(closing, document).stat().st_size
        progress.step(_("Rendering the results-use lists…"))
    return _("The notice and the results-use lists are ready (%(size)s KB).") % {
        "size": size // 1024
    }


RUNNERS: dict[str, Callable[[Job, Progress], str]] = {
    Job.Kind.NOTICE_PDF: _notice_pdf,
    Job.Kind.RESULTS: _results,
    Job.Kind.REMINDERS: _reminders,
}


def _new_job(
    kind: str, acting_user: User | None, year: Year | None, params: dict[str, object] | None
) -> Job:
    if kind not in RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(kind=kind, year=year, created_by=acting_user, params=params or {})


def job_enqueue(
    *,
    kind: str,
    acting_user: User | None,
    year: Year | None = None,
    params: dict[str, object] | None = None,
) -> Job:
    """A job row and its task, committed together (the worker sees both or neither). With
    ``KAOHE_JOBS_INLINE`` (the tests) the job runs here and now instead."""
    from .tasks import run_job

    with transaction.atomic():
        job = _new_job(kind, acting_user, year, params)
        if settings.KAOHE_JOBS_INLINE:
            return job_run(job.pk)
        run_job.enqueue(job.pk)
    return job


def job_run_now(*, kind: str, acting_user: User | None, year: Year | None = None) -> Job:
    """The same job run in this process at once (the command line, cron)."""
    return job_run(_new_job(kind, acting_user, year, None).pk)


def job_run(job_id: int) -> Job:
    """Run one queued job to its end; a failure is kept on the job and logged, never lost."""
    job = Job.objects.select_related("year", "created_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job  # run already (a task delivered twice)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    progress = Progress(job)
    try:
        message = RUNNERS[job.kind](job, progress)
    except Exception as exc:
        log.error("job %s failed", job.pk, exc_info=True, extra={"job": job.pk, "kind": job.kind})
        fields: dict[str, object] = {
            "status": Job.Status.FAILED,
            "error": str(exc)[:4000] or type(exc).__name__,
        }
    else:
        fields = {"status": Job.Status.DONE, "message": message[:200], "done": job.total}
    fields["finished_at"] = timezone.now()
    Job.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    for echo in ECHO:
        echo(job)
    return job
