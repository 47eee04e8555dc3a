"""Where actions come from: each app registers how its records are described, linked and chosen.

An action's `source` says what kind of record it came from (a rating, a meeting, later a review
or a dissolution step) and `source_id` which one. The apps that own those records sit above this
one, so they describe them here (in their `action_sources` module, found by ActionsConfig) rather
than this app reaching up for their models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models

from keel.actions.models import Action


@dataclass(frozen=True)
class Described:
    """A source record in words: `the` names it in a sentence ("the meeting"), `name` is the record itself."""

    what: str  # "A meeting"
    name: str  # "Board, 03/12/2026"
    url: str = ""
    the: str = ""  # "the meeting"


@dataclass(frozen=True)
class SourceKind:
    """How one kind of source is described, and (when a person may choose it) found."""

    describe: Callable[[int, str, bool], Described | None]  # (source_id, workspace slug, can edit) → words or None
    gone: str  # what is said when the record is no longer there
    find: Callable[[int | None, Any], models.Model] | None = (
        None  # (source_id, partnership) → record, or ValidationError
    )


SOURCES: dict[str, SourceKind] = {}


def register_source(source: str, kind: SourceKind) -> None:
    SOURCES[source] = kind


def choosable() -> list[str]:
    """The sources a new action may name on its form (a meeting's "Add an action" link)."""
    return [source for source, kind in SOURCES.items() if kind.find is not None]


def find_source(source: str, source_id: int | None, partnership: Any) -> models.Model:
    """The record a new action comes from, checked to be this workspace's and of the same partnership."""
    kind = SOURCES.get(source)
    if kind is None or kind.find is None:
        raise forms.ValidationError("An action cannot come from that here: add it without a source.")
    return kind.find(source_id, partnership)


def describe(source: str, source_id: int, ws: str, can_edit: bool = True) -> Described | None:
    kind = SOURCES.get(source)
    return None if kind is None else kind.describe(source_id, ws, can_edit)


def describe_source(action: Action, ws: str, can_edit: bool = True) -> dict:
    """What an action came from, in words, and the page of that record where it has one."""
    found = {"text": action.get_source_display(), "url": ""}
    kind = SOURCES.get(action.source)
    if kind is None or not action.source_id:
        return found
    described = kind.describe(action.source_id, ws, can_edit)
    if described is None:
        found["text"] = kind.gone
    else:
        found.update(text=f"{described.what}: {described.name}", url=described.url)
    return found
