"""Months (考核月), departments' scoring sheets (评分表), score entries and escalations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.people.models import Department, Unit
from kaohe.web.fields import line_validator, text_validator
from kaohe.years.models import Year


class Cycle(models.Model):
    """One month of the year, opened by the office; sheets are due by ``due_date``."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.ForeignKey(Year, models.PROTECT, related_name="cycles")
    month = models.PositiveSmallIntegerField(_("month"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)

    class Meta:
        verbose_name = _("month")
        verbose_name_plural = _("months")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="one_cycle_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.year.year}-{self.month:02d}"


class Sheet(models.Model):
    """A department's scoring sheet for a month: draft → submitted → accepted | returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    cycle = models.ForeignKey(Cycle, models.PROTECT, related_name="sheets")
    department = models.ForeignKey(Department, models.PROTECT)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    return_reason = models.TextField(
        _("reason for return"),
        blank=True,
        max_length=limits.TEXT_MAX,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )
    # bumped by every change (a cell saved, a state moved): a form posts the version it was
    # based on, and a save based on an older one is refused as a conflict
    version = models.PositiveIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("scoring sheet")
        verbose_name_plural = _("scoring sheets")
        ordering = ["cycle", "department"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], name="one_sheet_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.department}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def locked(self) -> bool:
        return self.status == self.Status.ACCEPTED


class Entry(models.Model):
    """One cell of a sheet: a unit × item (× sub-item) score input with its reason.

    Entries are never overwritten: a change is a new entry that ``replaces`` the old one,
    which is marked superseded; the figures as of any day are the entries current then.
    Empty ``values`` means "scored, nothing found"."""

    sheet = models.ForeignKey(Sheet, models.PROTECT, related_name="entries")
    unit = models.ForeignKey(Unit, models.PROTECT)
    item = models.CharField(_("item"), max_length=64)
    sub_item = models.CharField(_("sub-item"), max_length=64, blank=True)
    values = models.JSONField(_("findings"), default=dict, blank=True)
    reason = models.TextField(
        _("reason for deduction or bonus"),
        blank=True,
        max_length=limits.TEXT_MAX,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )
    evidence = models.CharField(
        _("evidence"), max_length=limits.LINE_MAX, blank=True, validators=[line_validator]
    )
    created_at = models.DateTimeField(_("entered"), db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT)
    replaces = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    superseded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    correction_reason = models.TextField(
        _("reason for correction"),
        blank=True,
        max_length=limits.TEXT_MAX,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )

    class Meta:
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        indexes = [models.Index(fields=["sheet", "unit", "item"])]

    def __str__(self) -> str:
        return f"{self.sheet} {self.unit.code} {self.item}{'/' + self.sub_item if self.sub_item else ''}"

    @property
    def has_findings(self) -> bool:
        return any(v not in (None, 0, "0", False, {}) for v in self.values.values()) or (
            self.values.get("met") is False
        )


class EscalationCase(models.Model):
    """An action Art. 12(3) requires, worked through by the office: a talk or a report."""

    class Action(models.TextChoices):
        TALK = "talk", _("Talk (组织约谈)")
        REPORT = "report", _("Written report (书面报告)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")

    year = models.ForeignKey(Year, models.PROTECT, related_name="escalations")
    unit = models.ForeignKey(Unit, models.PROTECT)
    action = models.CharField(_("action"), max_length=16, choices=Action)
    month = models.PositiveSmallIntegerField(_("triggered in month"))
    months = models.JSONField(_("months in the bottom two"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=limits.TEXT_MAX,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["year", "month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "action", "month"], name="one_case")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_action_display()} {self.month}"


class Notification(models.Model):
    """An in-app message to a department (reminders before the due date)."""

    department = models.ForeignKey(Department, models.PROTECT, related_name="notifications")
    cycle = models.ForeignKey(Cycle, models.PROTECT)
    text = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_on = models.DateField()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "cycle", "sent_on"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return self.text


class DepartmentHead(models.Model):
    """The head of an assessing department (科长), who may confirm its large deductions.
    Set by the office; ended rather than deleted."""

    department = models.ForeignKey(
        Department, models.PROTECT, related_name="heads", verbose_name=_("department")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("head")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("department head")
        verbose_name_plural = _("department heads")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "user"],
                condition=models.Q(active=True),
                name="one_active_head_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.user}"


class Confirmation(models.Model):
    """The second confirmation a large deduction waits for (SPEC §11): the entry counts only
    once confirmed; a changed cell is a new entry, so it waits again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    entry = models.OneToOneField(Entry, models.PROTECT, related_name="confirmation")
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    points = models.DecimalField(_("deduction"), max_digits=24, decimal_places=10)
    weight = models.DecimalField(_("weight"), max_digits=16, decimal_places=4)
    whole = models.BooleanField(_("whole weight"), default=False)
    created_at = models.DateTimeField(_("entered"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        max_length=limits.TEXT_MAX,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )

    class Meta:
        verbose_name = _("second confirmation")
        verbose_name_plural = _("second confirmations")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry} {self.get_status_display()}"

    def effective(self, as_of: dt.datetime | None = None) -> bool:
        """Whether the entry counts (as of ``as_of``): confirmed by then."""
        return (
            self.status == self.Status.CONFIRMED
            and self.decided_at is not None
            and (as_of is None or self.decided_at <= as_of)
        )
