"""Deciding which partnerships to start, keep or end, and ending them well.

The words are DESIGN.md's: criteria (the workspace's checklists), cost and value, events,
conflicts, reviews (checkpoints), recommendations and dissolution. The recommendation itself is
computed, not stored (`keel.decisions.rules`); a review keeps the one Keel gave at the time next
to the person's decision.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.tenancy import WorkspaceOwned
from keel.decisions.rules import RECOMMENDATION_LABELS, Recommend


class DecisionSettings(WorkspaceOwned):
    """A workspace's thresholds for recommendations and its hourly rates: one row per workspace."""

    rate_executive = models.DecimalField(
        "hourly rate: executive (£)", max_digits=12, decimal_places=2, default=Decimal("90.00")
    )
    rate_senior_manager = models.DecimalField(
        "hourly rate: senior manager (£)", max_digits=12, decimal_places=2, default=Decimal("65.00")
    )
    rate_manager = models.DecimalField(
        "hourly rate: manager (£)", max_digits=12, decimal_places=2, default=Decimal("45.00")
    )
    rate_frontline = models.DecimalField(
        "hourly rate: frontline (£)", max_digits=12, decimal_places=2, default=Decimal("30.00")
    )
    invest_return = models.DecimalField(
        "keep and invest from a return of",
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(0)],
        help_text="A healthy, aligned partnership with outcomes on track and at least this return (value ÷ cost).",
    )
    dissolve_return = models.DecimalField(
        "costs more than it produces below a return of",
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0)],
    )
    maturity_months = models.PositiveSmallIntegerField(
        "time to mature (months)",
        default=12,
        validators=[MaxValueValidator(120)],
        help_text="Younger partnerships are never recommended for dissolution on scores alone.",
    )
    conflict_days = models.PositiveSmallIntegerField(
        "a conflict is irreconcilable after (days unresolved)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    evidence_months = models.PositiveSmallIntegerField(
        "measure first without an assessment in (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    event_months = models.PositiveSmallIntegerField(
        "events count for (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Events older than this no longer count as a dissolve circumstance.",
    )

    class Meta:
        verbose_name_plural = "decision settings"
        constraints = [models.UniqueConstraint(fields=["workspace"], name="decision_settings_once")]

    def __str__(self) -> str:
        return "Decision settings"


class ChecklistKind(models.TextChoices):
    START = "start", "Qualities needed to start"
    KEEP = "keep", "Conditions to keep working together"
    DISSOLVE = "dissolve", "Circumstances that call for dissolving"
    ENDING = "ending", "Steps of a dissolution"


class Criterion(WorkspaceOwned):
    """One item of one of the workspace's checklists. Retired items stay for the answers given under them."""

    kind = models.CharField(max_length=10, choices=ChecklistKind.choices)
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # What a dissolve circumstance means to the rules (e.g. "irreconcilable_conflict"); blank for most.
    key = models.SlugField(max_length=40, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "position", "pk"]
        verbose_name_plural = "criteria"
        indexes = [models.Index(fields=["workspace", "kind", "position"], name="criterion_order")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class StartDecision(WorkspaceOwned):
    """A proposed partnership started: who decided, when and why."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="starts")
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_by_name = models.CharField(max_length=150, blank=True)
    reasons = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership"], name="start_by_partnership")]

    def __str__(self) -> str:
        return f"{self.partnership} started on {self.decided_on}"


class ObjectivesMet(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Decision(models.TextChoices):
    """What a person decides at a review: DESIGN.md's recommendations, less "measure first"."""

    KEEP_AND_INVEST = Recommend.KEEP_AND_INVEST.value, RECOMMENDATION_LABELS[Recommend.KEEP_AND_INVEST]
    KEEP = Recommend.KEEP.value, RECOMMENDATION_LABELS[Recommend.KEEP]
    IMPROVE = Recommend.IMPROVE.value, RECOMMENDATION_LABELS[Recommend.IMPROVE]
    MEDIATE = Recommend.MEDIATE.value, RECOMMENDATION_LABELS[Recommend.MEDIATE]
    DOWNGRADE = Recommend.DOWNGRADE.value, RECOMMENDATION_LABELS[Recommend.DOWNGRADE]
    DISSOLVE = Recommend.DISSOLVE.value, RECOMMENDATION_LABELS[Recommend.DISSOLVE]
    CELEBRATE_AND_CLOSE = Recommend.CELEBRATE_AND_CLOSE.value, RECOMMENDATION_LABELS[Recommend.CELEBRATE_AND_CLOSE]


class Review(WorkspaceOwned):
    """A checkpoint held: the keep criteria answered, the objectives, a decision and the next review."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reviewer_name = models.CharField(max_length=150, blank=True)
    objectives_met = models.CharField(max_length=6, choices=ObjectivesMet.choices, blank=True)
    objectives_note = models.TextField("why, or why not", blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField()
    next_review = models.DateField(null=True, blank=True)
    # Keel's recommendation when the review was held: its code and [{rule, text, figures}].
    recommendation = models.CharField(max_length=20, blank=True)
    recommendation_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "-held_on"], name="review_by_partnership")]

    def __str__(self) -> str:
        return f"Review of {self.partnership} on {self.held_on}"


class CriterionAnswer(WorkspaceOwned):
    """An answer to one checklist item, with the item's wording as it was when answered."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    kind = models.CharField(max_length=10, choices=ChecklistKind.choices)
    key = models.SlugField(max_length=40, blank=True)
    wording = models.CharField(max_length=300)
    answer = models.CharField(max_length=6, choices=Answer.choices)
    note = models.TextField(blank=True)
    start = models.ForeignKey(StartDecision, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "kind"], name="answer_by_partnership")]

    def __str__(self) -> str:
        return f"{self.wording}: {self.get_answer_display()}"


