"""Typed input at the edge: meetings with attendance, contacts and relationship ratings.

Choices are built in __init__ from the partnership's own members, never at import, so a form
only ever offers (and accepts) organisations of the partnership in the current workspace.
"""

from __future__ import annotations

from django import forms

from keel.activity.models import AttendanceStatus, Channel, MeetingKind
from keel.common.widgets import DateInput
from keel.register.models import Organisation
from keel.register.pickers import PersonField

SCORE_LABELS = {1: "Poor", 2: "Weak", 3: "Fair", 4: "Good", 5: "Excellent"}


class InlineRadioSelect(forms.RadioSelect):
    """Radios side by side: a short set of choices read at a glance."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "choices-inline", **(attrs or {})}, choices)


class MeetingForm(forms.Form):
    """The meeting itself; its attendance is an AttendanceForm beside it."""

    date = forms.DateField(widget=DateInput())
    kind = forms.ChoiceField(choices=MeetingKind.choices, initial=MeetingKind.PARTNERSHIP)
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="What was agreed, one decision a line."
    )


class AttendanceForm(forms.Form):
    """One row per member organisation: attended / sent apologies / absent, and who came.

    `members` are PartnershipMember rows (with organisation and contact); `existing` maps an
    organisation id to its Attendance on the meeting being changed. A row with nothing recorded
    starts as "attended", with the organisation's single point of contact as who came.
    """

    def __init__(self, *args, members=(), existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.members = list(members)
        for member in self.members:
            key = member.organisation_id
            row = existing.get(key)
            self.fields[f"status_{key}"] = forms.ChoiceField(
                label=member.organisation.name,
                choices=AttendanceStatus.choices,
                widget=InlineRadioSelect,
                initial=row.status if row else AttendanceStatus.ATTENDED,
                error_messages={"required": f"Say whether {member.organisation.name} attended."},
            )
            self.fields[f"who_{key}"] = forms.CharField(
                label="Who came",
                required=False,
                max_length=300,
                initial=row.who if row else (member.contact.name if member.contact_id else ""),
            )

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "organisation": m.organisation,
                "status": self[f"status_{m.organisation_id}"],
                "who": self[f"who_{m.organisation_id}"],
            }
            for m in self.members
        ]

    def attendance(self) -> dict:
        """{organisation: (status, who)} for the service. Who came is kept only for those who attended."""
        result = {}
        for member in self.members:
            status = self.cleaned_data[f"status_{member.organisation_id}"]
            who = self.cleaned_data.get(f"who_{member.organisation_id}", "") if status == "attended" else ""
            result[member.organisation] = (status, who)
        return result


class MemberOrganisationField(forms.ModelChoiceField):
    def __init__(self, organisations, **kwargs):
        super().__init__(queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]), **kwargs)
        # The partnership's members are already loaded: list them without another query.
        self.choices = [("", self.empty_label)] + [(o.pk, o.name) for o in organisations]


class ContactForm(forms.Form):
    """A logged contact: quick to fill, most of it prefilled from the link that opened it."""

    date = forms.DateField(widget=DateInput())
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.CALL, widget=InlineRadioSelect)
    person = PersonField(
        label="With whom",
        required=False,
        help_text="Optional. Type a name or an e-mail, then choose from the suggestions.",
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["date", "channel", "organisation", "person", "summary"]

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = MemberOrganisationField(
            sorted(organisations, key=lambda o: o.name_key),
            required=False,
            empty_label="The partnership as a whole",
            help_text="Leave as the partnership as a whole for a contact with all the partners.",
        )
        self.order_fields(self.field_order)

    def values(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("date", "channel", "organisation", "person", "summary")}


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Rating",
        choices=[(score, f"{score} – {word}") for score, word in SCORE_LABELS.items()],
        coerce=int,
        widget=InlineRadioSelect,
        help_text="A 5 needs all three conditions above. A 1 or 2 creates an action to strengthen the relationship.",
        error_messages={"required": "Choose a rating from 1 (poor) to 5 (excellent)."},
    )
    date = forms.DateField(widget=DateInput())
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional: why this rating."
    )
