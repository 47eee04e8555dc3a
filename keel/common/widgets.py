"""Form widgets every app's forms share: a date picker, and a text input that suggests as you type."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from keel.core.tenancy import current_workspace


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as 2026-12-03 whatever the locale shows."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def suggest_attrs(url_name: str, name: str, list_id: str) -> dict:
    """The attributes that make a text input fetch its suggestions into the datalist `list_id`."""
    return {
        "list": list_id,
        "autocomplete": "off",
        "spellcheck": "false",
        "hx-get": reverse(url_name, kwargs={"ws": current_workspace().slug}),
        "hx-trigger": "input changed delay:250ms",
        "hx-target": f"#{list_id}",
        # Stated, not inherited: the forms around these inputs swap other targets.
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "hx-vals": json.dumps({"field": name}),
    }


class SuggestInput(forms.TextInput):
    """A text input with a <datalist> of suggestions from the workspace view named `url_name`."""

    url_name = ""

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id', name)}_suggestions"
        attrs = {**(attrs or {}), **suggest_attrs(self.url_name, name, list_id)}
        return super().render(name, value, attrs, renderer) + format_html('<datalist id="{}"></datalist>', list_id)
