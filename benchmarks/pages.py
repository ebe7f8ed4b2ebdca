"""Page benchmark: every page of every role of the demo district, p50/p95 in milliseconds.

    .venv/bin/python benchmarks/pages.py                 # 20 requests per page, budget 100 ms
    .venv/bin/python benchmarks/pages.py --repeat 50 --budget 100 --var /tmp/kaohe-bench
    .venv/bin/python benchmarks/pages.py --role office --match /months/   # some pages only

Runs on SQLite in ``--var`` (default: a fresh temporary folder, migrated and loaded with the
demo district, as ``kaohe run`` does). Logs in as each demo role with its password (and as nobody), finds the
pages that role may open (every GET page of the site, 200 for that role; file downloads —
.xlsx, .pdf — are not pages and are left out), requests each one ``--repeat`` times after a
warm-up request, and prints p50/p95 per page. Exits 1 when any p95 exceeds ``--budget``.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROLES = [
    "office",
    "leader",
    "assessor-org",
    "assessor-cadre",
    "assessor-organs_committee",
    "assessor-talent",
    "assessor-office",
    "unit-s01",
    "unit-d01",
    "anonymous",  # the public notices and the login page
]
PASSWORD = "kaohe-demo-2014"  # noqa: S105  (the demo's published password)


def setup(var: Path) -> None:
    os.environ["KAOHE_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    # one log line per request (kaohe.request) and every refused page would drown the figures
    logging.getLogger("kaohe.request").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)

    fresh = not (var / "kaohe.sqlite3").exists()
    call_command("migrate", verbosity=0)
    if fresh:
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def candidate_urls() -> list[str]:
    """Every GET page of the demo, with real objects for each parameter."""
    from django.urls import reverse

    from kaohe.monthly.models import Cycle, Entry, Sheet
    from kaohe.people.models import Unit
    from kaohe.yearend.models import Declaration
    from kaohe.years.models import SchemeVersion, Year

    urls = [reverse("home"), reverse("years"), reverse("confirmations"), reverse("notices")]
    urls += [reverse("audit-log"), reverse("workdays"), reverse("login")]
    urls += [reverse(name) for name in ("account", "account-password", "account-2fa", "accounts")]
    units = list(Unit.objects.filter(active=True).order_by("code"))
    sample = [u for u in units if u.code in ("S01", "S02", "D01")] or units[:2]
    for year in Year.objects.order_by("year"):
        y = year.year
        for name in (
            "year",
            "targets",
            "versions",
            "escalations",
            "declarations",
            "evaluation",
            "results",
            "use",
        ):
            urls.append(reverse(name, args=[y]))
        urls.append(reverse("notice", args=[y]))
        for cycle in Cycle.objects.filter(year=year).order_by("month"):
            urls.append(reverse("cycle", args=[y, cycle.month]))
            urls.append(reverse("ranking", args=[y, cycle.month]))
        for unit in sample:
            urls.append(reverse("unit", args=[y, unit.code]))
            urls.append(reverse("letter", args=[y, unit.code]))
            urls.append(reverse("annual-unit", args=[y, unit.code]))
        for version in SchemeVersion.objects.filter(year=year).order_by("pk")[:2]:
            urls.append(reverse("version", args=[y, version.pk]))
        last = Cycle.objects.filter(year=year).order_by("-month").first()
        if last is not None:
            for sheet in Sheet.objects.filter(cycle=last).order_by("department__key"):
                urls.append(reverse("sheet", args=[sheet.pk]))
                entry = Entry.objects.filter(sheet=sheet).order_by("pk").first()
                if entry is not None:
                    urls.append(reverse("cell", args=[sheet.pk, entry.unit.code, entry.item]))
        for declaration in Declaration.objects.filter(year=year).order_by("pk")[:3]:
            urls.append(reverse("declaration", args=[declaration.pk]))
    return urls


def measure(repeat: int, budget: float, roles: list[str], match: str) -> int:
    from django.test import Client
    from django.urls import reverse

    urls = [url for url in candidate_urls() if match in url]
    worst = 0.0
    rows = []
    for username in roles:
        client = Client()
        credentials = {"username": username, "password": PASSWORD}
        if (
            username != "anonymous"
            and client.post(reverse("login"), credentials).status_code != 302
        ):
            print(f"{username}: cannot log in", file=sys.stderr)
            return 2
        for url in urls:
            if client.get(url).status_code != 200:  # not this role's page (or the warm-up)
                continue
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{username} {url}: {response.status_code}")
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            worst = max(worst, p95)
            rows.append((username, url, p50, p95))
            flag = "  OVER" if p95 > budget else ""
            print(f"{username:<26} {url:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{flag}")
    over = [r for r in rows if r[3] > budget]
    print(
        f"\n{len(rows)} pages × {repeat} requests; worst p95 {worst:.1f} ms; "
        f"{len(over)} over the {budget:.0f} ms budget"
    )
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget", type=float, default=100.0, help="p95 ceiling in ms")
    parser.add_argument("--var", type=Path, help="data folder (default: a fresh temporary one)")
    parser.add_argument("--role", action="append", choices=ROLES, help="only these roles")
    parser.add_argument("--match", default="", help="only pages whose path contains this")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="kaohe-bench-"))
    var.mkdir(parents=True, exist_ok=True)
    setup(var)
    return measure(args.repeat, args.budget, args.role or ROLES, args.match)


if __name__ == "__main__":
    sys.exit(main())
