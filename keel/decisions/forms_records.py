"""Typed input at the edge: cost and value items, events and conflicts.

The cost and value checks are the services' own (`cost_problems`, `value_problems`), shown next to
the field they concern. Choices are built in __init__, inside the request's workspace scope.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from keel.common.periods import read_number
from keel.common.text import ReadError
from keel.common.widgets import DateInput
from keel.decisions.models import (
    Confidence,
    ConflictOutcome,
    CostKind,
    EventKind,
    Severity,
)
from keel.decisions.services.costs import cost_problems, value_problems
from keel.register.models import Level, Organisation
from keel.register.pickers import PersonField

# What a CostItem or a ValueItem amount holds: 12 digits, 2 of them after the point.
MONEY_LIMIT = Decimal("1e10")


class MoneyField(forms.CharField):
    """Pounds as people write them: 1200, 1,200.50, £1,200. Pence beyond two places are refused, not rounded."""

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = read_number(text, 12)
        except ReadError as error:
            raise forms.ValidationError(str(error)) from error
        if number != number.quantize(Decimal("0.01")):
            raise forms.ValidationError(f"{text!r} has more than two decimal places: give pounds and pence.")
        if abs(number) >= MONEY_LIMIT:
            raise forms.ValidationError(f"{text!r} is more than Keel keeps (under £10,000,000,000).")
        return number.quantize(Decimal("0.01"))


class HoursField(MoneyField):
    """Hours in the year, to two places: 12, 7.5, 1,200."""

    def prepare_value(self, value):
        return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _show(form: forms.Form, problems: dict[str, str]) -> None:
    for field, message in problems.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, message)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The year the figures are for.")
        kwargs.setdefault(
            "error_messages", {"required": "Give the year the figures are for.", "invalid": "Give a year, e.g. 2026."}
        )
        super().__init__(**kwargs)


class CostItemForm(forms.Form):
    year = YearField()
    kind = forms.ChoiceField(label="Kind of cost", choices=CostKind.choices, initial=CostKind.STAFF_TIME)
    level = forms.ChoiceField(
        label="Role",
        choices=[("", "Not staff time"), *Level.choices],
        required=False,
        help_text="For staff time: the role whose hourly rate (a workspace setting) prices the hours.",
    )
    hours = HoursField(required=False, help_text="For staff time: the hours spent in the year.")
    amount = MoneyField(
        label="Amount (£)", required=False, help_text="For money given or in kind: its worth in pounds."
    )
    description = forms.CharField(max_length=300, required=False, help_text="e.g. 'Chairing the steering group'.")

    def __init__(self, *args, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.this_year = this_year

    def clean(self):
        data = super().clean()
        problems = cost_problems(
            data.get("kind", ""),
            data.get("level", ""),
            data.get("hours"),
            data.get("amount"),
            data.get("year"),
            self.this_year,
        )
        _show(self, problems)  # a field that already has an error keeps it
        return data


class ValueItemForm(forms.Form):
    year = YearField()
    amount = MoneyField(
        label="Value (£)",
        error_messages={"required": "Give the value in pounds, as estimated."},
        help_text="What the partnership produced that year, estimated in money.",
    )
    description = forms.CharField(
        max_length=300, required=False, help_text="What the value is, e.g. 'Admissions avoided'."
    )
    basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say how the value was estimated, e.g. '40 admissions avoided × £2,500'."},
        help_text="How the value was estimated, e.g. '40 admissions avoided × £2,500'.",
    )
    confidence = forms.ChoiceField(
        choices=Confidence.choices,
        initial=Confidence.MEDIUM,
        help_text="How sure we are of the estimate.",
    )

    def __init__(self, *args, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.this_year = this_year

    def clean(self):
        data = super().clean()
        _show(self, value_problems(data.get("amount"), data.get("basis", ""), data.get("year"), self.this_year))
        return data


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=EventKind.choices)
    date = forms.DateField(widget=DateInput(), error_messages={"required": "Give the date it happened."})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    early_review = forms.BooleanField(
        label="It calls for an early review",
        required=False,
        help_text="Brings the partnership's next review forward to the event's date.",
    )


class PartiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ConflictForm(forms.Form):
    raised_on = forms.DateField(
        label="Raised on", widget=DateInput(), error_messages={"required": "Give the date the conflict was raised."}
    )
    raised_by = PersonField(required=False, label="Raised by", help_text="Who raised it: a person in the register.")
    parties = PartiesField(
        label="Between",
        queryset=Organisation.all_workspaces.none(),  # the partnership's members, set in __init__
        error_messages={"required": "Choose at least one member organisation the conflict is with."},
        help_text="The member organisations the conflict is with: one when a partner is at odds with the rest of "
        "the partnership, two or more when partners are at odds with each other.",
    )
    about = forms.CharField(
        label="About",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the conflict is about."},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by(
            "name_key"
        )


class ConflictStepForm(forms.Form):
    date = forms.DateField(widget=DateInput(), error_messages={"required": "Give the date of the step."})
    description = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was done at this step."},
        help_text="e.g. 'Leads met as the process's first step; agreed to share the waiting list weekly'.",
    )


class EscalateForm(forms.Form):
    person = PersonField(
        label="Neutral third party",
        error_messages={"required": "Name the neutral third party: a person in the register."},
        help_text="Someone outside the parties and the partnership's members. Type a name, then choose.",
    )
    date = forms.DateField(
        label="Escalated on", widget=DateInput(), error_messages={"required": "Give the date it was escalated."}
    )


class CloseConflictForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(ConflictOutcome.RESOLVED, "Resolved"), (ConflictOutcome.NOT_RESOLVED, "Could not be resolved")],
        error_messages={"required": "Say whether it was resolved or could not be resolved."},
    )
    closed_on = forms.DateField(
        label="Closed on", widget=DateInput(), error_messages={"required": "Give the date it was closed."}
    )
    resolution = forms.CharField(
        label="How it was resolved, or why it could not be",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how it was resolved, or why it could not be."},
    )
