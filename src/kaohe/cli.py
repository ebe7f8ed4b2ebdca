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
from .engine.errors import Problem, language, pydantic_messages, say
from .engine.scheme import Scheme
from .engine.versions import version_label

# The language of what the command prints: Chinese unless `--lang en`, or LANG (LC_ALL,
# LC_MESSAGES) names an English locale; set once by main().
LANGUAGE = "zh"


def choose_language(argv: Sequence[str]) -> str:
    """`--lang en` / `--lang=en` anywhere on the command line, else the locale variables."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return language(argv[i + 1])
        if arg.startswith("--lang="):
            return language(arg.partition("=")[2])
        if arg == "--":
            break
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return language(os.environ[name])
    return "zh"


# argparse's own words (usage, errors), which Python ships in English only
ARGPARSE_ZH = {
    "usage: ": "用法:",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项:%(value)r(可选:%(choices)s)",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值:%(value)r",
    "expected one argument": "须跟一个值",
    "expected at most one argument": "最多跟一个值",
    "expected at least one argument": "至少跟一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "有歧义的选项:%(option)s 可匹配 %(matches)s"
    ),
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”:%(error)s",
    " (default: %(default)s)": "(默认:%(default)s)",
}


def _argparse_words(message: str) -> str:
    return ARGPARSE_ZH.get(message, message) if LANGUAGE == "zh" else message


def t(zh: str, en: str) -> str:
    """The Chinese text, or the English one under `--lang en`."""
    return en if LANGUAGE == "en" else zh


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
            raise InputError("--months", [Problem("", "not_month", part=part)]) from exc
        months.update(range(first, last + 1))
    if not months or min(months) < 1 or max(months) > 12:
        raise InputError("--months", [Problem("", "month_range")])
    return sorted(months)


def load_facts(path: str) -> Facts:
    file = Path(path)
    if not file.is_file():
        raise InputError(path, [Problem("", "no_file")])
    text = file.read_text("utf-8")
    gc.disable()  # a large file makes many objects and no cycles; see engine.compute
    try:
        if file.suffix in (".yaml", ".yml"):
            return Facts.model_validate(yaml.safe_load(text))
        return Facts.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(path, pydantic_messages(exc)) from exc
    except yaml.YAMLError as exc:
        raise InputError(path, [Problem("", "not_yaml", error=exc)]) from exc
    finally:
        gc.enable()
        gc.freeze()  # the loaded facts live until the command ends: stop rescanning them


def print_scheme_summary(scheme: Scheme) -> None:
    print(
        t(
            f"{scheme.title}({scheme.name},{scheme.year}年):有效",
            f"{scheme.title} ({scheme.name}, {scheme.year}): valid",
        )
    )
    for category in scheme.categories:
        kinds = "、".join(k.name for k in category.kinds)
        print(
            t(
                f"  类别 {category.name}({category.key}):细则 {category.rubric}"
                + (f";{kinds}" if kinds else ""),
                f"  category {category.name} ({category.key}): rubric {category.rubric}"
                + (f"; {kinds}" if kinds else ""),
            )
        )
    for rubric in scheme.rubrics:
        items = rubric.items()
        defaults = sum(1 for i in items if i.source == "default")
        sections = len(rubric.sections)
        print(
            t(
                f"  细则 {rubric.title}:{sections}个板块、{len(items)}项,满分{rubric.total}"
                f"(其中默认项{defaults})",
                f"  rubric {rubric.title}: {sections} sections, {len(items)} items, "
                f"{rubric.total} points ({defaults} default items)",
            )
        )
    awards, cap = len(scheme.achievements.awards), scheme.achievements.cap
    faults, recognition = len(scheme.faults.types), scheme.recognition.max_points
    print(
        t(
            f"  业绩类型 {awards},上限{cap}分;过错类型 {faults};公认度满分{recognition}分",
            f"  {awards} award types, capped at {cap} points; {faults} fault types; "
            f"recognition up to {recognition} points",
        )
    )


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting a Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - used)
    return space + text if right else text + space


def print_result(result: YearResult) -> None:
    scheme = result.scheme
    months = sorted(result.monthly)
    if months:
        print(
            t(
                f"{scheme.title}  考核月份:{months[0]}–{months[-1]}月",
                f"{scheme.title}  months {months[0]}–{months[-1]}",
            )
        )
    else:
        print(scheme.title)
    if result.versions is not None:
        for version in result.versions.schemes[1:]:
            info = version.version
            if info is not None:
                print(
                    t(
                        f"  {version_label(version)}:{info.reason}(批准:{info.approved_by})",
                        f"  {version_label(version)}: {info.reason} (approved by {info.approved_by})",
                    )
                )
    for category in scheme.categories:
        rows = result.annual[category.key]
        print(
            t(
                f"\n== 年度排名:{category.name}({len(rows)}个单位) ==",
                f"\n== Annual ranking: {category.name} ({len(rows)} units) ==",
            )
        )
        print(
            t(
                f"{'名次':>4}  {'单位':<16}{'目标T':>9}{'业绩B':>8}{'过错F':>8}{'公认度R':>9}{'总分':>9}",
                f"{'rank':>6}  {'unit':<28}{'T':>10}{'B':>10}{'F':>10}{'R':>10}{'total':>10}",
            )
        )
        for row in rows:
            year = result.units[row.unit]
            rank = t("否决", "vetoed") if row.vetoed else str(row.rank)
            figures = (year.t.amount, year.b.amount, year.f.amount, year.r.amount, year.total)
            print(
                pad(rank, 6, True)
                + "  "
                + pad(year.unit.name, 28)
                + "".join(pad(shown(x), 10, True) for x in figures)
            )
    print(
        t(
            "\n== 月考核后两名的处理(第十二条(三)) ==",
            "\n== Bottom two in the monthly assessment (Art. 12(3)) ==",
        )
    )
    none = t("无", "none")
    if not result.escalations:
        print(f"  {none}")
    for action in result.escalations:
        name = result.units[action.unit].unit.name
        if LANGUAGE == "en":
            label = "talk" if action.action == "talk" else "written report"
            months_text = ", ".join(str(m) for m in action.months)
            print(f"  month {action.month:>2}  {label}  {name} (bottom two in {months_text})")
        else:
            months_text = "、".join(f"{m}月" for m in action.months)
            print(f"  {action.month:>2}月  {action.label}  {name}({months_text}排后两名)")
    print(t("\n== 结果运用(第十二条) ==", "\n== Use of the results (Art. 12) =="))
    for category in scheme.categories:
        use = result.results_use[category.key]
        names = [f"{r.rank}.{result.units[r.unit].unit.name}" for r in use.advanced]
        sep = t("、", ", ")
        print(
            t(
                f"  {category.name}推荐先进(名额{use.quota}):",
                f"  {category.name} recommended as advanced (quota {use.quota}): ",
            )
            + (sep.join(names) or none)
        )
        cadres = [
            f"{c.name}({result.units[c.unit].unit.name}{c.role_label})" for c in use.cadre_priority
        ]
        print(
            t(
                "    可优先评为优秀党务工作者/优秀党员:",
                "    cadres with priority as outstanding Party workers or members: ",
            )
            + (sep.join(cadres) or none)
        )
        vetoed = [result.units[r.unit].unit.name for r in use.ineligible_units]
        print(
            t(
                "    被否决、不得评为组织系统先进的单位:",
                "    units vetoed, not eligible as advanced in the organization system: ",
            )
            + (sep.join(vetoed) or none)
        )
        barred = [
            f"{c.name}({result.units[c.unit].unit.name}{c.role_label})"
            for c in use.ineligible_cadres
        ]
        print(
            t(
                "    不得评为组织系统先进的干部:",
                "    cadres not eligible as advanced in the organization system: ",
            )
            + (sep.join(barred) or none)
        )


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
        took = time.perf_counter() - started
        print(t(f"\n计算用时 {took:.2f} 秒", f"\ncomputed in {took:.2f} s"), file=sys.stderr)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    result = _compute(args)
    if args.unit not in result.units:
        raise InputError("--unit", [Problem("", "no_unit", unit=args.unit)])
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
        units, findings = len(data["units"]), len(data["findings"])
        print(
            t(
                f"已写入 {args.output}:{units} 个单位,{findings} 条评分记录",
                f"wrote {args.output}: {units} units, {findings} findings",
            ),
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
            else t(
                "未设 KAOHE_VAR_DIR:当前文件夹的 ./var",
                "KAOHE_VAR_DIR unset: ./var of the current folder",
            )
        )
        name = Path(db["NAME"]).resolve()
        return t(f"SQLite 数据库 {name}({source})", f"SQLite database {name} ({source})")
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return t(
        f"{host} 上的 PostgreSQL 数据库“{db['NAME']}”(DATABASE_URL)",
        f"PostgreSQL database '{db['NAME']}' on {host} (DATABASE_URL)",
    )


def _check_database() -> None:
    """Refuse before connecting: connecting to SQLite would create an empty file."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    from kaohe.years.models import Year

    db = settings.DATABASES["default"]
    hint = t(
        "请设置 KAOHE_VAR_DIR 或 DATABASE_URL,或用 `kaohe run` 或 `kaohe manage migrate` 创建数据库",
        "set KAOHE_VAR_DIR or DATABASE_URL, or create it with `kaohe run` or `kaohe manage migrate`",
    )
    if db["ENGINE"] == "django.db.backends.sqlite3" and not Path(db["NAME"]).is_file():
        raise NoDatabase(t(f"{_where()} 不存在;{hint}", f"the {_where()} does not exist; {hint}"))
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NoDatabase(
            t(f"无法打开{_where()}:{reason}", f"cannot open the {_where()}: {reason}")
        ) from exc
    if Year._meta.db_table not in tables:
        raise NoDatabase(
            t(
                f"{_where()} 中没有考核系统的数据表;{hint}",
                f"the {_where()} has no Kaohe tables; {hint}",
            )
        )


