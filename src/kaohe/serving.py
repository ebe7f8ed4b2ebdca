"""`kaohe serve`: the system served for an office's intranet by gunicorn (生产部署).

It refuses to start, in one line naming the variable, unless the production settings are
given: a secret key, an audit key, the allowed host names and the database. Static files are
served by whitenoise from the same processes; docs/deploy.md puts a reverse proxy in front."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# what `kaohe serve` needs in the environment, and why (in Chinese, the command line's
# default, and in English), in the order they are checked
REQUIRED = (
    (
        "KAOHE_SECRET_KEY",
        "为会话和表单签名;须保密,不要随意更换",
        "signs sessions and forms; keep it secret and never change it casually",
    ),
    (
        "KAOHE_AUDIT_KEY",
        "审计链的密钥;须与审计记录保存同样长的时间",
        "keys the audit chain; keep it as long as the records",
    ),
    (
        "KAOHE_ALLOWED_HOSTS",
        "服务器应答的主机名,以逗号分隔",
        "the host names the server answers to, comma-separated",
    ),
    (
        "DATABASE_URL",
        "数据库,如 postgres://kaohe@127.0.0.1:5432/kaohe",
        "the database, e.g. postgres://kaohe@127.0.0.1:5432/kaohe",
    ),
)


class NotConfigured(Exception):
    """A production setting is missing; the message names the variable."""


def missing_setting(environ: os._Environ[str] | dict[str, str], lang: str = "zh") -> str | None:
    """The first required variable that is unset or empty, with what it is for."""
    english = lang == "en"
    for name, purpose_zh, purpose_en in REQUIRED:
        if not environ.get(name, "").strip():
            if english:
                return f"{name} is not set ({purpose_en})"
            return f"未设置 {name}({purpose_zh})"
    if environ.get("KAOHE_DEBUG", "").lower() in ("1", "true", "yes", "on"):
        if english:
            return "KAOHE_DEBUG is on: debugging pages must never be served to an office"
        return "KAOHE_DEBUG 已打开:调试页面绝不能提供给办公室使用"
    return None


def default_workers() -> int:
    """gunicorn's rule of thumb: two per core plus one (each worker also runs 4 threads)."""
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    """The gunicorn command line; timeouts and limits match the application's own
    (a PDF of the results may take a minute; bodies are limited by the middleware)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kaohe.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--timeout",
        "120",
        "--graceful-timeout",
        "30",
        "--keep-alive",
        "5",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--forwarded-allow-ips",
        os.environ.get("KAOHE_PROXY_IPS", "127.0.0.1"),
        *(["--access-logfile", "-"] if args.access_log else []),  # ours are the JSON lines
    ]


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], lang: str = "zh"
) -> argparse.ArgumentParser:
    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    serve = commands.add_parser(
        "serve",
        help=t(
            "正式运行网页系统(gunicorn;见 docs/deploy.md)",
            "serve the system in production (gunicorn; see docs/deploy.md)",
        ),
    )
    serve.add_argument("--bind", default=os.environ.get("KAOHE_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KAOHE_WORKERS", 0)))
    serve.add_argument(
        "--access-log",
        action="store_true",
        help=t(
            "同时输出 gunicorn 的访问记录(本系统的为 JSON)",
            "gunicorn's access lines too (ours are JSON)",
        ),
    )
    serve.add_argument(
        "--check",
        action="store_true",
        help=t("检查设置和数据库后退出", "check the settings and the database, then exit"),
    )
    return serve


def prepare(args: argparse.Namespace, lang: str = "zh") -> list[str]:
    """Check everything `serve` needs and return gunicorn's command line; raises
    NotConfigured naming the first problem (in ``lang``: "zh" or "en")."""
    problem = missing_setting(os.environ, lang)
    if problem:
        raise NotConfigured(problem)
    if args.workers < 0 or args.workers > 64:
        raise NotConfigured(
            "--workers must be between 1 and 64" if lang == "en" else "--workers 须在 1 到 64 之间"
        )
    args.workers = args.workers or default_workers()
    return gunicorn_argv(args)


def log_dir_ready() -> Path:
    from django.conf import settings

    log_dir = Path(settings.LOG_DIR)
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir
