"""Typed input at the edge: indicators and measurements.

Values and periods are read the way `keel import measurements` reads them, so "1,234", "45%"
and "£1,200" are numbers here too, and "March 2025" or "Q1 2025" is a period.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from keel.common.periods import read_period
from keel.common.text import ReadError
from keel.common.widgets import DateInput
from keel.outcomes.importers import read_value
from keel.outcomes.models import Direction, IndicatorKind


def plain_number(value: Decimal) -> str:
    """42.5000 as 42.5 and 1E+3 as 1000: a stored value as a person would type it."""
    return format(value.normalize(), "f")


class ValueField(forms.CharField):
    """A number typed as people write it: 1,234, 45%, £1,200, (12.5)."""

    def prepare_value(self, value):
        return plain_number(value) if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return read_value(text)
        except ReadError as error:
            raise forms.ValidationError(str(error)) from error


class PeriodField(forms.CharField):
    """A period typed as a date, a month or a quarter; a month or a quarter is read as its last day."""

    def prepare_value(self, value):
        return f"{value:%d/%m/%Y}" if hasattr(value, "strftime") else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return read_period(text)
        except ReadError as error:
            raise forms.ValidationError(str(error)) from error


class IndicatorForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Give the indicator a name, such as 'Carers supported'."}
    )
    kind = forms.ChoiceField(
        choices=IndicatorKind.choices,
        initial=IndicatorKind.OUTCOME,
        help_text="An outcome is a change for people (wait times, health, independence); an output is what the "
        "partnership produces (sessions run, people referred); a process is how it works (time to reply).",
    )
    unit = forms.CharField(max_length=40, required=False, help_text="e.g. %, people, days, £")
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.HIGHER)
    baseline = ValueField(required=False, help_text="Where the indicator stood at the start, e.g. 120, 45% or £1,200.")
    baseline_date = forms.DateField(required=False, widget=DateInput(), help_text="When the baseline was measured.")
    target = ValueField(required=False, help_text="Where the partnership means to get it.")
    target_date = forms.DateField(required=False, widget=DateInput(), help_text="When the target is due.")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is counted, where the figures come from, and who provides them.",
    )
    if_off_track = forms.CharField(
        label="If it goes off track, we will",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The decision or action this indicator informs, e.g. 'ask the steering group to add a weekly "
        "clinic'. Only measure what you intend to act on: when a measurement puts the indicator off track, Keel "
        "raises this as an action for the partnership lead. Without it, the indicator is listed for the next review.",
    )

    def clean(self):
        data = super().clean()
        # Said next to the field that is missing, before the service says it for the whole form.
        for value, date, word in (("baseline", "baseline_date", "baseline"), ("target", "target_date", "target")):
            if value in data and date in data and (data[value] is None) != (data[date] is None):
                if data[date] is None:
                    self.add_error(date, f"Give the {word}'s date too, or leave the {word} blank.")
                else:
                    self.add_error(value, f"Give the {word} too, or leave its date blank.")
        return data


class MeasurementForm(forms.Form):
    """One value for one period: a period already measured takes the new value."""

    period = PeriodField(
        help_text="A date (31/03/2025), a month (March 2025) or a quarter (Q1 2025); a month or a quarter is "
        "read as its last day.",
        error_messages={"required": "Give the period the value is for, such as March 2025."},
    )
    value = ValueField(help_text="A number, e.g. 42, 45% or £1,200.", error_messages={"required": "Give the value."})
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
