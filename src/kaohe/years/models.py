"""An assessment year (考核年度) with its scheme frozen as text, its later scheme versions
(第五条: targets added during the year), and unit targets (责任书)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine import Scheme, limits, parse_scheme
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
    # the number of the latest confirmed scheme version (1: the scheme the year opened with);
    # kept here so that a year without later versions reads its scheme without a query
    version = models.PositiveSmallIntegerField(_("scheme version"), default=1)

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
    def base_scheme(self) -> Scheme:
        """Version 1: the scheme the year opened with (the responsibility letters')."""
        return _parse(self.scheme_sha256, self.scheme_text)

    def amendments(self) -> tuple[Scheme, ...]:
        """The confirmed later versions, in order (one query, then kept on the instance)."""
        if self.version == 1:
            return ()
        cached = self.__dict__.get("_amendments")
        if cached is None or cached[0] != self.version:
            rows = SchemeVersion.objects.filter(
                year=self, status=SchemeVersion.Status.CONFIRMED
            ).order_by("number")
            schemes = tuple(_parse(v.sha256, v.scheme_text) for v in rows)
            cached = self.__dict__["_amendments"] = (self.version, schemes)
        return cached[1]

    @property
    def scheme(self) -> Scheme:
        """The latest confirmed version: what the year end (B, F, R, T's method, ranking,
        results use) and everything not tied to one month uses."""
        amendments = self.amendments()
        return amendments[-1] if amendments else self.base_scheme

    def scheme_for(self, month: int) -> Scheme:
        """The version that applies to ``month``: the latest applying from it or earlier."""
        for scheme in reversed(self.amendments()):
            if scheme.version is not None and scheme.version.from_month <= month:
                return scheme
        return self.base_scheme


class SchemeVersion(models.Model):
    """A later version of a year's scheme (第五条), uploaded as a draft, shown as a diff of
    items and figures, then confirmed (or discarded) by the office; never deleted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", _("confirmed")
        DISCARDED = "discarded", _("discarded")

    year = models.ForeignKey(Year, models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    from_month = models.PositiveSmallIntegerField(_("from month"))
    scheme_text = models.TextField(_("scheme file"))
    sha256 = models.CharField(max_length=64)
    reason = models.TextField(_("reason"))
    approved_by = models.CharField(_("approved by"), max_length=limits.LINE_MAX)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    confirmed_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["year", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                condition=models.Q(status="confirmed"),
                name="one_confirmed_version_per_number",
            ),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(status="draft"), name="one_draft_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        digest = hashlib.sha256(self.scheme_text.encode("utf-8")).hexdigest()
        if self.pk is not None and digest != self.sha256:
            raise ValueError("a scheme version is frozen; upload another instead")
        self.sha256 = digest
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("scheme versions are never deleted; discard a draft instead")

    @property
    def scheme(self) -> Scheme:
        return _parse(self.sha256, self.scheme_text)


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
