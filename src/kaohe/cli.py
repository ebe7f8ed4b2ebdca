"""The ``kaohe`` command line: check schemes, compute and explain a year, write demo facts."""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from . import serving
from .engine import (
    Facts,
    InputError,
    YearResult,
    compute_year,
    explain_unit,
    load_scheme,
    render,
    shown,
)
from .engine.errors import pydantic_messages
from .engine.scheme import Scheme
from .engine.versions import version_label


def parse_months(text: str | None) -> list[int] | None:
    """'1-6', '3', '1,2,5' → months; None for all the facts' months."""
    if not text:
        return None
    months: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError as exc:
            raise InputError("--months", [f"'{part}' is not a month or range like 1-6"]) from exc
        months.update(range(first, last + 1))
    if not months or min(months) < 1 or max(months) > 12:
        raise InputError("--months", ["months run from 1 to 12"])
    return sorted(months)


def load_facts(path: str) -> Facts:
    file = Path(path)
    if not file.is_file():
        raise InputError(path, ["no such file"])
    text = file.read_text("utf-8")
    gc.disable()  # a large file makes many objects and no cycles; see engine.compute
    try:
        if file.suffix in (".yaml", ".yml"):
            return Facts.model_validate(yaml.safe_load(text))
        return Facts.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(path, pydantic_messages(exc)) from exc
    except yaml.YAMLError as exc:
        raise InputError(path, [f"not valid YAML: {exc}"]) from exc
    finally:
        gc.enable()
        gc.freeze()  # the loaded facts live until the command ends: stop rescanning them


def print_scheme_summary(scheme: Scheme) -> None:
    print(f"{scheme.title}({scheme.name},{scheme.year}年):有效")
    for category in scheme.categories:
        kinds = "、".join(k.name for k in category.kinds)
        print(
            f"  类别 {category.name}({category.key}):细则 {category.rubric}"
            + (f";{kinds}" if kinds else "")
        )
    for rubric in scheme.rubrics:
        items = rubric.items()
        defaults = sum(1 for i in items if i.source == "default")
        print(
            f"  细则 {rubric.title}:{len(rubric.sections)}个板块、{len(items)}项,满分{rubric.total}"
            f"(其中默认项{defaults})"
        )
    print(
        f"  业绩类型 {len(scheme.achievements.awards)},上限{scheme.achievements.cap}分;"
        f"过错类型 {len(scheme.faults.types)};公认度满分{scheme.recognition.max_points}分"
    )


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting a Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - used)
    return space + text if right else text + space


def print_result(result: YearResult) -> None:
    scheme = result.scheme
    months = sorted(result.monthly)
    print(f"{scheme.title}  考核月份:{months[0]}–{months[-1]}月" if months else scheme.title)
    if result.versions is not None:
        for version in result.versions.schemes[1:]:
            info = version.version
            if info is not None:
                print(f"  {version_label(version)}:{info.reason}(批准:{info.approved_by})")
    for category in scheme.categories:
        rows = result.annual[category.key]
        print(f"\n== 年度排名:{category.name}({len(rows)}个单位) ==")
        print(
            f"{'名次':>4}  {'单位':<16}{'目标T':>9}{'业绩B':>8}{'过错F':>8}{'公认度R':>9}{'总分':>9}"
        )
        for row in rows:
            year = result.units[row.unit]
            rank = "否决" if row.vetoed else str(row.rank)
            figures = (year.t.amount, year.b.amount, year.f.amount, year.r.amount, year.total)
            print(
                pad(rank, 6, True)
                + "  "
                + pad(year.unit.name, 28)
                + "".join(pad(shown(x), 10, True) for x in figures)
            )
    print("\n== 月考核后两名的处理(第十二条(三)) ==")
    if not result.escalations:
        print("  无")
    for action in result.escalations:
        name = result.units[action.unit].unit.name
        months_text = "、".join(f"{m}月" for m in action.months)
        print(f"  {action.month:>2}月  {action.label}  {name}({months_text}排后两名)")
    print("\n== 结果运用(第十二条) ==")
    for category in scheme.categories:
        use = result.results_use[category.key]
        names = [f"{r.rank}.{result.units[r.unit].unit.name}" for r in use.advanced]
        print(f"  {category.name}推荐先进(名额{use.quota}):" + ("、".join(names) or "无"))
        cadres = [
            f"{c.name}({result.units[c.unit].unit.name}{c.role_label})" for c in use.cadre_priority
        ]
        print("    可优先评为优秀党务工作者/优秀党员:" + ("、".join(cadres) or "无"))
        vetoed = [result.units[r.unit].unit.name for r in use.ineligible_units]
        print("    被否决、不得评为组织系统先进的单位:" + ("、".join(vetoed) or "无"))
        barred = [
            f"{c.name}({result.units[c.unit].unit.name}{c.role_label})"
            for c in use.ineligible_cadres
        ]
        print("    不得评为组织系统先进的干部:" + ("、".join(barred) or "无"))


