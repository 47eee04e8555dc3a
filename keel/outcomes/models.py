"""What a partnership is meant to achieve: indicators, and their measurements over time."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from keel.common.text import name_key
from keel.core.tenancy import WorkspaceOwned
from keel.outcomes.rules import Plan


class IndicatorKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    OUTPUT = "output", "Output"
    PROCESS = "process", "Process"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


# Values are kept to 4 decimal places, with up to 14 digits before the point.
VALUE_DIGITS = 18
VALUE_PLACES = 4


class Indicator(WorkspaceOwned):
    partnership = models.ForeignKey("register.Partnership", on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    kind = models.CharField(max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.OUTCOME)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, people, days, £")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    if_off_track = models.TextField(
        "if it goes off track, we will",
        blank=True,
        help_text="The decision or action this indicator informs. Only measure what you intend to act on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "partnership", "name_key"], name="indicator_name_unique")
        ]
        indexes = [models.Index(fields=["workspace", "partnership"], name="indicator_by_partnership")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcomes:indicator", kwargs={"ws": self.workspace.slug, "pk": self.pk})

    @property
    def plan(self):
        return Plan(self.direction, self.baseline, self.baseline_date, self.target, self.target_date)


class Measurement(WorkspaceOwned):
    """One value of an indicator for one period (the period's date: a day, a month's end, a quarter's)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField()
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "indicator", "period"], name="measurement_once_per_period")
        ]
        indexes = [models.Index(fields=["workspace", "indicator", "-period"], name="measurement_latest")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} on {self.period:%d/%m/%Y}"
