"""Typed input at the edge: a referral between two member organisations.

Choices are built in __init__ from the partnership's own members (and their people), inside the
request's workspace scope, so nothing of another partnership or workspace can be chosen.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from keel.activity import rules
from keel.activity.models import ReferralOutcome
from keel.common.widgets import DateInput
from keel.register.models import Organisation, Partnership, Person

CLIENT_REFERENCE_HELP = (
    "Your own pseudonymous code for the person, such as C-1042: never an NHS number, an e-mail address, "
    "a phone number or a date of birth."
)


class GroupedPersonField(forms.ChoiceField):
    """A select of people grouped by organisation (<optgroup>); cleans to a Person or None."""

    def __init__(self, people, blank: str, **kwargs):
        groups: dict[str, list[tuple[str, str]]] = {}
        for person in people:
            name = person.name + (f", {person.role}" if person.role else "")
            groups.setdefault(person.organisation.name, []).append((str(person.pk), name))
        self.people = {str(person.pk): person for person in people}
        super().__init__(choices=[("", blank), *groups.items()], **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, Person) else value

    def clean(self, value):
        value = super().clean(value)
        return self.people.get(value) if value else None


class ReferralForm(forms.Form):
    from_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        None,  # the partnership's members, set in __init__ (no workspace scope at import)
        label="From",
        empty_label="Choose the organisation making the referral",
        error_messages={"required": "Choose the member organisation that made the referral."},
    )
    to_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        None,  # the partnership's members, set in __init__ (no workspace scope at import)
        label="To",
        empty_label="Choose the organisation receiving it",
        error_messages={"required": "Choose the member organisation the person was referred to."},
    )
    date = forms.DateField(
        widget=DateInput(), help_text="The day the referral was made.", error_messages={"required": "Give the date."}
    )
    client_reference = forms.CharField(
        help_text=CLIENT_REFERENCE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": rules.client_reference_problem("") or ""},
    )
    follow_up_due = forms.DateField(
        label="Follow-up due",
        required=False,
        widget=DateInput(),
        help_text="When to check the person received the service. Leave blank for 14 days after the referral.",
    )
    outcome = forms.ChoiceField(
        choices=[("", "Awaiting outcome"), *ReferralOutcome.choices],
        required=False,
        help_text="Leave as awaiting outcome until you know; record it later by changing the referral.",
    )
    service_date = forms.DateField(
        label="Date of service",
        required=False,
        widget=DateInput(),
        help_text="The day the person received the service; a date here means the service was received.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["from_organisation", "to_organisation", "date", "client_reference", "handoff_to"]

    def __init__(self, *args, partnership: Partnership, current_handoff: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members = Organisation.objects.filter(memberships__partnership=partnership).order_by("name").distinct()
        for name in ("from_organisation", "to_organisation"):
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = members
        self.fields["date"].initial = timezone.localdate()
        current = Person.objects.filter(organisation__memberships__partnership=partnership, archived_at__isnull=True)
        people = list(current.select_related("organisation").order_by("organisation__name", "name").distinct())
        if current_handoff and current_handoff not in people:  # archived since, or moved: still shown
            people.append(current_handoff)
        self.fields["handoff_to"] = GroupedPersonField(
            people,
            "No one named",
            label="Warm handoff to",
            required=False,
            help_text="The person at the receiving organisation who took the referral, if it was handed over "
            "in person or by name.",
        )
        self.order_fields(self.field_order)

    def clean_client_reference(self):
        # The same rule the service applies, said here so the reason stands next to the field.
        text = " ".join(self.cleaned_data["client_reference"].split())
        if problem := rules.client_reference_problem(text):
            raise forms.ValidationError(problem)
        return text