def cmd_scheme_check(args: argparse.Namespace) -> int:
    print_scheme_summary(load_scheme(args.file))
    return 0


def _compute(args: argparse.Namespace) -> YearResult:
    scheme = load_scheme(args.scheme)
    amendments = [load_scheme(path) for path in args.amendment]
    facts = load_facts(args.facts)
    return compute_year(scheme, facts, parse_months(args.months), amendments=amendments)


def cmd_compute(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = _compute(args)
    if args.json:
        from .engine.serialize import result_to_data

        json.dump(
            result_to_data(result, explain=args.explain), sys.stdout, ensure_ascii=False, indent=1
        )
        print()
    else:
        print_result(result)
        print(f"\n计算用时 {time.perf_counter() - started:.2f} 秒", file=sys.stderr)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    result = _compute(args)
    if args.unit not in result.units:
        raise InputError("--unit", [f"no unit '{args.unit}' in the facts"])
    line = explain_unit(result, args.unit)
    if args.json:
        json.dump(line.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print("\n".join(render(line)))
    return 0


def cmd_demo_facts(args: argparse.Namespace) -> int:
    from .demofacts import demo_facts

    data = demo_facts(load_scheme(args.scheme), args.units, args.seed)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, "utf-8")
        print(
            f"wrote {args.output}: {len(data['units'])} units, {len(data['findings'])} findings",
            file=sys.stderr,
        )
    return 0


def cmd_demo_year(args: argparse.Namespace) -> int:
    from .demofacts import demo_year

    scheme = load_scheme("district-2014")
    print_result(compute_year(scheme, demo_year(scheme)))
    return 0


class NoDatabase(Exception):
    """The database a command needs is missing or empty; the message is one line."""


def _where() -> str:
    """The database in words: the SQLite path, or the PostgreSQL host and name, and the
    variable that chooses it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        source = (
            "DATABASE_URL"
            if os.environ.get("DATABASE_URL")
            else f"KAOHE_VAR_DIR={os.environ['KAOHE_VAR_DIR']}"
            if os.environ.get("KAOHE_VAR_DIR")
            else "KAOHE_VAR_DIR unset: ./var of the current folder"
        )
        return f"SQLite database {Path(db['NAME']).resolve()} ({source})"
    return f"PostgreSQL database '{db['NAME']}' on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432} (DATABASE_URL)"


def _check_database() -> None:
    """Refuse before connecting: connecting to SQLite would create an empty file."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    from kaohe.years.models import Year

    db = settings.DATABASES["default"]
    hint = (
        "set KAOHE_VAR_DIR or DATABASE_URL, or create it with `kaohe run` or `kaohe manage migrate`"
    )
    if db["ENGINE"] == "django.db.backends.sqlite3" and not Path(db["NAME"]).is_file():
        raise NoDatabase(f"the {_where()} does not exist; {hint}")
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NoDatabase(f"cannot open the {_where()}: {reason}") from exc
    if Year._meta.db_table not in tables:
        raise NoDatabase(f"the {_where()} has no Kaohe tables; {hint}")


def _django(*, need_database: bool = True) -> None:
    """Set Django up; by default also make sure its database exists and has the tables."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # called in-process (tests): set up once, logging configured once
        django.setup()
    if need_database:
        _check_database()


def _make_var_dir() -> None:
    """The folders the settings point at, made only by the commands that create the database."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    Path(settings.LOG_DIR).mkdir(parents=True, exist_ok=True)


def _worker_thread() -> None:
    """The embedded default runs background jobs in a thread of its own process: no other
    server or command to start (production runs `kaohe worker` as a service)."""
    import threading

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="kaohe-run",
        excluded_queue_names=[],
    )
    threading.Thread(target=worker.run, name="kaohe-worker", daemon=True).start()


