"""Columns and cell readers: how an import reads each cell, and where it finds its columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from keel.common.text import ReadError, name_key, read_choice

# Reading cells: each reader takes a non-blank cell and returns a value or raises ReadError.


def plain(value: object) -> str:
    """A cell as text; a spreadsheet date as 2025-03-31."""
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value).strip()


def one_line(limit: int) -> Callable[[object], str]:
    def read(value: object) -> str:
        text = " ".join(plain(value).split())
        if len(text) > limit:
            raise ReadError(f"This is {len(text)} characters long; the most it can be is {limit}.")
        return text

    return read


def long_text(value: object) -> str:
    return plain(value)


def email(value: object) -> str:
    text = plain(value)
    try:
        validate_email(text)
    except ValidationError:
        raise ReadError(f"{text!r} is not an e-mail address.") from None
    return text


def website(value: object) -> str:
    text = plain(value)
    if "://" not in text:
        text = "https://" + text  # people write www.example.org
    try:
        URLValidator()(text)
    except ValidationError:
        raise ReadError(f"{plain(value)!r} is not a web address: write it as https://www.example.org.") from None
    if len(text) > 200:
        raise ReadError("This web address is longer than 200 characters.")
    return text


def choice(choices: Any, synonyms: dict[str, str]) -> Callable[[object], str]:
    return lambda value: read_choice(plain(value), choices, synonyms)


def names(value: object) -> list[str]:
    """'A; B;\\nC' → ['A', 'B', 'C']: each name once, in the order given."""
    found: dict[str, str] = {}
    for part in plain(value).replace("\n", ";").split(";"):
        name = one_line(200)(part)
        if name:
            found.setdefault(name_key(name), name)
    return list(found.values())


@dataclass(frozen=True)
class Column:
    """One column of an import: how its cells are read, and how it is described."""

    name: str
    read: Callable[[Any], object]
    required: bool = False
    synonyms: tuple[str, ...] = ()
    accepts: str = ""
    example: str = ""
    options: tuple[str, ...] = ()  # the values offered in a template's drop-down list
    group: str = ""  # where a kind's columns are of several sorts: a survey's "item", "prompt"…


def choice_column(
    name: str, choices: Any, synonyms: dict[str, str], example: str, headers: tuple[str, ...] = ()
) -> Column:
    """A column of one of `choices`, read by value, label or synonym."""
    by_label = defaultdict(list)
    for word, value in synonyms.items():
        by_label[dict(choices.choices)[value].lower()].append(word)
    accepts = ", ".join(label.lower() for _, label in choices.choices)
    if by_label:
        accepts += " (also: " + "; ".join(f"{', '.join(w)} for {label}" for label, w in by_label.items()) + ")"
    options = tuple(label.lower() for _, label in choices.choices)
    return Column(name, choice(choices, synonyms), False, headers, accepts, example, options)


def words(value: str, text: str) -> dict[str, str]:
    """words(Status.ENDED, "closed, finished") → {"closed": "ended", "finished": "ended"}: synonyms."""
    return {word.strip(): value for word in text.split(",")}


@dataclass(frozen=True)
class KnownColumns:
    """Columns a kind knows and does not read, such as a survey tool's timestamp or a respondent's e-mail."""

    role: str  # what the report calls them
    keys: frozenset[str]  # their headers, as header_key writes them


@dataclass(frozen=True)
class Headers:
    """How a kind finds its columns in a file, where names and synonyms are not all.

    The default suits a table Keel itself describes: a column it does not read is ignored
    with a note. A survey tool's export is another matter: every column must be placed, since
    one Keel cannot place may be a statement worded differently, so a `strict` kind's context
    words unknown and repeated columns as problems of the file (`ImportContext.check`).
    """

    strict: bool = False
    cite: bool = False  # a row's errors name a column as the file heads it, not by the kind's name for it
    known: tuple[KnownColumns, ...] = ()
    # A row just under the header whose every filled cell passes this repeats the headers
    # (SurveyMonkey's "Response") and is skipped.
    sub_header: Callable[[str], bool] | None = None
