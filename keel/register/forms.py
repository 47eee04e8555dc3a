"""Typed input at the edge: the register's forms.

Choice querysets are set in __init__, never at import, because the default managers only
work inside a workspace scope, and that is what confines every choice to the workspace.
"""

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from keel.common.text import ReadError, describe_months, read_cadence
from keel.common.widgets import DateInput
from keel.core.tenancy import current_workspace
from keel.register.models import (
    ALIGNMENT_LABELS,
    AgreedProcess,
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    Status,
    StrategicPriority,
)
from keel.register.pickers import OrganisationField, PartnersField, PersonField
from keel.register.queries import label, living_people


class CadenceField(forms.CharField):
    """A review cadence typed as words: '3 months', 'quarterly', 'annually'. Stored in months."""

    def prepare_value(self, value):
        return describe_months(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return read_cadence(value)
        except ReadError as error:
            raise forms.ValidationError(str(error)) from error


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return label(person)


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "sector", "type", "identifier", "website"]


class PersonForm(forms.ModelForm):
    organisation = OrganisationField()

    class Meta:
        model = Person
        fields = ["name", "email", "organisation", "role", "level"]


class PriorityForm(forms.ModelForm):
    class Meta:
        model = StrategicPriority
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def _page_url(name: str, pk: int) -> str:
    """A page of an app above the register, by its name only: the register imports nothing of them."""
    try:
        return reverse(name, kwargs={"ws": current_workspace().slug, "pk": pk})
    except NoReverseMatch:
        return ""


def _pointing_to(text: str, words: str, url: str):
    return format_html('{} <a href="{}">{}</a>.', text, url, words) if url else f"{text} {words} on its page."


def status_refusal(before: str | None, after: str, pk: int | None):
    """Why a person may not set this status from the register's forms, or None.

    A proposed partnership becomes active by being started (its start checklist answered and
    its end terms set), and a partnership ends through a dissolution decided at a review. Imports,
    the demo and the decisions' own services still set any status: they call save_partnership.
    """
    if after == before:
        return None
    if after in (Status.DISSOLVING, Status.ENDED):
        if pk is None:
            return (
                "A new partnership cannot be recorded as dissolving or ended here: record it as active, then end it "
                "from a review, or import partnerships that ended before Keel."
            )
        return _pointing_to(
            "A partnership is dissolved, and ends, from a review:",
            "Dissolve (from a review)",
            _page_url("portfolio:partnership_review", pk),
        )
    if pk is not None and before == Status.PROPOSED and after == Status.ACTIVE:
        return _pointing_to(
            "A proposed partnership becomes active when it is started, with its start checklist answered and its "
            "end terms set:",
            "Start this partnership",
            _page_url("decisions:partnership_start", pk),
        )
    return None


