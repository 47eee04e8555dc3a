"""Typed input at the edge: the review form (keep criteria, dissolve circumstances, decision, improvements).

The checks a review must pass live in `keel.decisions.services.reviews.problems`, which the form
runs and the service runs again, so the page and the service refuse with the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from keel.activity.forms import InlineRadioSelect
from keel.common.widgets import DateInput
from keel.decisions.models import Answer, Criterion, Decision, ObjectivesMet
from keel.decisions.services.reviews import Given, Improvement, problems
from keel.register.pickers import PersonField

IMPROVEMENT_ROWS = 3


class ReviewForm(forms.Form):
    """A review: one answer and note per keep criterion, the circumstances that apply, the decision."""

    circumstances = forms.MultipleChoiceField(
        label="Circumstances that call for dissolving",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each that applies now. Keel's recommendation takes them into account from this review on.",
    )
    objectives_met = forms.ChoiceField(
        label="Were the partnership's objectives met?",
        choices=ObjectivesMet.choices,
        required=False,
        widget=InlineRadioSelect,
    )
    objectives_note = forms.CharField(label="Why, or why not", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, required=False, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons for the decision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the decision, next to what Keel recommended. Say so where you decide otherwise.",
    )
    next_review = forms.DateField(
        label="Next review",
        required=False,
        widget=DateInput(),
        help_text="Needed unless the partnership is to be dissolved or closed.",
    )

    def __init__(self, *args, keep: list[Criterion], dissolve: list[Criterion], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep, self.dissolve, self.today = keep, dissolve, today
        for criterion in keep:
            self.fields[f"keep_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text, choices=Answer.choices, required=False, widget=InlineRadioSelect
            )
            self.fields[f"keep_{criterion.pk}_note"] = forms.CharField(
                label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        circumstances = self.fields["circumstances"]
        assert isinstance(circumstances, forms.MultipleChoiceField)
        circumstances.choices = [(str(c.pk), c.text) for c in dissolve]
        for row in range(1, IMPROVEMENT_ROWS + 1):
            self.fields[f"action_{row}_title"] = forms.CharField(label="What", required=False, max_length=200)
            self.fields[f"action_{row}_owner"] = PersonField(label="Owner", required=False, help_text="")
            self.fields[f"action_{row}_due"] = forms.DateField(label="Due", required=False, widget=DateInput())

    # ------------------------------------------------------------------ rows the template walks

    def keep_rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"keep_{c.pk}"], self[f"keep_{c.pk}_note"]) for c in self.keep]

    def improvement_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"action_{row}_title"], self[f"action_{row}_owner"], self[f"action_{row}_due"])
            for row in range(1, IMPROVEMENT_ROWS + 1)
        ]

    @property
    def improvement_errors(self) -> list[str]:
        """The improvements' errors, shown together at the top of their fieldset."""
        return [str(m) for name, errors in self.errors.items() if name.startswith("action_") for m in errors]

    def summary(self) -> list[tuple[str, str]]:
        """Every error as (anchor, message), for the error summary at the top of the page."""
        found = [("", str(message)) for message in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            anchor = "improvements" if name.startswith("action_") else self[name].auto_id
            if isinstance(self.fields[name].widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                anchor = f"{anchor}_0"
            found.extend((anchor, str(message)) for message in errors)
        return found

    # ------------------------------------------------------------------ what the service takes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.answers = [
            Given(c, data[f"keep_{c.pk}"], data.get(f"keep_{c.pk}_note") or "")
            for c in self.keep
            if data.get(f"keep_{c.pk}")
        ]
        ticked = set(data.get("circumstances") or [])
        # Every circumstance is answered: ticked ones "yes", the others "no", so the review says both.
        self.answers += [Given(c, Answer.YES if str(c.pk) in ticked else Answer.NO) for c in self.dissolve]
        self.improvements = []
        for row in range(1, IMPROVEMENT_ROWS + 1):
            title, owner, due = (data.get(f"action_{row}_{part}") for part in ("title", "owner", "due"))
            if self.has_error(f"action_{row}_owner") or self.has_error(f"action_{row}_due"):
                continue
            if title or owner or due:
                self.improvements.append(Improvement(title or "", due, owner))
        self.values = {key: data.get(key) for key in ("objectives_met", "objectives_note", "decision", "reasons")}
        self.values["next_review"] = data.get("next_review")
        for field, message in problems(self.values, self.answers, self.improvements, self.keep, self.today):
            self.add_error(self._field_for(field), message)
        return data

    def _field_for(self, field: str) -> str | None:
        if field == "actions":
            return "action_1_title"
        return field if field in self.fields else None

    def add_problems(self, found: list[tuple[str, str]]) -> None:
        """Problems the service found (when something changed between the form's check and the save)."""
        for field, message in found:
            self.add_error(self._field_for(field), message)
