"""The office's audit log page (issue 10 point 3): newest first, filters, Chinese names,
links to the objects, before and after; and the error pages (point 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.monthly.services import entry_save, mark_rest_clean, sheet_submit

from .conftest import CAST, World

URL = reverse("audit-log")


_saves = iter(range(1, 10**6))


def _score(world: World, unit: str = "S1", department: str = "org") -> None:
    """A new entry each time: the count of missing materials changes with every save."""
    org = department == "org"
    entry_save(
        acting_user=world.users["assessor_org" if org else "assessor_cadre"],
        sheet=world.sheet(department),
        unit=world.units[unit],
        item="1" if org else "11",
        values={"checks": {"missing_material": next(_saves)} if org else {"not_held": 1}},
        reason="没有培训计划",
    )


def _zh(world: World) -> Client:
    client = world.client("office")
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.mark.parametrize("who", CAST)
def test_only_the_office_reads_the_audit_log(world: World, who: str) -> None:
    response = world.client(who).get(URL)
    expected = {"office": 200, "anonymous": 302}.get(who, 403)
    assert response.status_code == expected


def test_events_are_newest_first_in_chinese_with_links_and_states(world: World) -> None:
    _score(world)
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=world.sheet("org"))
    sheet_submit(acting_user=world.users["assessor_org"], sheet=world.sheet("org"))
    page = (
        _zh(world)
        .get(URL)
        .content.decode()
        .split('<table class="table table-sm table-bordered bg-white audit-log">')[1]
    )
    assert page.index("报送评分表") < page.index("保存评分") < page.index("开启月度考核")
    assert page.index("开启月度考核") < page.index("创建考核年度")
    sheet_url = reverse("sheet", args=[world.sheet("org").pk])
    assert f'href="{sheet_url}"' in page  # the entry's event links to its sheet
    assert "没有培训计划" in page and "missing_material" in page  # reason and the after state


def test_filters_narrow_by_person_unit_department_action_and_date(world: World) -> None:
    _score(world, unit="S1")
    _score(world, unit="S2")
    _score(world, unit="S2", department="cadre")
    client = _zh(world)

    def actions(**query: str) -> list[str]:
        response = client.get(URL, query)
        assert response.status_code == 200
        rows = response.context["rows"]
        return [r["event"].action for r in rows]

    assert actions(action="entry.save") == ["entry.save"] * 3
    assert actions(person="cadre") == ["entry.save"]
    assert len(actions(unit="S2")) == 2 and len(actions(unit="S1")) == 1
    assert actions(unit="S3") == []
    assert actions(department="cadre", action="entry.save") == ["entry.save"]
    today = timezone.localdate()
    assert len(actions(since=str(today), until=str(today))) == AuditEvent.objects.count()
    assert actions(until=str(today - dt.timedelta(days=1))) == []


def test_a_bad_filter_is_answered_in_chinese_and_shows_nothing(world: World) -> None:
    client = _zh(world)
    response = client.get(URL, {"since": "2026-02-30", "unit": "NOPE", "person": "x" * 500})
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有符合条件的记录" in page and "输入一个有效的日期" in page
    response = client.get(URL, {"since": "2026-03-02", "until": "2026-03-01"})
    assert "截止日期早于起始日期" in response.content.decode()


def test_the_page_costs_the_same_queries_for_5_and_40_events(world: World) -> None:
    client = world.client("office")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    for _ in range(2):
        _score(world)
    few = count()
    for i in range(20):
        _score(world, unit=f"S{1 + i % 4}")
    assert count() == few


def test_pages_follow_newest_first(world: World) -> None:
    for i in range(60):
        _score(world, unit=f"S{1 + i % 4}")
    client = world.client("office")
    first = client.get(URL).context["rows"]
    second = client.get(URL, {"page": 2}).context["rows"]
    assert len(first) == 50 and first[0]["event"].pk > second[0]["event"].pk


def test_error_pages_are_chinese_with_the_sites_navigation(world: World) -> None:
    client = world.client("unit_a")
    client.cookies["django_language"] = "zh-hans"
    missing = client.get("/years/2014/no-such-page/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "页面不存在" in page and 'href="/notices/"' in page and "返回首页" in page
    refused = client.get(reverse("years"))
    assert refused.status_code == 403
    assert "无权访问" in refused.content.decode() and "退出" in refused.content.decode()


def test_the_csrf_and_server_error_pages_render_in_chinese(world: World) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "服务器错误" in render_to_string("500.html")
        assert "请求有误" in render_to_string("400.html")
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "表单已失效" in response.content.decode()
