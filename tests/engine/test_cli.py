"""The command line on demo facts: compute, explain, JSON, errors; and the engine's purity."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.cli import main, parse_months
from kaohe.engine import InputError


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "facts.json"
    assert main(["demo-facts", "--units", "60", "--seed", "7", "-o", str(path)]) == 0
    return path


def test_demo_facts_are_a_realistic_district(demo_file: Path) -> None:
    data = json.loads(demo_file.read_text("utf-8"))
    categories = [u["category"] for u in data["units"]]
    assert categories.count("street") == 13 and categories.count("district") == 47
    kinds = {u.get("kind") for u in data["units"] if u["category"] == "district"}
    assert kinds == {"organ", "affiliated"}
    assert any(not f["declared"] for f in data["faults"])
    assert any(f["type"] == "cadre_selection" for f in data["faults"])
    assert data["achievements"] and data["recognition"]


def test_compute_prints_both_rankings_escalations_and_results_use(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compute", "--facts", str(demo_file)]) == 0
    out = capsys.readouterr().out
    for heading in (
        "年度排名:街道(13个单位)",
        "年度排名:区直单位(47个单位)",
        "月考核后两名的处理",
        "结果运用",
        "推荐先进",
        "否决",
    ):
        assert heading in out
    assert "组织约谈" in out and "书面报告" in out


def test_compute_json_has_the_documented_shape(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compute", "--facts", str(demo_file), "--json", "--months", "1-6"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "scheme",
        "year",
        "months",
        "units",
        "monthly",
        "annual",
        "escalations",
        "results_use",
    }
    assert data["months"] == [1, 2, 3, 4, 5, 6]
    first = data["annual"]["street"][0]
    assert first["rank"] == 1
    streets = [u for u in data["units"].values() if u["category"] == "street" and not u["vetoed"]]
    assert Decimal(data["units"][first["unit"]]["total"]) == max(
        Decimal(u["total"]) for u in streets
    )


def test_explain_accounts_for_every_point(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "--facts", str(demo_file), "--unit", "S01", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)

    def check(node: dict) -> None:  # type: ignore[type-arg]
        children = node.get("children", [])
        amounts = [Decimal(c["amount"]) for c in children]
        if children and "note" not in node:  # derived parents (mean, scaling) carry a note
            assert sum(amounts) == Decimal(node["amount"]), node["label"]
        for child in children:
            check(child)

    t, b, f, r = (Decimal(c["amount"]) for c in tree["children"][:4])
    assert t + b + f + r == Decimal(tree["amount"])
    for component in tree["children"][1:4]:
        check(component)
    for month in tree["children"][0]["children"]:
        check(month)
    assert main(["explain", "--facts", str(demo_file), "--unit", "S01"]) == 0
    text = capsys.readouterr().out
    assert "目标成绩(月度平均)" in text and "年度排名" in text


def test_errors_are_listed_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "facts.yaml"
    bad.write_text("year: 2014\nunits:\n  - {id: A, name: A, category: moon}\n", "utf-8")
    assert main(["compute", "--facts", str(bad)]) == 2
    assert "units[0].category:未知的类别“moon”" in capsys.readouterr().err
    assert main(["scheme", "check", str(bad)]) == 2
    assert main(["explain", "--facts", str(bad), "--unit", "X"]) == 2


def test_scheme_check_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scheme", "check", "district-2014"]) == 0
    assert "区组织工作考核办法(2014年)(district-2014,2014年):有效" in capsys.readouterr().out


def test_month_ranges() -> None:
    assert parse_months("1-3,6") == [1, 2, 3, 6]
    assert parse_months(None) is None
    with pytest.raises(InputError):
        parse_months("0-13")
    with pytest.raises(InputError):
        parse_months("May")


def test_the_engine_imports_nothing_from_django() -> None:
    code = "import sys, kaohe.engine, kaohe.engine.serialize; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    for path in Path(__file__).parents[2].joinpath("src/kaohe/engine").glob("*.py"):
        lines = path.read_text("utf-8").splitlines()
        imports = [ln for ln in lines if ln.lstrip().startswith(("import ", "from "))]
        assert not [ln for ln in imports if "django" in ln], path.name


# ---- a command line that knows where its data is; a server that outlives its clients ----

CHECKOUT = Path(__file__).resolve().parents[2]
KAOHE = Path(sys.executable).with_name("kaohe")


def outside_env(**extra: str) -> dict[str, str]:
    """The environment of someone who set neither KAOHE_VAR_DIR nor DATABASE_URL."""
    dropped = ("KAOHE_VAR_DIR", "DATABASE_URL", "LC_ALL", "LC_MESSAGES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "LANG": "C.UTF-8", **extra}  # the command's own language: Chinese


def kaohe(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KAOHE), *args],
        cwd=cwd,
        env=outside_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


DATABASE_COMMANDS = [
    ["audit", "verify"],
    ["recompute", "--verify", "2014"],
    ["manage", "remind"],
    ["manage", "load_demo"],
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_a_database_command_run_elsewhere_refuses_in_one_line_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    done = kaohe(tmp_path, *command)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no traceback
    assert str(tmp_path / "var" / "kaohe.sqlite3") in lines[0]
    assert "KAOHE_VAR_DIR" in lines[0] and "不存在" in lines[0]
    assert list(tmp_path.iterdir()) == []  # no ./var, no empty database file


def test_an_empty_database_file_is_refused_naming_the_variable_that_chose_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "kaohe.sqlite3").touch()
    done = kaohe(tmp_path, "audit", "verify", KAOHE_VAR_DIR=str(tmp_path))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert f"SQLite 数据库 {tmp_path / 'kaohe.sqlite3'}(KAOHE_VAR_DIR={tmp_path})" in line
    assert "没有考核系统的数据表" in line
    assert [p.name for p in tmp_path.iterdir()] == ["kaohe.sqlite3"]


def test_an_unreachable_postgresql_is_named_by_host_and_database(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgres://kaohe@127.0.0.1:{port}/kaohe_office"
    done = kaohe(tmp_path, "recompute", "--verify", "2014", DATABASE_URL=url)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert f"127.0.0.1:{port} 上的 PostgreSQL 数据库“kaohe_office”(DATABASE_URL)" in line
    assert list(tmp_path.iterdir()) == []


def test_migrate_creates_the_database_where_kaohe_var_dir_says(tmp_path: Path) -> None:
    var = tmp_path / "data"
    assert kaohe(tmp_path, "manage", "migrate", "-v0", KAOHE_VAR_DIR=str(var)).returncode == 0
    done = kaohe(tmp_path, "audit", "verify", KAOHE_VAR_DIR=str(var))
    assert done.returncode == 0, done.stderr
    assert (var / "kaohe.sqlite3").is_file() and not (tmp_path / "var").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our own server)
        return response.status, response.read()


def hang_up_mid_response(port: int, path: str) -> None:
    """Ask for a large response and close at once, so the server writes to a closed socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())


