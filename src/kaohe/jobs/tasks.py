"""The task the worker runs (Django's tasks framework, database backend: no extra server)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_job(job_id: int) -> str:
    from .services import job_run

    return str(job_run(job_id).status)
