"""Typed input at the edge for dissolution: starting one, its own fields, each step, each closing letter."""

from __future__ import annotations

from django import forms

from keel.common.widgets import DateInput
from keel.decisions.models import ClosingLetter, Dissolution
from keel.register.pickers import PersonField


class StartForm(forms.Form):
    """Why the partnership is ending; the review it was decided at, when it came from one."""

    reason = forms.CharField(
        label="Why is the partnership ending?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the dissolution for the record. The closing letters do not quote it.",
        error_messages={"required": "Say why the partnership is ending: the reason is kept with the dissolution."},
    )
    review = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DissolutionForm(forms.ModelForm):
    """What the dissolution records besides its steps: they feed the closing letters."""

    class Meta:
        model = Dissolution
        fields = ["end_date", "achievements", "lessons", "reallocated_to", "keep_in_touch_days"]
        widgets = {
            "end_date": DateInput(),
            "achievements": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
            "reallocated_to": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "end_date": "Leave empty until it is agreed.",
            "achievements": "One per line. The closing letters thank partners for these.",
            "reallocated_to": "The time and money freed, and what they go to now.",
            "keep_in_touch_days": (
                "When the partnership ends it becomes a relationship, and this becomes its contact cadence."
            ),
        }
        error_messages = {
            "keep_in_touch_days": {
                "max_value": "Keep in touch at least once a year: use 365 days or fewer.",
                "min_value": "Use at least 1 day.",
            }
        }


class StepPlanForm(forms.Form):
    """Who owns a step and when it is due; its action follows."""

    owner = PersonField(required=False, help_text="Type a name or an e-mail, then choose from the suggestions.")
    due = forms.DateField(
        label="Due date", widget=DateInput(), error_messages={"required": "Give the step a due date."}
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WaiveForm(forms.Form):
    """Why a step does not apply: a step is waived only with a reason."""

    reason = forms.CharField(
        label="Why is this step waived?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this step is waived: a step is waived only with a reason."},
    )


class LetterForm(forms.ModelForm):
    """A closing letter as a person edits it before sending."""

    class Meta:
        model = ClosingLetter
        fields = ["addressee", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 22})}
        labels = {"addressee": "To", "body": "Letter"}
        help_texts = {"addressee": "The person at the partner organisation it is addressed to."}


class SentForm(forms.Form):
    sent_on = forms.DateField(
        label="Sent on", widget=DateInput(), error_messages={"required": "Give the date the letter was sent."}
    )
