"""Long work off the request (issue 11 point 5): jobs queued in the database, run by the
worker, their progress on a page and on the command line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaohe.cli import main
from kaohe.jobs.models import Job
from kaohe.jobs.services import job_enqueue
from kaohe.people.models import Unit
from kaohe.yearend.models import Closing
from tests.web.closing_helpers import make_ready

from .conftest import CAST, World

# these tests queue jobs for the worker, as production does (the other tests run them inline)
pytestmark = pytest.mark.usefixtures("queued_jobs")


@pytest.fixture
def queued_jobs(settings: object) -> None:
    settings.KAOHE_JOBS_INLINE = False  # type: ignore[attr-defined]


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")


def test_a_results_job_waits_in_the_queue_then_the_worker_computes_the_year(
    committed_world: World,
) -> None:
    world = committed_world
    make_ready(world)
    job = job_enqueue(kind=Job.Kind.RESULTS, acting_user=world.users["office"], year=world.year)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.percent == 0
    assert not Closing.objects.filter(year=world.year, stage=Closing.Stage.COMPUTED).exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100 and job.done == job.total == 2
    units = Unit.objects.count()
    assert job.started_at and job.finished_at and job.message == f"{units} units aggregated."
    assert Closing.objects.get(year=world.year).stage == Closing.Stage.COMPUTED


def test_a_failed_job_keeps_its_reason_and_is_logged(
    committed_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # the year is not ready (no month accepted): the service refuses, the job says why
    world = committed_world
    job = job_enqueue(kind=Job.Kind.RESULTS, acting_user=world.users["office"], year=world.year)
    with caplog.at_level(logging.INFO):
        run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "not ready" in job.error
    assert any(r.name == "kaohe.jobs" and r.levelno == logging.ERROR for r in caplog.records)
    assert not Closing.objects.filter(stage=Closing.Stage.COMPUTED).exists()


def test_a_job_delivered_twice_runs_once(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    from kaohe.jobs.services import job_run

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        job = job_enqueue(kind=Job.Kind.REMINDERS, acting_user=None)
    first = job_run(job.pk)
    finished = first.finished_at
    assert job_run(job.pk).finished_at == finished  # a second delivery changes nothing


def test_the_job_page_shows_progress_and_refreshes_until_done(world: World) -> None:
    job = Job.objects.create(
        kind=Job.Kind.RESULTS, year=world.year, created_by=world.users["office"]
    )
    page = world.client("office").get(reverse("job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'aria-valuenow="0"' in page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=1, message="完成")
    page = world.client("office").get(reverse("job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and 'aria-valuenow="100"' in page
    assert reverse("results", args=[2014]) in page


@pytest.mark.parametrize("who", CAST)
def test_only_the_office_and_whoever_queued_it_see_a_job(world: World, who: str) -> None:
    job = Job.objects.create(kind=Job.Kind.REMINDERS, created_by=world.users["leader"])
    response = world.client(who).get(reverse("job", args=[job.pk]))
    expected = {"office": 200, "leader": 200, "anonymous": 302}.get(who, 403)
    assert response.status_code == expected


def test_the_worker_draws_a_progress_bar(
    committed_world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    job_enqueue(kind=Job.Kind.REMINDERS, acting_user=None)
    assert main(["worker", "--batch"]) == 0
    err = capsys.readouterr().err
    assert "100%" in err and "█" in err


def test_remind_runs_as_a_recorded_job_or_queues_one(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("remind")
    job = Job.objects.get()
    assert job.kind == Job.Kind.REMINDERS and job.status == Job.Status.DONE
    assert "reminder" in capsys.readouterr().out
    call_command("remind", "--queue")
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 1


def test_the_results_page_queues_the_aggregation_and_follows_it(committed_world: World) -> None:
    world = committed_world
    make_ready(world)
    office = world.client("office")
    url = reverse("results", args=[2014])
    response = office.post(url, {"action": "compute", "version": "0"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.params == {"version": 0} and job.status == Job.Status.QUEUED
    page = office.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page
    run_worker()
    assert Closing.objects.get(year=world.year).stage == Closing.Stage.COMPUTED
    page = office.get(response["Location"]).content.decode()
    assert 'aria-valuenow="100"' in page and url in page


def test_a_refused_aggregation_queues_nothing(committed_world: World) -> None:
    # not ready (no month accepted): refused on the page at once, no job left waiting
    office = committed_world.client("office")
    response = office.post(reverse("results", args=[2014]), {"action": "compute", "version": "0"})
    assert response.status_code == 302 and response["Location"] == reverse("results", args=[2014])
    assert not Job.objects.exists()


def test_a_change_between_queueing_and_running_fails_the_job_as_a_conflict(
    committed_world: World,
) -> None:
    world = committed_world
    make_ready(world)
    office = world.client("office")
    office.post(reverse("results", args=[2014]), {"action": "compute", "version": "0"})
    Closing.objects.filter(year=world.year).update(version=5)  # another office action meanwhile
    run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.error
    assert Closing.objects.get(year=world.year).stage != Closing.Stage.COMPUTED


def test_publishing_queues_the_notice_pdf_which_readers_are_then_served(
    committed_world: World, settings: object, tmp_path: Path
) -> None:
    import datetime as dt

    from kaohe.web.notice_files import pdf_path
    from tests.web.closing_helpers import publish

    settings.KAOHE_NOTICE_PDF_AT_PUBLISH = True  # type: ignore[attr-defined]
    settings.NOTICE_ROOT = tmp_path / "notices"  # type: ignore[attr-defined]
    make_ready(committed_world)
    closing = publish(committed_world, dt.date(2026, 11, 20))
    job = Job.objects.get(kind=Job.Kind.NOTICE_PDF)
    assert job.status == Job.Status.QUEUED and not pdf_path(closing, "notice").exists()
    run_worker()
    job.refresh_from_db()
    path = pdf_path(closing, "notice")
    assert job.status == Job.Status.DONE and path.read_bytes().startswith(b"%PDF")
    assert pdf_path(closing, "use").read_bytes().startswith(b"%PDF")
    response = committed_world.client("anonymous").get(reverse("notice-pdf", args=[2014]))
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        path.read_bytes()
    )  # served from the kept file, not rendered again
