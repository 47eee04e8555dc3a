"""Choosing people and organisations by typing, with suggestions, instead of long select lists.

A workspace can hold thousands of organisations and tens of thousands of people, too many
for a select list (and a multiple select needs Ctrl-click, which few people know). These
fields take a name as text, suggest matches as the user types (htmx fills a <datalist>),
and resolve the text to exactly one record, or say why they cannot.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from keel.common.text import name_key
from keel.common.widgets import SuggestInput, suggest_attrs
from keel.core.tenancy import current_workspace
from keel.register.models import Organisation, Partnership, Person
from keel.register.queries import find_people, label, living_people


class PersonInput(SuggestInput):
    url_name = "register:people_suggest"


class OrganisationInput(SuggestInput):
    url_name = "register:organisations_suggest"


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


def find_organisations(names: list[str]) -> tuple[list[Organisation], list[str]]:
    """The live organisations called `names` (in one query), and the names that match none."""
    keys = {name_key(name): name for name in names}
    found = {o.name_key: o for o in Organisation.objects.filter(archived_at__isnull=True, name_key__in=keys)}
    unknown = [name for key, name in keys.items() if key not in found]
    return [found[key] for key in keys if key in found], unknown


def unknown_message(names: list[str]) -> str:
    listed = ", ".join(repr(name) for name in names)
    return (
        f"No organisation called {listed} is in the register. Check the spelling, or add it under Organisations first."
    )


class OrganisationField(forms.CharField):
    """An organisation typed by its name; cleans to an Organisation."""

    widget = OrganisationInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Type its name, then choose from the suggestions.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):  # a ModelForm's initial value is the organisation's id
            value = Organisation.objects.filter(pk=value).first()
        return value.name if isinstance(value, Organisation) else value

    def to_python(self, value):
        text = " ".join((super().to_python(value) or "").split())
        if not text:
            return None
        found, unknown = find_organisations([text])
        if unknown:
            raise forms.ValidationError(unknown_message(unknown))
        return found[0]


class PartnersInput(forms.Widget):
    """One text input per partner (two to start), and a button for another (htmx)."""

    use_fieldset = True  # the field's label becomes a <legend>; each input has its own label

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def render(self, name, value, attrs=None, renderer=None):
        values = [v for v in (value or []) if v] if isinstance(value, list) else []
        values += [""] * max(0, 2 - len(values))
        base_id = (attrs or {}).get("id", f"id_{name}")
        rows = format_html_join("", "{}", ((partner_input(name, base_id, i, v),) for i, v in enumerate(values)))
        more = reverse("register:partner_input", kwargs={"ws": current_workspace().slug})
        button = format_html(
            '<button type="button" class="button" hx-get="{}?n={}" hx-target="this" hx-swap="outerHTML">'
            "Add another partner</button>",
            more,
            len(values),
        )
        datalist = format_html('<datalist id="{}_suggestions"></datalist>', base_id)
        return format_html('<div class="partners" id="{}">{}{}{}</div>', base_id, rows, button, datalist)


def partner_input(name: str, base_id: str, index: int, value: str = "") -> str:
    """One partner's labelled text input, sharing the field's datalist of suggestions."""
    attrs = suggest_attrs("register:organisations_suggest", name, f"{base_id}_suggestions")
    rendered = forms.TextInput(attrs).render(name, value, {"id": f"{base_id}_{index}"})
    return format_html(
        '<div class="partner"><label for="{}_{}">Partner {}</label>{}</div>', base_id, index, index + 1, rendered
    )


class PartnersField(forms.Field):
    """Partner organisations typed by name, one per input; cleans to a list of Organisations."""

    widget = PartnersInput

    def to_python(self, value):
        names = [" ".join(str(v).split()) for v in (value or [])]
        names = [n for n in names if n]
        if not names:
            return []
        found, unknown = find_organisations(names)
        if unknown:
            raise forms.ValidationError(unknown_message(unknown))
        return found

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


def find_partnership(text: str, not_found: str) -> Partnership:
    """The live partnership `text` names: its id (from a select list), its full name or a unique part
    of it. `not_found` ends the message when none matches: what to do instead."""
    text = " ".join(str(text).split())
    live = Partnership.objects.filter(archived_at__isnull=True)
    if text.isdigit() and (found := live.filter(pk=int(text)).first()):
        return found
    if found := live.filter(name_key=name_key(text)).first():
        return found
    matches = list(live.filter(name__icontains=text).order_by("name_key")[:6])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise forms.ValidationError(f"No partnership called {text!r} is in the register {not_found}")
    names = ", ".join(p.name for p in matches[:5]) + (", …" if len(matches) > 5 else "")
    raise forms.ValidationError(f"Several partnerships match {text!r} ({names}): type the full name of one.")
