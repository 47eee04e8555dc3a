"""Typed input for the decision settings and the checklists' items."""

from __future__ import annotations

from django import forms

from keel.decisions.models import ChecklistKind, Criterion, DecisionSettings

RATE_FIELDS = ["rate_executive", "rate_senior_manager", "rate_manager", "rate_frontline"]
THRESHOLD_FIELDS = [
    "invest_return",
    "dissolve_return",
    "maturity_months",
    "conflict_days",
    "evidence_months",
    "event_months",
]


class DecisionSettingsForm(forms.ModelForm):
    class Meta:
        model = DecisionSettings
        fields = RATE_FIELDS + THRESHOLD_FIELDS
        help_texts = {
            "dissolve_return": "Value ÷ cost below this counts as costing more than it produces.",
            "conflict_days": "An open conflict older than this counts as irreconcilable for the recommendation.",
            "evidence_months": "With no assessment in this time and no outcome measurements, Keel says measure first.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RATE_FIELDS:
            self.fields[name].widget.attrs["min"] = "0"
            self.fields[name].validators.append(_not_negative)

    def clean(self):
        data = super().clean()
        invest, dissolve = data.get("invest_return"), data.get("dissolve_return")
        if invest is not None and dissolve is not None and dissolve > invest:
            self.add_error(
                "dissolve_return",
                f"This is above the return of {invest} from which Keel says keep and invest: lower it, or raise that.",
            )
        return data

    @property
    def rates(self):
        return [self[name] for name in RATE_FIELDS]

    @property
    def thresholds(self):
        return [self[name] for name in THRESHOLD_FIELDS]


def _not_negative(value):
    if value is not None and value < 0:
        raise forms.ValidationError("An hourly rate cannot be below zero.")


class CriterionForm(forms.ModelForm):
    """An item's wording and guidance; which checklist it is on is chosen once, when it is added."""

    kind = forms.ChoiceField(label="Checklist", choices=ChecklistKind.choices)

    class Meta:
        model = Criterion
        fields = ["kind", "text", "guidance"]
        labels = {"text": "Wording", "guidance": "Guidance for whoever answers it"}
        widgets = {"text": forms.TextInput(), "guidance": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]
