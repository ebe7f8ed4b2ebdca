"""Units (被考核单位), departments (考核部门) and users with their roles (SPEC §1, §2)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """An assessing department, keyed as in the scheme (org = 组织科 …)."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An assessed unit: a street party working committee or a district organ's party body."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=64)
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    secretary = models.CharField(_("party head"), max_length=50, blank=True)
    leaders = models.CharField(
        _("leaders in charge"),
        max_length=200,
        blank=True,
        help_text=_("Separate names with commas."),
    )
    member_of = models.ManyToManyField(
        Department,
        blank=True,
        verbose_name=_("belongs to departments"),
        help_text=_("A department never scores a unit it belongs to."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def leader_names(self) -> list[str]:
        return [n.strip() for n in self.leaders.replace(",", ",").split(",") if n.strip()]


class KaoheUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """``createsuperuser`` lets its user bypass the password rules (and skips them with
        --noinput): here they hold either way (its ValidationError becomes one error line)."""
        if password is not None:
            validate_password(password, self.model(username=username, email=email or "", **extra))
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A user; roles combine: office, leader, assessor of one department, user of one unit."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    is_office = models.BooleanField(_("performance office"), default=False)
    is_leader = models.BooleanField(_("leader"), default=False)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, verbose_name=_("assessor of")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, verbose_name=_("user of unit")
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when someone else chose the password (a reset, a new account): the user "
            "sets their own at the next login before anything else."
        ),
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    objects: ClassVar[KaoheUserManager] = KaoheUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_assessor(self) -> bool:
        return self.department_id is not None

    @property
    def is_unit_user(self) -> bool:
        return self.unit_id is not None

    @property
    def sees_everything(self) -> bool:
        return self.is_office or self.is_leader

    def role_labels(self) -> list[str]:
        labels = []
        if self.is_office:
            labels.append(str(_("Performance office")))
        if self.is_leader:
            labels.append(str(_("Leader")))
        if self.department_id:
            labels.append(str(self.department))
        if self.unit_id:
            labels.append(str(self.unit))
        return labels
