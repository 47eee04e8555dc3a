"""Instruments, assessment rounds, invitations and responses (DESIGN.md: "Instrument",
"Assessment round", "Response").

Answers live on the response as a JSON object {item key: 1–5 or null}: a round is always
read whole to be scored, and 200,000 responses of 30 items would otherwise be six million rows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from keel.assessments.definitions import Definition
from keel.core.tenancy import WorkspaceOwned


class Instrument(WorkspaceOwned):
    """One version of a questionnaire definition. A version in use by a round is never changed."""

    key = models.CharField(max_length=60)  # the definition's id
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    definition = models.JSONField()  # Definition.to_data()
    builtin = models.BooleanField(default=False)  # shipped with Keel
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key", "version"], name="one_instrument_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def spec(self) -> Definition:
        cached = getattr(self, "_spec", None)
        if cached is None:
            cached = self._spec = Definition.from_data(self.definition)
        return cached


class AssessmentRound(WorkspaceOwned):
    """One instrument sent to the people of one partnership's member organisations in a time window."""

    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="rounds")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200, blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_early_at = models.DateTimeField(null=True, blank=True)
    # An open link: one link for everyone, up to `open_limit` responses (0 means no open link).
    open_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    open_limit = models.PositiveIntegerField(default=0)
    # Whole-round scores, refreshed by the services whenever a response is sent, so lists and
    # the audit read the latest health of thousands of partnerships without scoring them.
    summary = models.JSONField(default=dict, blank=True)
    response_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["workspace", "partnership", "-opens_on"], name="round_latest")]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="round_closes_after"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.instrument.title}, {self.opens_on:%B %Y}"

    @property
    def state(self) -> str:
        """ "scheduled", "open" or "closed", by today's date in Keel's time zone."""
        today = timezone.localdate()
        if self.closed_early_at is not None or today > self.closes_on:
            return "closed"
        if today < self.opens_on:
            return "scheduled"
        return "open"

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def has_open_link(self) -> bool:
        return bool(self.open_token_hash)

    @property
    def closes_at(self) -> dt.date:
        return self.closed_early_at.date() if self.closed_early_at else self.closes_on


class Invitation(WorkspaceOwned):
    """One private link to a round: for an invited person, or made when someone opens an open link."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL)
    # The organisation the answers speak for: the person's when invited, else chosen by the respondent.
    organisation = models.ForeignKey("register.Organisation", null=True, blank=True, on_delete=models.SET_NULL)
    via_open_link = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "round", "person"],
                condition=models.Q(person__isnull=False),
                name="one_invitation_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.person or 'an open-link respondent'} to {self.round_id}"


class InvitationLink(WorkspaceOwned):
    """One private link issued for an invitation: the first e-mail, a reminder, or a copied link.

    Only the sha256 of the token is kept, so the database alone cannot give anyone a link.
    Every link issued stays valid until the round closes: a reminder does not break the first e-mail.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the link was shown to someone who runs the round ("copy link"): whoever opens it
    # may not be the invitee, so its page says so and answers sent through it are marked.
    handed_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Link for invitation {self.invitation_id}"


class Response(WorkspaceOwned):
    """One person's answers and comments. It counts in the scores once sent (`submitted_at`)."""

    class Source(models.TextChoices):
        LINK = "link", "Private link"
        OPEN_LINK = "open", "Open link"
        IMPORT = "import", "Imported"

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    organisation = models.ForeignKey("register.Organisation", null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LINK)
    # What the person is still working on, saved as they go; copied to answers when sent.
    draft_answers = models.JSONField(default=dict, blank=True)
    draft_comments = models.JSONField(default=dict, blank=True)
    # sha256 of the secret in the cookie of the browser that saved the draft: the draft is shown
    # to that browser only, so someone else holding the same link never reads it.
    draft_browser = models.CharField(max_length=64, blank=True, default="")
    # Sent through a link that was handed over to someone who runs the round: maybe not by the invitee.
    entered_via_handover = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)  # {item key: 1–5 or null}
    comments = models.JSONField(default=dict, blank=True)  # {prompt key: text}
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "round", "submitted_at"], name="response_sent")]

    def __str__(self) -> str:
        return f"Response {self.pk} to round {self.round_id}"
