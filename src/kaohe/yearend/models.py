"""Year-end facts and the review of the results (SPEC §6): declarations (申报认定), evidence,
the recognition evaluation (公认度评价), the review (部务会审核), the notice (公示), objections."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.people.models import Unit
from kaohe.web.fields import line_validator, text_validator
from kaohe.years.models import Year


class Closing(models.Model):
    """The year's closing: the declaration window and the stages of the results."""

    class Stage(models.TextChoices):
        COLLECTING = "collecting", _("Collecting")
        COMPUTED = "computed", _("Computed")
        SUBMITTED = "submitted", _("Submitted to the leaders")
        RETURNED = "returned", _("Returned by the leaders")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Notice published")
        FINAL = "final", _("Final")

    year = models.OneToOneField(Year, models.PROTECT, related_name="closing")
    declarations_open = models.BooleanField(_("declarations open"), default=False)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage, default=Stage.COLLECTING)
    results = models.JSONField(_("results"), null=True, blank=True)
    results_sha256 = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    leader_comment = models.TextField(_("leaders' comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice period ends"), null=True, blank=True)
    # every change of the closing raises the version; an action based on an older one is
    # refused as a conflict (two office users, or a leader on a page recomputed since)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # the leaders' decisions, oldest first: {"at", "by", "approve", "comment", "version"}
    review_notes = models.JSONField(default=list, blank=True)
    # notices withdrawn by a reopening, kept as published: {"published_at", "notice_ends_on",
    # "results_sha256", "results", "stage", "reopened_at", "reopened_by", "reason"}
    past_notices = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("year closing")
        verbose_name_plural = _("year closings")

    def __str__(self) -> str:
        return f"{self.year.year} {self.get_stage_display()}"


def _length_at_most(field: str, limit: int) -> LessThanOrEqual:
    return LessThanOrEqual(Length(field), limit)


class Declaration(models.Model):
    """An achievement or a fault: declared by the unit, or a fault the office established.

    Every value is bounded by ``engine.limits`` in the model, the form and the database (check
    constraints), so a stored declaration is always one the engine's facts take."""

    class Kind(models.TextChoices):
        ACHIEVEMENT = "achievement", _("Achievement")
        FAULT = "fault", _("Fault")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        ACCEPTED = "accepted", _("Verified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    year = models.ForeignKey(Year, models.PROTECT, related_name="declarations")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="declarations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    award = models.CharField(
        _("award"), max_length=limits.REF_MAX, blank=True, validators=[line_validator]
    )
    level = models.CharField(
        _("level"), max_length=limits.REF_MAX, blank=True, validators=[line_validator]
    )
    content = models.CharField(
        _("content"), max_length=limits.REF_MAX, blank=True, validators=[line_validator]
    )
    document_no = models.CharField(
        _("document number"), max_length=limits.LINE_MAX, blank=True, validators=[line_validator]
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    fault_type = models.CharField(
        _("fault type"), max_length=limits.REF_MAX, blank=True, validators=[line_validator]
    )
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    occurrences = models.PositiveIntegerField(
        _("occurrences"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(limits.OCCURRENCES_MAX)],
    )
    description = models.TextField(
        _("description"), validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator]
    )
    declared = models.BooleanField(_("declared by the unit"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    decision_reason = models.TextField(
        _("reason"), blank=True, validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # optimistic locking: every change adds one; a decision or withdrawal names the version
    # it was based on, and a stale one is refused with the newer state, who and when
    version = models.PositiveIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["unit", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_length_at_most("content", limits.REF_MAX),
                name="declaration_content_bounded",
            ),
            models.CheckConstraint(
                condition=_length_at_most("document_no", limits.LINE_MAX),
                name="declaration_document_bounded",
            ),
            models.CheckConstraint(
                condition=_length_at_most("description", limits.TEXT_MAX),
                name="declaration_description_bounded",
            ),
            models.CheckConstraint(
                condition=_length_at_most("decision_reason", limits.TEXT_MAX),
                name="declaration_reason_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(occurrences__gte=1)
                & models.Q(occurrences__lte=limits.OCCURRENCES_MAX),
                name="declaration_occurrences_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} #{self.pk}"


class Evidence(models.Model):
    """An uploaded evidence file, stored outside the static root under a generated name;
    its SHA-256 is checked again on every download."""

    declaration = models.ForeignKey(Declaration, models.PROTECT, related_name="evidence")
    stored_name = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(
        _("file name"), max_length=limits.LINE_MAX, validators=[line_validator]
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Evaluation(models.Model):
    """The recognition evaluation (公认度评价) of a year."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.OneToOneField(Year, models.PROTECT, related_name="evaluation")
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # per rater group, the printing of its code list: {"printed_at", "reprints", "reprinted_at"}
    code_lists = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("recognition evaluation")
        verbose_name_plural = _("recognition evaluations")

    def __str__(self) -> str:
        return f"{self.year.year}"


class BallotCode(models.Model):
    """A single-use ballot code for one rater of one group. Ballots are kept only as tallies,
    so a cast ballot cannot be traced back to its code."""

    evaluation = models.ForeignKey(Evaluation, models.PROTECT, related_name="codes")
    group = models.CharField(_("rater group"), max_length=64)
    code = models.CharField(_("code"), max_length=32, unique=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # once printed (or downloaded) a code is no longer shown, except by an audited reprint
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")
        ordering = ["group", "id"]

    def __str__(self) -> str:
        return self.code


class Tally(models.Model):
    """Counted ballots: for one unit, group and option, how many raters chose it."""

    evaluation = models.ForeignKey(Evaluation, models.PROTECT, related_name="tallies")
    unit = models.ForeignKey(Unit, models.PROTECT)
    group = models.CharField(max_length=64)
    option = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "unit", "group", "option"], name="one_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.group} {self.option}: {self.count}"


class Objection(models.Model):
    """A unit's objection during the notice period, and the office's answer."""

    year = models.ForeignKey(Year, models.PROTECT, related_name="objections")
    unit = models.ForeignKey(Unit, models.PROTECT)
    text = models.TextField(_("objection"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.unit} #{self.pk}"


class VetoConfirmation(models.Model):
    """The second confirmation a veto-level fault waits for (SPEC §11): the verified or
    recorded fault vetoes the unit only once someone other than the office user who verified
    or recorded it has confirmed it; refused, the fault does not stand."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    declaration = models.OneToOneField(
        Declaration, models.PROTECT, related_name="veto_confirmation"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    requested_at = models.DateTimeField(_("entered"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        validators=[MaxLengthValidator(limits.TEXT_MAX), text_validator],
    )

    class Meta:
        verbose_name = _("veto confirmation")
        verbose_name_plural = _("veto confirmations")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration} {self.get_status_display()}"
