"""A background job's page: its progress bar, refreshed until it is done (no JavaScript)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kaohe.jobs.models import Job

from .access import any_user, current_user, require, role


@role(any_user)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("year", "created_by"), pk=pk)
    user = current_user(request)
    require(user.is_office or job.created_by_id == user.pk)
    return render(request, "web/job.html", {"job": job})
