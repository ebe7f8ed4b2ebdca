"""An assessment year (考核年度) with its scheme frozen as text, and unit targets (责任书)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine import Scheme, parse_scheme
from kaohe.people.models import Unit


@lru_cache(maxsize=16)
def _parse(sha: str, text: str) -> Scheme:
    return parse_scheme(text, sha[:12])


class Year(models.Model):
    year = models.PositiveIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    scheme_name = models.CharField(_("scheme"), max_length=64)
    scheme_text = models.TextField(_("scheme file"))
    scheme_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)

    class Meta:
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        digest = hashlib.sha256(self.scheme_text.encode("utf-8")).hexdigest()
        if self.pk is not None and digest != self.scheme_sha256:
            raise ValueError("a year's scheme is frozen; make a new version instead")
        self.scheme_sha256 = digest
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def scheme(self) -> Scheme:
        return _parse(self.scheme_sha256, self.scheme_text)


class Target(models.Model):
    """A unit's own target for a target_count item, set in its responsibility letter."""

    year = models.ForeignKey(Year, models.PROTECT, related_name="targets")
    unit = models.ForeignKey(Unit, models.PROTECT)
    item = models.CharField(_("item"), max_length=64)
    target = models.PositiveIntegerField(_("annual target"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "item"], name="one_target_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.item}: {self.target}"