class PartnershipForm(forms.ModelForm):
    review_every_months = CadenceField(
        label="Review every", required=False, help_text="e.g. 3 months, quarterly, annually"
    )
    lead = PersonField(required=False)
    coordinator = PersonField(required=False, label="Independent coordinator")
    partners = PartnersField(
        required=False,
        help_text="At least two, unless the partnership is still proposed. Type each one's name.",
    )

    class Meta:
        model = Partnership
        fields = [
            "name",
            "purpose",
            "status",
            "tier",
            "formality",
            "basis",
            "start_date",
            "planned_end",
            "end_terms",
            "end_condition_met_on",
            "conflict_process",
            "review_every_months",
            "contact_every_days",
            "lead",
            "coordinator",
            "notes",
        ]
        widgets = {
            "start_date": DateInput(),
            "planned_end": DateInput(),
            "end_condition_met_on": DateInput(),
            "conflict_process": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "end_terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["name", "purpose", "partners", "status", "tier", "formality", "basis"]

    def __init__(self, *args, with_partners=False, only=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_every_days"].required = False
        self.fields["contact_every_days"].help_text = "Default 30. " + self.fields["contact_every_days"].help_text
        if not with_partners:
            del self.fields["partners"]
        if "status" in self.fields:
            self.fields["status"].help_text = (
                "A proposed partnership is started from its page; it ends through a dissolution decided at a review."
                if self.instance.pk
                else "Record a partnership that is already running as active; a new one is proposed until started."
            )
        if only:
            for name in list(self.fields):
                if name != only:
                    del self.fields[name]

    def clean_status(self):
        status = self.cleaned_data.get("status")
        # Before _post_clean, so the instance still holds the status as it was.
        refusal = status_refusal(self.instance.status if self.instance.pk else None, status, self.instance.pk)
        if refusal:
            raise forms.ValidationError(refusal)
        return status

    def clean_contact_every_days(self):
        # Left blank: the default, 30 days (or what it was, on an existing partnership).
        value = self.cleaned_data.get("contact_every_days")
        return value or self.instance.contact_every_days or 30

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", "The planned end is before the start date.")
        met = data.get("end_condition_met_on")
        if met and met > timezone.localdate():
            self.add_error("end_condition_met_on", "The end condition cannot be met on a day still to come.")
        if met and "end_terms" in self.fields and not (data.get("end_terms") or "").strip():
            self.add_error("end_condition_met_on", "Write the end condition that was met, in the end condition box.")
        if "partners" in self.fields and data.get("status") != Status.PROPOSED:
            if len(data.get("partners") or []) < 2:
                self.add_error("partners", "Choose at least two partner organisations, or set the status to proposed.")
        return data


class KnownSelect(forms.NullBooleanSelect):
    """Yes, no, or not known yet: what we know about a partner is never taken as "no"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not known yet"), ("true", "Yes"), ("false", "No")]


class MemberForm(forms.ModelForm):
    organisation = OrganisationField()
    contact = PersonField(required=False, label="Single point of contact")

    class Meta:
        model = PartnershipMember
        fields = [
            "organisation",
            "role",
            "contact",
            "since",
            "until",
            # What we know about this partner.
            "eligibility_known",
            "eligibility",
            "success_measures",
            "last_visit",
            "co_located",
        ]
        widgets = {
            "since": DateInput(),
            "until": DateInput(),
            "last_visit": DateInput(),
            "eligibility_known": KnownSelect(),
            "co_located": KnownSelect(),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "success_measures": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "eligibility": "Who their services are for, e.g. 'adults over 65 registered with a Northshire GP'.",
            "success_measures": "What they count as success, in their own terms.",
            "co_located": "Whether their services and ours work from the same place.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # One organisation's people are few enough for a select list.
            del self.fields["organisation"]
            self.fields["contact"] = PersonChoiceField(
                queryset=living_people(self.instance.organisation_id),
                required=False,
                label="Single point of contact",
            )

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        contact = data.get("contact")
        if contact and organisation and contact.organisation_id != organisation.pk:
            self.add_error("contact", f"{contact.name} works at {contact.organisation}, not {organisation}.")
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "'Until' is before 'since'.")
        if data.get("eligibility", "").strip() and data.get("eligibility_known") is not True:
            self.add_error(
                "eligibility_known",
                "You wrote their eligibility requirements: choose Yes, or clear what you wrote.",
            )
        if data.get("last_visit") and data["last_visit"] > timezone.localdate():
            self.add_error("last_visit", "The last in-person visit is in the future: give the date it took place.")
        return data


MAX_DOCUMENT_BYTES = 20 * 10**6


class ProcessForm(forms.ModelForm):
    link = forms.URLField(required=False, assume_scheme="https", help_text="Or upload the file below.")

    class Meta:
        model = AgreedProcess
        fields = ["title", "kind", "link", "file", "date"]
        widgets = {"date": DateInput()}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1e6:.1f} MB; documents can be at most {MAX_DOCUMENT_BYTES // 10**6} MB. "
                "Link to a large document instead."
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("link") and not data.get("file"):
            raise forms.ValidationError("Give the document a link or upload its file.")
        return data


ALIGNMENT_CHOICES = [("", "Not rated")] + [(str(k), f"{k} – {v}") for k, v in ALIGNMENT_LABELS.items()]


class AlignmentForm(forms.Form):
    """One select per priority: how well the partnership serves it."""

    def __init__(self, *args, priorities=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.priorities = list(priorities)
        for priority in self.priorities:
            self.fields[f"p{priority.pk}"] = forms.TypedChoiceField(
                label=priority.name,
                choices=ALIGNMENT_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(priority.pk, ""),
            )

    def scores(self):
        return [(p, self.cleaned_data.get(f"p{p.pk}")) for p in self.priorities]
