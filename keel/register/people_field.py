"""Choosing a person by typing: a name, an e-mail or "Name (Organisation)", with suggestions.

A workspace can hold tens of thousands of people, far too many for a select list, so forms
take the person as text, suggest matches as the user types (htmx fills a <datalist>), and
resolve the text to exactly one person, or say why they cannot.
"""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from keel.core.tenancy import current_workspace
from keel.register.models import Person
from keel.register.queries import find_people, label, living_people


class PersonInput(forms.TextInput):
    """A text input whose <datalist> of suggestions htmx refreshes as the user types."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id', name)}_suggestions"
        url = reverse("register:people_suggest", kwargs={"ws": current_workspace().slug})
        attrs.update(
            {
                "list": list_id,
                "hx-get": url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{list_id}",
                # Stated, not inherited: the inline-edit form around it swaps outerHTML.
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"field": name}),
            }
        )
        field = super().render(name, value, attrs, renderer)
        return field + format_html('<datalist id="{}"></datalist>', list_id)


class PersonField(forms.CharField):
    """A person typed as a name, an e-mail or "Name (Organisation)"; cleans to a Person."""

    widget = PersonInput

    def __init__(self, *, organisation_id: int | None = None, **kwargs):
        kwargs.setdefault("help_text", "Type a name or an e-mail, then choose from the suggestions.")
        super().__init__(**kwargs)
        self.organisation_id = organisation_id

    def prepare_value(self, value):
        if isinstance(value, Person):
            return label(value)
        if isinstance(value, int):  # a ModelForm's initial value is the person's id
            person = living_people().filter(pk=value).first()
            return label(person) if person else ""
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        found = find_people(text, self.organisation_id)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                f"No one called {text!r} is in the register. Check the spelling, or add them under People first."
            )
        where = ", ".join(sorted({person.organisation.name for person in found}))
        raise forms.ValidationError(
            f"Several people match {text!r} (at {where}): choose one from the suggestions, or type their e-mail."
        )
