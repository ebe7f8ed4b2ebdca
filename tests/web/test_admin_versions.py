"""Two staff users editing one record in the admin: the save based on the older record is
refused with a message and changes nothing; a save based on the current one goes through."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaohe.people.models import Unit, User

from .conftest import World


def _form_data(client: Client, url: str) -> dict[str, Any]:
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def test_an_admin_save_over_a_changed_record_is_refused(world: World) -> None:
    admin = User.objects.create_superuser("root", password="x-very-long-pass", is_office=True)
    client = Client()
    client.force_login(admin)
    unit = world.units["S3"]
    url = reverse("admin:people_unit_change", args=[unit.pk])
    data = _form_data(client, url)
    assert data["record_fingerprint"]
    Unit.objects.filter(pk=unit.pk).update(secretary="新书记")  # a colleague's save meanwhile
    with translation.override("zh-hans"):
        page = client.post(url, {**data, "name": "第3街道党工委(改)"})
    assert page.status_code == 200  # the form again, with the message
    assert "打开本页后已有他人修改" in page.content.decode()
    unit.refresh_from_db()
    assert (unit.name, unit.secretary) == ("第3街道党工委", "新书记")
    fresh = _form_data(client, url)  # reloaded: based on the current record, it saves
    assert client.post(url, {**fresh, "name": "第3街道党工委(改)"}).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.secretary) == ("第3街道党工委(改)", "新书记")
