"""Production serving (issue 11 point 1) and logs (point 4): `kaohe serve` refuses without its
settings, `check --deploy` is clean with the documented ones, gunicorn answers, and the logs
are JSON lines with what an operator needs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kaohe.logs import logging_config

KAOHE = str(Path(sys.executable).with_name("kaohe"))


def production_env(var: Path) -> dict[str, str]:
    """docs/deploy.md's settings (PostgreSQL there; SQLite in a temporary folder here)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return keep | {
        "KAOHE_SECRET_KEY": "s" * 10 + "-a-long-random-production-secret-key-0123456789-xyz",
        "KAOHE_AUDIT_KEY": "a-long-random-production-audit-key-0123456789-abcdef",
        "KAOHE_ALLOWED_HOSTS": "127.0.0.1,kaohe.example.gov.cn",
        "KAOHE_CSRF_ORIGINS": "https://kaohe.example.gov.cn",
        "KAOHE_HTTPS": "1",
        "KAOHE_EMAIL_HOST": "mail.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{var / 'kaohe.sqlite3'}",
        "KAOHE_VAR_DIR": str(var),
    }


def kaohe(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KAOHE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    "missing", ["KAOHE_SECRET_KEY", "KAOHE_AUDIT_KEY", "KAOHE_ALLOWED_HOSTS", "DATABASE_URL"]
)
def test_serve_refuses_in_one_line_naming_the_missing_variable(
    tmp_path: Path, missing: str
) -> None:
    env = production_env(tmp_path)
    del env[missing]
    done = kaohe("serve", "--check", env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0] and done.stdout == ""
    assert not any(tmp_path.iterdir())  # refused before anything was created


def test_serve_refuses_debugging(tmp_path: Path) -> None:
    done = kaohe("serve", "--check", env=production_env(tmp_path) | {"KAOHE_DEBUG": "1"})
    assert done.returncode == 2 and "KAOHE_DEBUG" in done.stderr


def test_the_documented_settings_pass_check_deploy_at_warning_level(tmp_path: Path) -> None:
    done = kaohe(
        "manage", "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_flags_the_public_development_keys(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["KAOHE_SECRET_KEY"], env["KAOHE_AUDIT_KEY"]
    done = kaohe("manage", "check", "--deploy", env=env)
    assert done.returncode != 0
    assert "kaohe.E001" in done.stderr and "kaohe.E002" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_serves_the_system_and_logs_json_lines(tmp_path: Path) -> None:
    env = production_env(tmp_path) | {"KAOHE_HTTPS": "0"}  # plain HTTP on the loopback here
    assert kaohe("manage", "migrate", env=env).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [KAOHE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                    body, headers = r.read().decode(), r.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "登录" in body and headers["Server"].startswith("gunicorn")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/kaohe.css", timeout=5) as r:
            assert r.status == 200  # whitenoise, in the same processes
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "个 gunicorn 工作进程" in output
    lines = [json.loads(line) for line in (tmp_path / "log" / "kaohe.log").read_text().splitlines()]
    login = next(line for line in lines if line.get("path") == "/login/")
    assert login["status"] == 200 and login["level"] == "INFO" and login["ms"] >= 0
    assert {"time", "method", "user"} <= set(login)


@override_settings(ROOT_URLCONF="tests.serving.broken_urls")
def test_every_500_is_logged_at_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture, db: None
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("notices")).status_code == 200  # logged at INFO
        failed = client.get("/boom/")
    assert failed.status_code == 500 and "服务器错误" in failed.content.decode()
    errors = [
        r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "django.request"
    ]
    assert errors and errors[0].exc_info is not None  # the traceback goes with it
    requests = [r for r in caplog.records if r.name == "kaohe.request"]
    assert [(r.levelname, r.status) for r in requests] == [("INFO", 200), ("WARNING", 500)]  # type: ignore[attr-defined]


def test_the_log_file_is_used_only_when_its_folder_exists(tmp_path: Path) -> None:
    absent = logging_config(tmp_path / "nowhere", max_bytes=1, backups=1)
    assert set(absent["handlers"]) == {"console"} and not (tmp_path / "nowhere").exists()
    (tmp_path / "log").mkdir()
    present = logging_config(tmp_path / "log", max_bytes=1, backups=1)
    assert present["handlers"]["file"]["filename"].endswith("kaohe.log")
