"""Actions: commitments with an owner and a due date, whatever they came from.

One model for all of them. An action names what it came from (`source`, and the record's id
in `source_id`): a relationship rating, a meeting, and in later work a review, a conflict or a
dissolution step.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from keel.core.tenancy import WorkspaceOwned


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Source(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    RATING = "rating", "A relationship rating"
    MEETING = "meeting", "A meeting"
    REVIEW = "review", "A review"
    CONFLICT = "conflict", "A conflict"
    DISSOLUTION = "dissolution", "A dissolution step"
    INDICATOR = "indicator", "An indicator off track"


class Action(WorkspaceOwned):
    title = models.CharField(max_length=200)
    partnership = models.ForeignKey(
        "register.Partnership", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    owner = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_id = models.BigIntegerField(null=True, blank=True)
    steps = models.TextField("suggested first steps", blank=True, help_text="One step per line")
    notes = models.TextField(blank=True)
    done_at = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "due"], name="action_due"),
            models.Index(fields=["workspace", "partnership", "status"], name="action_by_partnership"),
            models.Index(fields=["workspace", "owner", "status"], name="action_by_owner"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action", kwargs={"ws": self.workspace.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due < today

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]