class CostKind(models.TextChoices):
    STAFF_TIME = "staff_time", "Staff time"
    MONEY = "money", "Money given"
    IN_KIND = "in_kind", "In kind"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CostItem(WorkspaceOwned):
    """What we put into a partnership in one year: staff hours at a role's rate, money or in-kind."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="costs")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    kind = models.CharField(max_length=10, choices=CostKind.choices)
    level = models.CharField("role", max_length=20, blank=True)  # register.Level, for staff time
    hours = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("amount (£)", max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind", "pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "year"], name="cost_by_partnership")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.description}"


class ValueItem(WorkspaceOwned):
    """Value a partnership produced in one year, in money terms, with its basis and our confidence."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    amount = models.DecimalField("amount (£)", max_digits=12, decimal_places=2)
    description = models.CharField(max_length=300, blank=True)
    basis = models.TextField(help_text="How the value was estimated, e.g. '40 admissions avoided × £2,500'")
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.MEDIUM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "year"], name="value_by_partnership")]

    def __str__(self) -> str:
        return f"Value {self.year}: {self.description}"


class EventKind(models.TextChoices):
    FUNDING_WITHDRAWN = "funding_withdrawn", "Funding withdrawn"
    INSPECTION = "inspection", "Inspection outcome"
    POLICY_CHANGE = "policy_change", "National policy change"
    KEY_PERSON_LEFT = "key_person_left", "Key person left"
    BREACH_OF_TRUST = "breach_of_trust", "Breach of trust"
    INFORMATION_WITHHELD = "information_withheld", "Information withheld"
    UNILATERAL_DECISION = "unilateral_decision", "Unilateral decision"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Event(WorkspaceOwned):
    """What happened to a partnership, and whether it calls for an early review."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    date = models.DateField()
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=6, choices=Severity.choices, default=Severity.MEDIUM)
    early_review = models.BooleanField("calls for an early review", default=False)
    key_person_change = models.ForeignKey(
        "register.KeyPersonChange", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "-date"], name="event_by_partnership")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class ConflictOutcome(models.TextChoices):
    OPEN = "open", "Not resolved yet"
    RESOLVED = "resolved", "Resolved"
    NOT_RESOLVED = "not_resolved", "Could not be resolved"


class Conflict(WorkspaceOwned):
    """A disagreement raised, worked through the agreed process, escalated where needed, resolved or not."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="conflicts")
    raised_on = models.DateField()
    raised_by = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    about = models.TextField()
    escalated_to = models.ForeignKey(
        "register.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="neutral third party",
    )
    escalated_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=ConflictOutcome.choices, default=ConflictOutcome.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    resolution = models.TextField("how it was resolved, or why not", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "outcome"], name="conflict_by_partnership")]

    def __str__(self) -> str:
        return f"Conflict raised on {self.raised_on}"

    @property
    def is_open(self) -> bool:
        return self.outcome == ConflictOutcome.OPEN


class ConflictParty(WorkspaceOwned):
    """One organisation a conflict is between."""

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey("register.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "conflict", "organisation"], name="conflict_party_once")
        ]


class ConflictStep(WorkspaceOwned):
    """One dated step of the partnership's agreed process, taken on a conflict."""

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="steps")
    date = models.DateField()
    description = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]


class DissolutionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Dissolution(WorkspaceOwned):
    """Ending a partnership respectfully: a checklist run to the end."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="dissolutions")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_on = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=DissolutionStatus.choices, default=DissolutionStatus.IN_PROGRESS)
    end_date = models.DateField("end date agreed with partners", null=True, blank=True)
    achievements = models.TextField("what we achieved together", blank=True)
    lessons = models.TextField("lessons learned", blank=True)
    reallocated_to = models.TextField("resources reallocated to", blank=True)
    keep_in_touch_days = models.PositiveSmallIntegerField(
        "keep in touch every (days)", default=90, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "status"], name="dissolution_by_partnership")]

    def __str__(self) -> str:
        return f"Dissolution of {self.partnership}"


class DissolutionStep(WorkspaceOwned):
    """One step of a dissolution: owned, due, done or explicitly waived with a reason."""

    dissolution = models.ForeignKey(Dissolution, on_delete=models.CASCADE, related_name="steps")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(default=0)
    wording = models.CharField(max_length=300)
    owner = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due = models.DateField(null=True, blank=True)
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_on = models.DateField(null=True, blank=True)
    waived_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.wording

    @property
    def is_settled(self) -> bool:
        return self.done_on is not None or bool(self.waived_reason)


class ClosingLetter(WorkspaceOwned):
    """A draft letter to one partner at the end, written by Keel from what is recorded, edited by a person."""

    dissolution = models.ForeignKey(Dissolution, on_delete=models.CASCADE, related_name="letters")
    organisation = models.ForeignKey("register.Organisation", on_delete=models.PROTECT, related_name="+")
    addressee = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "dissolution", "organisation"], name="letter_once_per_partner")
        ]

    def __str__(self) -> str:
        return f"Letter to {self.organisation}"