def _django(*, need_database: bool = True) -> None:
    """Set Django up; by default also make sure its database exists and has the tables."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # called in-process (tests): set up once, logging configured once
        django.setup()
    from django.utils import translation

    translation.activate("en" if LANGUAGE == "en" else "zh-hans")
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
    database = settings.DATABASES["default"]["NAME"]
    print(
        t(
            f"考核系统:http://{args.addr}(数据库:{database})",
            f"Kaohe: http://{args.addr} (database: {database})",
        )
    )
    call_command("runserver", args.addr, use_reloader=False)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Production: check the settings and the database, then hand over to gunicorn."""
    argv = serving.prepare(args, LANGUAGE)
    _django()
    from django.core.management import call_command

    call_command("check", deploy=True, fail_level="ERROR")
    log_dir = serving.log_dir_ready()
    print(
        t(
            f"考核系统:在 http://{args.bind} 提供服务 — {args.workers} 个 gunicorn 工作进程;"
            f"{_where()};日志在 {log_dir}",
            f"Kaohe: serving on http://{args.bind} — {args.workers} gunicorn workers; "
            f"{_where()}; logs in {log_dir}",
        ),
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
    print(t(f"已写入 {args.output}", f"wrote {args.output}"), file=sys.stderr)
    return 0


def cmd_rubric_import(args: argparse.Namespace) -> int:
    _django(need_database=False)  # the workbook's messages come from the catalog, in LANGUAGE
    from .excel.rubric import import_rubrics

    path = Path(args.file)
    if not path.is_file():
        raise InputError(args.file, [Problem("", "no_file")])
    scheme, warnings = import_rubrics(path.read_bytes(), load_scheme(args.base), args.file)
    for warning in warnings:
        print(t(f"请确认:{say(warning, 'zh')}", f"warning: {say(warning, 'en')}"), file=sys.stderr)
    text = yaml.safe_dump(scheme.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    Path(args.output).write_text(text, "utf-8")
    print(
        t(
            f"已写入 {args.output}(有 {len(warnings)} 处需要确认)",
            f"wrote {args.output} ({len(warnings)} warning(s) to confirm)",
        ),
        file=sys.stderr,
    )
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    """Rebuild a year's published figures from the stored facts and report any difference."""
    _django()
    from kaohe.yearend.selectors import recompute_differences
    from kaohe.years.models import Year

    year = Year.objects.filter(year=args.year).first()
    if year is None:
        print(
            t(f"没有 {args.year} 年的考核年度", f"no assessment year {args.year}"), file=sys.stderr
        )
        return 2
    problems = recompute_differences(year)
    if not problems:
        print(
            t(
                f"{args.year}年:公布的每个数字都与按基础数据重新计算的结果一致",
                f"{args.year}: every published figure equals the engine's recomputation "
                "from the facts",
            )
        )
        return 0
    print(
        t(
            f"{args.year}年:公布的数字与重新计算的结果有 {len(problems)} 处不同:",
            f"{args.year}: {len(problems)} difference(s) between published and recomputed figures:",
        ),
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
        prog="kaohe",
        description=t("考核:组织工作考核", "Kaohe (考核): organization-work assessment"),
    )
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        help=t(
            "输出语言(默认中文;LANG=en* 时为英文)",
            "language of the output (default Chinese; English when LANG=en*)",
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    scheme = commands.add_parser("scheme", help=t("考核方案文件", "scheme files"))
    scheme_commands = scheme.add_subparsers(dest="scheme_command", required=True)
    check = scheme_commands.add_parser(
        "check", help=t("校验考核方案并列出概要", "validate a scheme and summarise it")
    )
    check.add_argument(
        "file",
        help=t(
            "方案文件,或内置方案名,如 district-2014",
            "a scheme file, or a built-in name such as district-2014",
        ),
    )
    check.set_defaults(func=cmd_scheme_check)

    rubric = commands.add_parser(
        "rubric",
        help=t("Excel 格式的考核细则(附件的版式)", "rubrics in Excel, in the attachment's layout"),
    )
    rubric_commands = rubric.add_subparsers(dest="rubric_command", required=True)
    export = rubric_commands.add_parser(
        "export", help=t("把方案的考核细则写成 .xlsx", "write a scheme's rubrics as .xlsx")
    )
    export.add_argument("scheme", help=t("内置方案名或方案文件", "built-in name or scheme file"))
    export.add_argument("-o", "--output", required=True)
    export.set_defaults(func=cmd_rubric_export)
    imp = rubric_commands.add_parser(
        "import",
        help=t("从 .xlsx 读入考核细则,写成方案文件", "read rubrics from .xlsx into a scheme file"),
    )
    imp.add_argument("file")
    imp.add_argument(
        "--base",
        default="district-2014",
        help=t("沿用其其他设置的方案", "scheme whose other settings are kept"),
    )
    imp.add_argument("-o", "--output", required=True)
    imp.set_defaults(func=cmd_rubric_import)

    for name, func, text in (
        (
            "compute",
            cmd_compute,
            t(
                "计算一个年度:排名、约谈与书面报告、结果运用",
                "compute a year: rankings, escalations, results use",
            ),
        ),
        ("explain", cmd_explain, t("输出一个单位的得分说明", "print one unit's explanation tree")),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--scheme", default="district-2014", help=t("内置方案名或文件", "built-in name or file")
        )
        sub.add_argument(
            "--facts",
            required=True,
            help=t("考核数据文件(.json 或 .yaml)", "facts file (.json or .yaml)"),
        )
        sub.add_argument(
            "--amendment",
            action="append",
            default=[],
            metavar="FILE",
            help=t(
                "方案的后续版本(第五条),可重复,按版本顺序",
                "a later version of the scheme (第五条), repeatable, in version order",
            ),
        )
        sub.add_argument(
            "--months",
            help=t(
                "计算的月份,如 1-6(默认:数据中的全部月份)",
                "months to compute, e.g. 1-6 (default: all in the facts)",
            ),
        )
        sub.add_argument(
            "--json",
            action="store_true",
            help=t("输出 JSON(见 docs/facts-format.md)", "print JSON (docs/facts-format.md)"),
        )
        if name == "explain":
            sub.add_argument("--unit", required=True, help=t("单位编号", "unit id"))
        else:
            sub.add_argument(
                "--explain",
                action="store_true",
                help=t(
                    "与 --json 同用:附上每个单位的得分说明",
                    "with --json: add every unit's explanation",
                ),
            )
        sub.set_defaults(func=func)

    demo = commands.add_parser(
        "demo-facts", help=t("生成一年贴近实际的模拟数据", "write a realistic synthetic year")
    )
    demo.add_argument("--units", type=int, default=60)
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--scheme", default="district-2014")
    demo.add_argument("-o", "--output", default="-")
    demo.set_defaults(func=cmd_demo_facts)

    demo_year = commands.add_parser(
        "demo-year", help=t("计算并输出演示年度", "compute and print the demo year")
    )
    demo_year.set_defaults(func=cmd_demo_year)

    run = commands.add_parser(
        "run",
        help=t("运行网页系统(演示数据只载入一次)", "serve the web system (demo data loaded once)"),
    )
    run.add_argument("--addr", default="127.0.0.1:8000")
    run.add_argument(
        "--no-demo", action="store_true", help=t("不载入演示区", "do not load the demo district")
    )
    run.set_defaults(func=cmd_run)

    serving.add_parser(commands, LANGUAGE).set_defaults(func=cmd_serve)

    work = commands.add_parser(
        "worker", help=t("随时运行排队的后台任务", "run background jobs as they are queued")
    )
    work.add_argument(
        "--batch",
        action="store_true",
        help=t("运行已排队的任务后退出", "run what is queued, then exit"),
    )
    work.set_defaults(func=cmd_worker)

    manage = commands.add_parser("manage", help=t("Django 管理命令", "Django management commands"))
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    recompute = commands.add_parser(
        "recompute",
        help=t("按已存的基础数据重新计算一个年度", "recompute a year from its stored facts"),
    )
    recompute.add_argument(
        "--verify",
        dest="year",
        type=int,
        required=True,
        metavar="YEAR",
        help=t("与已公布的结果比较", "compare with what was published"),
    )
    recompute.set_defaults(func=cmd_recompute)

    audit = commands.add_parser("audit", help=t("审计日志", "the audit log"))
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help=t("核对哈希链及其链头", "verify the hash chain and its head")
    )
    verify.add_argument(
        "--anchor",
        type=Path,
        metavar="FILE",
        help=t("同时核对 FILE 中锚定的每个链头", "also check each head anchored in FILE"),
    )
    verify.set_defaults(func=cmd_audit_verify)
    anchor = audit_commands.add_parser(
        "anchor",
        help=t(
            "把链头连同时间追加到数据库之外保存的文件",
            "append the chain head, with the time, to a file kept outside the database",
        ),
    )
    anchor.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help=t("默认:var/audit-anchors.txt", "default: var/audit-anchors.txt"),
    )
    anchor.set_defaults(func=cmd_audit_anchor)

    from .backup.commandline import add_commands as add_backup_commands

    add_backup_commands(commands, _django, t)  # `kaohe backup -o FILE`, `kaohe restore FILE`
    return parser


def serves(args: argparse.Namespace) -> bool:
    """A web server: it must outlive a client that hangs up mid-response."""
    return args.func in (cmd_run, cmd_serve) or (
        args.func is cmd_manage and bool(args.rest) and args.rest[0] == "runserver"
    )


def without_lang(argv: Sequence[str]) -> list[str]:
    """The command line without `--lang X` (read by choose_language before parsing), so that
    it may stand anywhere, also after a subcommand."""
    out: list[str] = []
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            out += [arg, *rest]
            break
        if arg == "--lang" and rest:
            rest.pop(0)
        elif not arg.startswith("--lang="):
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    global LANGUAGE
    argv = list(sys.argv[1:] if argv is None else argv)
    LANGUAGE = choose_language(argv)
    english_words = argparse._  # type: ignore[attr-defined]
    argparse._ = _argparse_words  # type: ignore[attr-defined]
    try:
        args = build_parser().parse_args(without_lang(argv))
    finally:
        argparse._ = english_words  # type: ignore[attr-defined]
    previous = signal.getsignal(signal.SIGPIPE)
    if not serves(args):
        # `kaohe compute | head` ends quietly. Never for a server: with the default action a
        # client closing its connection early kills the process (Python ignores SIGPIPE, and
        # the server then only sees a BrokenPipeError for that one request).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(t(f"错误 — {exc.source}:", f"error — {exc.source}:"), file=sys.stderr)
        for error in exc.errors:
            print(f"  {say(error, LANGUAGE)}", file=sys.stderr)
        return 2
    except (NoDatabase, serving.NotConfigured) as exc:
        print(t(f"错误 — {exc}", f"error — {exc}"), file=sys.stderr)
        return 2
    finally:  # called in-process (tests), leave the caller's handling as it was
        signal.signal(signal.SIGPIPE, previous)
    return code


if __name__ == "__main__":
    sys.exit(main())
