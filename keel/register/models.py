"""The partnership register: organisations, people, partnerships and what they hold."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from keel.common.text import describe_months, name_key
from keel.core.tenancy import WorkspaceOwned


class Level(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    MANAGER = "manager", "Manager"
    FRONTLINE = "frontline", "Frontline"


class Formality(models.TextChoices):
    FORMAL = "formal", "Formal"
    INFORMAL = "informal", "Informal"


class Basis(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    FUNDING_CONDITION = "funding_condition", "Funding condition"
    STATUTORY = "statutory", "Statutory / mandatory"
    CONTRACTUAL = "contractual", "Contractual"


class Tier(models.TextChoices):
    STRATEGIC = "strategic", "Strategic partnership"
    OPERATIONAL = "operational", "Operational partnership"
    RELATIONSHIP = "relationship", "Relationship"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    DISSOLVING = "dissolving", "Dissolving"
    ENDED = "ended", "Ended"


class ProcessKind(models.TextChoices):
    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
    DATA_SHARING = "data_sharing", "Data sharing agreement"
    REFERRAL_PATHWAY = "referral_pathway", "Referral pathway"
    CONFLICT_RESOLUTION = "conflict_resolution", "Conflict resolution process"
    OTHER = "other", "Other"


class Named(WorkspaceOwned):
    """A record matched by name within its workspace, ignoring case and repeated spaces."""

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Organisation(Named):
    """Any party: our own organisation(s) and partners."""

    sector = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=100, blank=True)
    identifier = models.CharField(
        max_length=100, blank=True, help_text="e.g. an NHS ODS code, a charity or company number"
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name_key"], name="organisation_name_unique")]
        indexes = [models.Index(fields=["workspace", "sector"], name="organisation_sector")]

    def get_absolute_url(self):
        return reverse("register:organisation", kwargs={"ws": self.workspace.slug, "pk": self.pk})


class Person(Named):
    """A contact at an organisation."""

    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    role = models.CharField("job title", max_length=200, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["workspace", "name_key"], name="person_name"),
            models.Index(fields=["workspace", "email"], name="person_email"),
        ]

    def get_absolute_url(self):
        return reverse("register:person", kwargs={"ws": self.workspace.slug, "pk": self.pk})


class StrategicPriority(Named):
    """One of a workspace's own strategic priorities."""

    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "strategic priorities"
        constraints = [models.UniqueConstraint(fields=["workspace", "name_key"], name="priority_name_unique")]

    def get_absolute_url(self):
        return reverse("register:priorities", kwargs={"ws": self.workspace.slug})


class Partnership(Named):
    """Two or more organisations working together towards a shared goal."""

    purpose = models.TextField(blank=True)
    formality = models.CharField(max_length=10, choices=Formality.choices, default=Formality.FORMAL)
    basis = models.CharField(max_length=20, choices=Basis.choices, default=Basis.VOLUNTARY)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.OPERATIONAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    end_terms = models.TextField(
        "end condition", blank=True, help_text="How and when the partnership is meant to end, if not by a date."
    )
    end_condition_met_on = models.DateField(
        "end condition met on", null=True, blank=True, help_text="When the end condition was recorded as met."
    )
    conflict_process = models.TextField(
        "conflict resolution process",
        blank=True,
        help_text="How the partners agreed to work through a conflict (or attach the document as an agreed process).",
    )
    review_every_months = models.PositiveSmallIntegerField(
        "review every (months)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    contact_every_days = models.PositiveSmallIntegerField(
        "contact at least every (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Communication is regular when a contact with the partners is logged within this many days.",
    )
    lead = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    coordinator = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="independent coordinator",
    )
    notes = models.TextField(blank=True)
    organisations = models.ManyToManyField(Organisation, through="PartnershipMember", related_name="partnerships")
    priorities = models.ManyToManyField(StrategicPriority, through="PriorityAlignment", related_name="partnerships")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name_key"], name="partnership_name_unique")]
        indexes = [
            models.Index(fields=["workspace", "status"], name="partnership_status"),
            models.Index(fields=["workspace", "tier"], name="partnership_tier"),
            models.Index(fields=["workspace", "basis"], name="partnership_basis"),
            models.Index(fields=["workspace", "lead"], name="partnership_lead"),
        ]

    def get_absolute_url(self):
        return reverse("portfolio:partnership", kwargs={"ws": self.workspace.slug, "pk": self.pk})

    @property
    def review_cadence(self) -> str:
        return describe_months(self.review_every_months)


class PartnershipMember(WorkspaceOwned):
    """An organisation's membership of a partnership, with its single point of contact."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. lead partner, host, member")
    contact = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for",
        verbose_name="single point of contact",
    )
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    # What we know about this partner (None: not known yet).
    eligibility_known = models.BooleanField("we know their eligibility requirements", null=True, blank=True)
    eligibility = models.TextField("their eligibility requirements", blank=True)
    success_measures = models.TextField("how they measure success", blank=True)
    last_visit = models.DateField("last in-person visit", null=True, blank=True)
    co_located = models.BooleanField("services co-located", null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "partnership", "organisation"], name="member_once_per_partnership"
            )
        ]
        indexes = [models.Index(fields=["workspace", "organisation"], name="member_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.partnership}"


class KeyPersonChange(WorkspaceOwned):
    """A member organisation's single point of contact changed: continuity is at risk when people move."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="key_person_changes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    before = models.CharField(max_length=200, blank=True)  # names, kept as they were
    after = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "-date"], name="key_person_by_partnership")]

    def __str__(self) -> str:
        if self.before and self.after:
            return f"{self.after} replaced {self.before} as single point of contact for {self.organisation}"
        if self.after:
            return f"{self.after} became single point of contact for {self.organisation}"
        return f"{self.organisation} no longer has a single point of contact (was {self.before})"


class PriorityAlignment(WorkspaceOwned):
    """How well a partnership serves one strategic priority: 0 (not at all) to 3 (strongly)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="alignments")
    priority = models.ForeignKey(StrategicPriority, on_delete=models.CASCADE, related_name="alignments")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(3)])

    class Meta:
        ordering = ["priority__name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "partnership", "priority"], name="alignment_once"),
            models.CheckConstraint(condition=models.Q(score__lte=3), name="alignment_score_0_3"),
        ]
        indexes = [models.Index(fields=["workspace", "priority"], name="alignment_priority")]

    def __str__(self) -> str:
        return f"{self.partnership} serves {self.priority}: {self.score}"


ALIGNMENT_LABELS = {0: "Not at all", 1: "A little", 2: "Well", 3: "Strongly"}


def upload_to(instance, filename):
    return f"workspace-{instance.workspace_id}/processes/{filename}"


class AgreedProcess(WorkspaceOwned):
    """A document the partners agreed: terms of reference, data sharing, referral pathway…"""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="processes")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ProcessKind.choices)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to=upload_to, blank=True)
    date = models.DateField(null=True, blank=True, help_text="When it was agreed")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = "agreed process"

    def __str__(self) -> str:
        return self.title
