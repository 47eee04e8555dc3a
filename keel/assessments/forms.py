"""Typed input at the edge: the form that starts assessment rounds.

Choices are built in __init__, inside the request's workspace scope, so nothing of another
workspace can be offered or chosen.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django import forms
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from keel.assessments import services
from keel.assessments.models import Instrument
from keel.common.text import ReadError, read_date
from keel.register import queries as register_queries
from keel.register.models import Partnership, Status, Tier
from keel.register.pickers import find_partnership

# Up to this many partnerships are offered as a select list; beyond it the name is typed,
# because a list of thousands helps nobody (the register has no partnership picker to reuse).
SELECT_LIMIT = 300
WINDOW_DAYS = 21
ONE, MANY = "one", "many"


class DateTextField(forms.CharField):
    """A date typed as people write it: 31/03/2026 (day first, as in the UK), 2026-03-31, 31 March 2026."""

    def prepare_value(self, value):
        return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return read_date(text)
        except ReadError as error:
            raise forms.ValidationError(str(error)) from error


NOT_FOUND = "(archived ones cannot be assessed). Check the spelling, or add it under Partnerships first."


class PartnershipField(forms.CharField):
    """One live partnership: a select list in a small register, a typed name in a large one."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_name = False

    def offer(self, count: int) -> None:
        """Choose the widget by how many partnerships there are to choose from."""
        if count < SELECT_LIMIT:
            live = Partnership.objects.filter(archived_at__isnull=True).order_by("name_key")
            self.widget = forms.Select(choices=[("", "Choose a partnership")] + list(live.values_list("pk", "name")))
        else:
            self.by_name = True
            self.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
            self.help_text = "Type the partnership's name (or enough of it to be unique)."

    def prepare_value(self, value):
        if isinstance(value, Partnership):
            return value.name if self.by_name else str(value.pk)
        return value

    # The text is resolved by the form as it is built (it needs the partnership's people
    # before cleaning), so cleaning keeps it as typed.


def latest_instruments():
    """The latest version of each of the workspace's instruments."""
    newest = Instrument.objects.filter(key=OuterRef("key")).order_by("-version").values("version")[:1]
    return Instrument.objects.filter(version=Subquery(newest)).order_by("title")


def chosen_set(tier: str, status: str):
    """The partnerships of a "many in one step" choice, with the register list's own filters."""
    queryset, _ = register_queries.partnership_list({"tier": tier, "status": status})
    return queryset


class RoundForm(forms.Form):
    """Start a round for one partnership (with its invitees) or for a set of partnerships."""

    scope = forms.ChoiceField(
        choices=[(ONE, "One partnership"), (MANY, "Many partnerships")], required=False, widget=forms.HiddenInput
    )
    partnership = PartnershipField(required=False, label="Partnership")
    tier = forms.ChoiceField(choices=[("", "Any tier")] + Tier.choices, required=False, label="Tier")
    status = forms.ChoiceField(choices=Status.choices, required=False, label="Status")
    instrument: forms.ModelChoiceField[Instrument] = forms.ModelChoiceField(
        queryset=None, empty_label=None, label="Instrument"
    )
    opens_on = DateTextField(label="Opens on", help_text="Day first, e.g. 31/03/2026, or 2026-03-31.")
    closes_on = DateTextField(label="Closes on", help_text="Links stop working after this day.")
    title = forms.CharField(
        required=False, max_length=200, label="Title", help_text="Optional. Without one, the instrument and the month."
    )
    open_link = forms.BooleanField(
        required=False, label="Also make an open link: one link for everyone, e.g. for a newsletter or a meeting"
    )
    open_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label="Most answers through the open link",
        help_text="The open link stops taking answers after this many.",
    )
    send_now = forms.BooleanField(required=False, label="Send invitations by e-mail now")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = latest_instruments()
        self.fields["partnership"].offer(Partnership.objects.filter(archived_at__isnull=True).count())
        self.scope = self._raw("scope") if self._raw("scope") in (ONE, MANY) else ONE
        # The partnership chosen so far (not `self.partnership`: templates would find the field).
        self.chosen, self.partnership_error = None, ""
        self.people = []
        raw = self._raw("partnership")
        if self.scope == ONE and raw:
            try:
                self.chosen = raw if isinstance(raw, Partnership) else find_partnership(raw, NOT_FOUND)
            except forms.ValidationError as error:
                self.partnership_error = " ".join(error.messages)
            else:
                if not self.is_bound:  # shown as its name when typed, its id in a select list
                    self.initial["partnership"] = self.chosen
                self.people = sorted(
                    services.default_invitees(self.chosen),
                    key=lambda p: (p.organisation.name_key, p.name_key, p.pk),
                )

    def _raw(self, name):
        """A value as typed (bound) or as given (unbound), before cleaning."""
        if self.is_bound:
            return self.data.get(name)
        return self.initial.get(name, self.fields[name].initial)

    # What the template shows --------------------------------------------------------------

    @property
    def invitee_groups(self):
        """The partnership's people grouped by organisation, each with whether it is ticked."""
        if self.is_bound and self.data.get("invitees_for") == str(getattr(self.chosen, "pk", "")):
            ticked = set(self.data.getlist("invitees"))
        else:
            ticked = {str(p.pk) for p in self.people}
        rows = [(p, str(p.pk) in ticked) for p in self.people]
        return [(organisation, list(group)) for organisation, group in groupby(rows, key=lambda r: r[0].organisation)]

    def set_count(self) -> int:
        status = self._raw("status") or Status.ACTIVE
        return chosen_set(self._raw("tier") or "", status).count()

    # Checks ---------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        data["scope"] = self.scope
        if self.scope == ONE:
            self._clean_one(data)
        else:
            partnerships = list(chosen_set(data.get("tier") or "", data.get("status") or Status.ACTIVE))
            if not partnerships:
                self.add_error("status", "No live partnership has this tier and status: choose another set.")
            data["partnerships"] = partnerships
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date is before the opening date: choose one on or after it.")
        elif closes and closes < timezone.localdate():
            self.add_error("closes_on", "The closing date has passed: choose a date from today on.")
        if data.get("open_link") and not data.get("open_limit"):
            if "open_limit" not in self.errors:
                self.add_error("open_limit", "Give the open link a limit of answers, e.g. 50.")
        data["open_limit"] = (data.get("open_limit") or 0) if data.get("open_link") else 0
        return data

    def _clean_one(self, data):
        if self.partnership_error:
            self.add_error("partnership", self.partnership_error)
            return
        if self.chosen is None:
            self.add_error("partnership", "Choose the partnership to assess.")
            return
        data["partnership"] = self.chosen
        shown_for = self.data.get("invitees_for")
        if not shown_for:  # the list was never shown (no JavaScript): everyone, as by default
            data["invitees"] = None
            return
        if shown_for != str(self.chosen.pk):
            self.add_error(
                None,
                f"The people listed were those of another partnership; the list now shows {self.chosen}'s "
                "people, all ticked. Check it and start the round again.",
            )
            return
        ticked = set(self.data.getlist("invitees"))
        known = {str(p.pk) for p in self.people}
        if ticked - known:
            self.add_error(
                None,
                "Some of the people ticked no longer work at a member organisation: check the list again.",
            )
        data["invitees"] = [p for p in self.people if str(p.pk) in ticked]


class ClosingDateForm(forms.Form):
    closes_on = DateTextField(label="New closing date", help_text="For example 31/03/2027 (day first).")
