"""Application logs (运行日志): one JSON line per record, to the console and to a rotating file
under the var directory; one line per request with its user, status and time.

The file handler is configured only when its folder exists — the settings create no folder;
`kaohe run`, `kaohe serve` and `kaohe manage migrate` make it (cli._make_var_dir)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse

request_log = logging.getLogger("kaohe.request")
integrity_log = logging.getLogger("kaohe.integrity")

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(
    log_dir: Path, *, level: str = "INFO", max_bytes: int, backups: int
) -> dict[str, Any]:
    """``LOGGING`` for the settings: JSON lines on the console, and in ``log_dir/kaohe.log``
    (rotated at ``max_bytes``, ``backups`` kept; safe with several server processes) when the
    folder exists. Django logs every 5xx with its traceback at ERROR on ``django.request``."""
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    }
    if log_dir.is_dir():
        handlers["file"] = {
            "class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
            "filename": str(log_dir / "kaohe.log"),
            "maxBytes": max_bytes,
            "backupCount": backups,
            "encoding": "utf-8",
            "formatter": "json",
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": FORMAT,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "json_ensure_ascii": False,
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        },
        "handlers": handlers,
        "root": {"handlers": names, "level": "WARNING"},
        "loggers": {
            "kaohe": {"handlers": names, "level": level, "propagate": False},
            "django.request": {"handlers": names, "level": "ERROR", "propagate": False},
            "django.security": {"handlers": names, "level": "WARNING", "propagate": False},
            # runserver's own access lines: the request middleware writes ours
            "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        },
    }


class RequestLogMiddleware:
    """One line per request: method, path, status, user and milliseconds (no query string:
    ballot codes and filters stay out of the log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        name = user.get_username() if user is not None and user.is_authenticated else ""
        status = response.status_code
        request_log.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "user": name,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
