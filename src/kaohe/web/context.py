"""Navigation shown to each role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaohe.monthly.models import Notification


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reminders = []
    if user.department_id:
        reminders = list(
            Notification.objects.filter(department_id=user.department_id).select_related("cycle")[
                :3
            ]
        )
    return {"reminders": reminders}