def test_make_run_serves_at_addr_with_the_demo_and_survives_clients_that_hang_up(
    tmp_path: Path,
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        # -o: do not re-run the bootstrap here even when pyproject.toml is newer than the venv
        server = subprocess.Popen(
            [
                "make",
                "-s",
                "-C",
                str(CHECKOUT),
                "-o",
                ".venv/.installed",
                "run",
                f"ADDR=127.0.0.1:{port}",
            ],
            cwd=tmp_path,
            env=outside_env(KAOHE_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 600  # migrate and the demo year: slow on a busy machine
        while True:
            assert server.poll() is None, log.read_text()
            try:
                status, body = get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(1)
        assert status == 200 and "考核".encode() in body
        assert f"考核系统:http://127.0.0.1:{port}" in log.read_text()

        big = ["/notices/2014/notice.pdf"] * 2 + ["/static/vendor/bootstrap.min.css"] * 5
        for path in big:
            hang_up_mid_response(port, path)
        # The server writes those answers to closed sockets: with SIGPIPE at its default that
        # ends the process. A PDF asked for after them is made after them (same work, started
        # later), so once it arrives they have been written too.
        status, pdf = get(f"http://127.0.0.1:{port}/notices/2014/notice.pdf")
        assert status == 200 and pdf.startswith(b"%PDF")
        time.sleep(2)
        assert server.poll() is None, log.read_text()
        assert get(f"http://127.0.0.1:{port}/login/")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_printing_commands_still_end_quietly_in_a_closed_pipe(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    assert kaohe(tmp_path, "demo-facts", "--units", "30", "-o", str(facts)).returncode == 0
    pipeline = f"'{KAOHE}' compute --facts '{facts}' | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline],
        cwd=tmp_path,
        env=outside_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.stdout.startswith("区组织工作考核办法")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode in (0, 141)  # killed by SIGPIPE (128 + 13) or done first
