"""What a partnership does: meetings with attendance, contacts, referrals, relationship ratings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from keel.core.tenancy import WorkspaceOwned


class MeetingKind(models.TextChoices):
    PARTNERSHIP = "partnership", "Partnership meeting"
    STEERING = "steering_group", "Steering group or board"
    OPERATIONAL = "operational", "Operational meeting"
    WORKSHOP = "workshop", "Workshop or event"
    REVIEW = "review", "Review meeting"
    OTHER = "other", "Other"


class Meeting(WorkspaceOwned):
    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.PARTNERSHIP)
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "-date"], name="meeting_by_partnership")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("activity:meeting", kwargs={"ws": self.workspace.slug, "pk": self.pk})


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class Attendance(WorkspaceOwned):
    """One member organisation at one meeting: attended, sent apologies or absent, and who came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey("register.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    who = models.CharField(max_length=300, blank=True, help_text="The names of those who came")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "meeting", "organisation"], name="attendance_once")]
        indexes = [models.Index(fields=["workspace", "organisation"], name="attendance_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"


class Channel(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    VISIT = "visit", "Visit"


class Contact(WorkspaceOwned):
    """A logged contact with a partner: when, how, with whom, and what about."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.CALL)
    organisation = models.ForeignKey(
        "register.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="with"
    )
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "partnership", "-date"], name="contact_by_partnership"),
            models.Index(fields=["workspace", "organisation", "-date"], name="contact_by_organisation"),
            # Each member's latest contact, for the conditions of a 5 across the portfolio, read from the index alone.
            models.Index(fields=["workspace", "partnership", "organisation", "date"], name="contact_by_member"),
        ]

    def __str__(self) -> str:
        with_whom = self.person or self.organisation or "the partnership"
        return f"{self.get_channel_display()} with {with_whom}, {self.date:%d/%m/%Y}"


class ReferralOutcome(models.TextChoices):
    RECEIVED = "received", "Service received"
    DECLINED = "declined", "Declined"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    LOST = "lost", "Lost to follow-up"
    UNKNOWN = "unknown", "Unknown"


class Referral(WorkspaceOwned):
    """A client referred from one member organisation to another, under a pseudonymous reference."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "register.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="from"
    )
    to_organisation = models.ForeignKey(
        "register.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="to"
    )
    date = models.DateField()
    client_reference = models.CharField(max_length=40, help_text="Your own pseudonymous code, never personal data")
    handoff_to = models.ForeignKey(
        "register.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="warm handoff to",
        help_text="The named contact who received the referral",
    )
    follow_up_due = models.DateField("follow-up due")
    outcome = models.CharField(max_length=15, choices=ReferralOutcome.choices, blank=True)
    service_date = models.DateField("date of service", null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "partnership", "-date"], name="referral_by_partnership"),
            models.Index(fields=["workspace", "to_organisation"], name="referral_to"),
            models.Index(fields=["workspace", "from_organisation"], name="referral_from"),
            # Each member's latest referral either way, read from the index alone (keel audit, the audit page).
            models.Index(fields=["workspace", "partnership", "from_organisation", "date"], name="referral_from_member"),
            models.Index(fields=["workspace", "partnership", "to_organisation", "date"], name="referral_to_member"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.client_reference}: {self.from_organisation} to {self.to_organisation}"

    @property
    def outcome_label(self) -> str:
        return self.get_outcome_display() if self.outcome else "Awaiting outcome"


class RelationshipRating(WorkspaceOwned):
    """A partner relationship rated 1–5, with the date, who rated, and the three conditions then."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="ratings")
    organisation = models.ForeignKey("register.Organisation", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    date = models.DateField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    rater = models.CharField("rated by", max_length=150, blank=True)
    note = models.TextField(blank=True)
    conditions = models.JSONField(default=dict, blank=True)  # {contact, communication, referrals} when rated
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5")]
        indexes = [
            models.Index(fields=["workspace", "partnership", "organisation", "-date"], name="rating_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} rated {self.score}, {self.date:%d/%m/%Y}"
