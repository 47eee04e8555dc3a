"""Typed input at the edge: the forms that add and change actions.

Querysets and choices are built in __init__, inside the request's workspace scope, so nothing
of another workspace can be offered or chosen.
"""

from __future__ import annotations

from django import forms

from keel.actions import sources
from keel.actions.models import Action, ActionStatus
from keel.common.widgets import DateInput
from keel.register.models import Partnership
from keel.register.pickers import PersonField, find_partnership

# Up to this many partnerships are offered as a select list; beyond it the name is typed.
SELECT_LIMIT = 300


NOT_FOUND = (
    "(archived ones take no new actions). Check the spelling, or leave it empty for an action of no partnership."
)


class PartnershipField(forms.CharField):
    """One live partnership, or none: a select list in a small register, a typed name in a large one."""

    def offer(self) -> None:
        live = Partnership.objects.filter(archived_at__isnull=True)
        if live.count() < SELECT_LIMIT:
            names = live.order_by("name_key").values_list("pk", "name")
            self.widget = forms.Select(choices=[("", "None: not a partnership's action"), *names])
        else:
            self.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
            self.help_text = "Type the partnership's name (or enough of it to be unique), or leave it empty."

    def prepare_value(self, value):
        if isinstance(value, Partnership):
            return value.name if isinstance(self.widget, forms.TextInput) else str(value.pk)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return find_partnership(text, NOT_FOUND) if text else None


class ActionForm(forms.ModelForm):
    """The fields a person edits: title, owner, due date, status, steps and notes."""

    owner = PersonField(help_text="Who will do it. Type a name or an e-mail, then choose from the suggestions.")

    class Meta:
        model = Action
        fields = ["title", "owner", "due", "status", "steps", "notes"]
        widgets = {
            "due": DateInput(),
            "steps": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"due": "Due date", "steps": "Steps"}
        help_texts = {"steps": "One step per line."}


class NewActionForm(ActionForm):
    """A new action: also its partnership, and (hidden) the meeting it came from, if any."""

    partnership = PartnershipField(required=False)
    source = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    source_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta(ActionForm.Meta):
        fields = ["title", "owner", "due", "steps", "notes"]

    field_order = ["title", "partnership", "owner", "due", "steps", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].offer()
        self.fields["source"].choices = [("", ""), *((source, "") for source in sources.choosable())]

    def clean(self):
        data = super().clean()
        if data.get("source"):
            data["source_record"] = sources.find_source(data["source"], data.get("source_id"), data.get("partnership"))
        elif data.get("source_id"):
            raise forms.ValidationError("An action comes from a meeting here, or from nothing: the source is unknown.")
        return data


STATUS_FILTERS = {
    "open": ("Open and in progress", [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
    "done": ("Done", [ActionStatus.DONE]),
    "dropped": ("Dropped", [ActionStatus.DROPPED]),
    "all": ("All", None),
}
