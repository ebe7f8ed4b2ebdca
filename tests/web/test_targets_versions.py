"""Two office users on the targets page: the second save, based on an older target, gets a
conflict (409) naming the newer value and keeping the input; nothing is lost silently."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from kaohe.people.models import User
from kaohe.years.models import Target

from .conftest import PASSWORD, World


def test_a_stale_target_save_is_a_conflict_and_the_first_value_stands(world: World) -> None:
    url = reverse("targets", args=[2014])
    unit = world.units["S1"]
    User.objects.create_user("office-2", password=PASSWORD, is_office=True)
    first, second = world.client("office"), world.client("office")
    second.force_login(User.objects.get(username="office-2"))
    shown = {f"w-{unit.pk}-6": ""}  # both pages opened with no target set
    assert first.post(url, {f"t-{unit.pk}-6": "5", **shown}).status_code == 302
    with translation.override("zh-hans"):
        page = second.post(url, {f"t-{unit.pk}-6": "7", **shown})
    assert page.status_code == 409
    text = page.content.decode()
    assert "已有他人保存为 5" in text and 'value="7"' in text  # the newer value, input kept
    assert Target.objects.get(year=world.year, unit=unit, item="6").target == 5
    # saving again from the conflict page (now based on 5) replaces it knowingly
    assert second.post(url, {f"t-{unit.pk}-6": "7", f"w-{unit.pk}-6": "5"}).status_code == 302
    assert Target.objects.get(year=world.year, unit=unit, item="6").target == 7