def cmd_run(args: argparse.Namespace) -> int:
    """Migrate the database, load the demo district once, print the logins, serve."""
    from django.conf import settings

    _django(need_database=False)
    _make_var_dir()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.no_demo:
        call_command("load_demo")
    _worker_thread()
    print(f"Kaohe: http://{args.addr} (database: {settings.DATABASES['default']['NAME']})")
    call_command("runserver", args.addr, use_reloader=False)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Production: check the settings and the database, then hand over to gunicorn."""
    argv = serving.prepare(args)
    _django()
    from django.core.management import call_command

    call_command("check", deploy=True, fail_level="ERROR")
    log_dir = serving.log_dir_ready()
    print(
        f"Kaohe: serving on http://{args.bind} — {args.workers} gunicorn workers; "
        f"{_where()}; logs in {log_dir}",
        flush=True,
    )
    if args.check:
        return 0
    # gunicorn takes this process over (systemd sees one service); argv is ours, not input
    os.execv(argv[0], argv)  # noqa: S606


def cmd_worker(args: argparse.Namespace) -> int:
    """Run background jobs (results, reminders) as they are queued, with a progress bar."""
    _django()
    from kaohe.jobs.commandline import worker

    return worker(batch=args.batch)


# Management commands that create the database or never open it; the others need it.
CREATES_DATABASE = {"migrate"}
NO_DATABASE = {
    "help",
    "version",
    "check",
    "compilemessages",
    "makemessages",
    "diffsettings",
    "makemigrations",
    "collectstatic",
    "shell",
}


def cmd_manage(args: argparse.Namespace) -> int:
    name = args.rest[0] if args.rest else "help"
    _django(need_database=name not in CREATES_DATABASE | NO_DATABASE and not name.startswith("-"))
    if name in CREATES_DATABASE:
        _make_var_dir()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kaohe manage", *args.rest])
    return 0


def cmd_rubric_export(args: argparse.Namespace) -> int:
    from .excel.rubric import export_rubrics

    Path(args.output).write_bytes(export_rubrics(load_scheme(args.scheme)))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def cmd_rubric_import(args: argparse.Namespace) -> int:
    from .excel.rubric import import_rubrics

    path = Path(args.file)
    if not path.is_file():
        raise InputError(args.file, ["no such file"])
    scheme, warnings = import_rubrics(path.read_bytes(), load_scheme(args.base), args.file)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = yaml.safe_dump(scheme.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    Path(args.output).write_text(text, "utf-8")
    print(f"wrote {args.output} ({len(warnings)} warning(s) to confirm)", file=sys.stderr)
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    """Rebuild a year's published figures from the stored facts and report any difference."""
    _django()
    from kaohe.yearend.selectors import recompute_differences
    from kaohe.years.models import Year

    year = Year.objects.filter(year=args.year).first()
    if year is None:
        print(f"no assessment year {args.year}", file=sys.stderr)
        return 2
    problems = recompute_differences(year)
    if not problems:
        print(
            f"{args.year}: every published figure equals the engine's recomputation from the facts"
        )
        return 0
    print(
        f"{args.year}: {len(problems)} difference(s) between published and recomputed figures:",
        file=sys.stderr,
    )
    for problem in problems[:200]:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _django()
    from kaohe.audit.commandline import verify

    return verify(args.anchor)


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    _django()
    from kaohe.audit.commandline import anchor

    return anchor(args.output)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kaohe", description="Kaohe (考核): organization-work assessment"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    scheme = commands.add_parser("scheme", help="scheme files")
    scheme_commands = scheme.add_subparsers(dest="scheme_command", required=True)
    check = scheme_commands.add_parser("check", help="validate a scheme and summarise it")
    check.add_argument("file", help="a scheme file, or a built-in name such as district-2014")
    check.set_defaults(func=cmd_scheme_check)

    rubric = commands.add_parser("rubric", help="rubrics in Excel, in the attachment's layout")
    rubric_commands = rubric.add_subparsers(dest="rubric_command", required=True)
    export = rubric_commands.add_parser("export", help="write a scheme's rubrics as .xlsx")
    export.add_argument("scheme", help="built-in name or scheme file")
    export.add_argument("-o", "--output", required=True)
    export.set_defaults(func=cmd_rubric_export)
    imp = rubric_commands.add_parser("import", help="read rubrics from .xlsx into a scheme file")
    imp.add_argument("file")
    imp.add_argument("--base", default="district-2014", help="scheme whose other settings are kept")
    imp.add_argument("-o", "--output", required=True)
    imp.set_defaults(func=cmd_rubric_import)

    for name, func, text in (
        ("compute", cmd_compute, "compute a year: rankings, escalations, results use"),
        ("explain", cmd_explain, "print one unit's explanation tree"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--scheme", default="district-2014", help="built-in name or file")
        sub.add_argument("--facts", required=True, help="facts file (.json or .yaml)")
        sub.add_argument(
            "--amendment",
            action="append",
            default=[],
            metavar="FILE",
            help="a later version of the scheme (第五条), repeatable, in version order",
        )
        sub.add_argument("--months", help="months to compute, e.g. 1-6 (default: all in the facts)")
        sub.add_argument("--json", action="store_true", help="print JSON (docs/facts-format.md)")
        if name == "explain":
            sub.add_argument("--unit", required=True, help="unit id")
        else:
            sub.add_argument(
                "--explain", action="store_true", help="with --json: add every unit's explanation"
            )
        sub.set_defaults(func=func)

    demo = commands.add_parser("demo-facts", help="write a realistic synthetic year")
    demo.add_argument("--units", type=int, default=60)
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--scheme", default="district-2014")
    demo.add_argument("-o", "--output", default="-")
    demo.set_defaults(func=cmd_demo_facts)

    demo_year = commands.add_parser("demo-year", help="compute and print the demo year")
    demo_year.set_defaults(func=cmd_demo_year)

    run = commands.add_parser("run", help="serve the web system (demo data loaded once)")
    run.add_argument("--addr", default="127.0.0.1:8000")
    run.add_argument("--no-demo", action="store_true", help="do not load the demo district")
    run.set_defaults(func=cmd_run)

    serving.add_parser(commands).set_defaults(func=cmd_serve)

    work = commands.add_parser("worker", help="run background jobs as they are queued")
    work.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    work.set_defaults(func=cmd_worker)

    manage = commands.add_parser("manage", help="Django management commands")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    recompute = commands.add_parser("recompute", help="recompute a year from its stored facts")
    recompute.add_argument(
        "--verify",
        dest="year",
        type=int,
        required=True,
        metavar="YEAR",
        help="compare with what was published",
    )
    recompute.set_defaults(func=cmd_recompute)

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="verify the hash chain and its head")
    verify.add_argument(
        "--anchor", type=Path, metavar="FILE", help="also check each head anchored in FILE"
    )
    verify.set_defaults(func=cmd_audit_verify)
    anchor = audit_commands.add_parser(
        "anchor", help="append the chain head, with the time, to a file kept outside the database"
    )
    anchor.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="default: var/audit-anchors.txt"
    )
    anchor.set_defaults(func=cmd_audit_anchor)
    return parser


def serves(args: argparse.Namespace) -> bool:
    """A web server: it must outlive a client that hangs up mid-response."""
    return args.func in (cmd_run, cmd_serve) or (
        args.func is cmd_manage and bool(args.rest) and args.rest[0] == "runserver"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = signal.getsignal(signal.SIGPIPE)
    if not serves(args):
        # `kaohe compute | head` ends quietly. Never for a server: with the default action a
        # client closing its connection early kills the process (Python ignores SIGPIPE, and
        # the server then only sees a BrokenPipeError for that one request).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(f"错误 error — {exc.source}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    except (NoDatabase, serving.NotConfigured) as exc:
        print(f"错误 error — {exc}", file=sys.stderr)
        return 2
    finally:  # called in-process (tests), leave the caller's handling as it was
        signal.signal(signal.SIGPIPE, previous)
    return code


if __name__ == "__main__":
    sys.exit(main())
