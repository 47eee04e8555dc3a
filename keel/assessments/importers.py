"""Bringing assessments in from files: an instrument's definition, and a round's survey responses.

Both are kinds of the common import engine (keel.common.importing), so `keel import instrument
FILE`, `keel import responses FILE --round ID` and their pages share its dry run, its report and
its all or nothing. An instrument's file is one definition rather than a table, so it is loaded
whole (`load_definition`); a survey file's columns come from its round's instrument
(keel.assessments.survey_files). The formats are documented in docs/instruments.md and
docs/import.md ("Survey responses").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from keel.assessments import services
from keel.assessments.definitions import DefinitionError
from keel.assessments.models import Instrument
from keel.assessments.survey_files import SURVEY_HEADERS, ResponseContext, ResponseReport, import_response
from keel.common.importing import ImportContext, ImportReport, Kind, Row, RowOutcome, add_kind, no_identity
from keel.core.services import ServiceError

MAX_DEFINITION_BYTES = 1024 * 1024  # Keel's own health check is 6 KB
OUTCOMES = {"new": "created", "unchanged": "unchanged", "updated": "changed", "new version": "created"}


def definition_text(data: bytes) -> str:
    """A definition file's text: UTF-8, with or without a byte-order mark; anything else refused."""
    if len(data) > MAX_DEFINITION_BYTES:
        raise ServiceError(
            f"The file is {len(data):,} bytes; a definition is at most {MAX_DEFINITION_BYTES:,}: "
            "check you chose the definition file (YAML or JSON), not a spreadsheet or a document."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ServiceError("The file is UTF-16 text; Keel reads definitions in UTF-8: save it as UTF-8 and try again.")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise ServiceError("The file is not text: a definition is a YAML or JSON text file (see docs/instruments.md).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceError(
            f"The file is not UTF-8 text (line {line} has a character written in another encoding, "
            "such as Windows-1252): save it as UTF-8 and try again."
        ) from None


def sorted_problems(problems: list[str]) -> list[str]:
    """A definition's problems in the order of their lines, so they read top to bottom."""

    def line(problem: str) -> int:
        match = re.match(r"line (\d+):", problem)
        return int(match.group(1)) if match else 0

    return sorted(problems, key=line)


def describe_load(instrument: Instrument, outcome: str) -> str:
    """What `services.load_instrument` did, in a sentence for the page and the command."""
    title, version = instrument.title, instrument.version
    if outcome == "new":
        spec = instrument.spec
        counts = [_count(len(spec.dimensions), "dimension"), _count(len(spec.items), "statement")]
        counts.append(_count(len(spec.prompts), "question"))
        return f"Loaded {title} as a new instrument, version {version}: {', '.join(counts)}."
    if outcome == "unchanged":
        return f"{title} is unchanged: version {version} already holds exactly this definition."
    if outcome == "updated":
        return f"Updated {title} version {version} in place: no round uses it yet."
    previous = Instrument.objects.filter(key=instrument.key, version=version - 1).first()
    used = previous.rounds.count() if previous else 0
    return (
        f"Loaded {title} as version {version}: version {version - 1} is used by {_count(used, 'round')} and is kept. "
        f"New rounds use version {version}."
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass
class InstrumentReport(ImportReport):
    """What loading a definition did or would do; its problems, by line, are the report's refusals."""

    instrument: Instrument | None = None
    message: str = ""  # what happened, in a sentence (describe_load)

    @property
    def verdict(self) -> str:
        if self.refusals:
            count = len(self.refusals)
            return (
                f"{self.filename} was not loaded: correct the {count} problem{'s' if count != 1 else ''} above "
                "(the format is in docs/instruments.md) and load it again."
            )
        if self.dry_run:
            return f"Dry run: nothing was written. Loading {self.filename} would say: {self.message}"
        return self.message


def load_definition(context: ImportContext, data: bytes, filename: str) -> None:
    """Load a definition: a new instrument, a new version, or the same one; ServiceError if it is no text."""
    report = cast(InstrumentReport, context.report)
    text = definition_text(data)
    try:
        instrument, outcome = services.load_instrument(context.actor, text)
    except DefinitionError as error:
        report.refusals = sorted_problems(error.problems)
        return
    report.rows, report.instrument, report.message = 1, instrument, describe_load(instrument, outcome)
    action = OUTCOMES[outcome]
    report.add(RowOutcome(1, instrument.title, action, [report.message], [("instrument", action)]), [])


def _one_definition(context: ImportContext, row: Row) -> None:
    raise TypeError("An instrument's file is one definition, loaded whole by load_definition: it has no rows.")


INSTRUMENT = Kind(
    "instrument",
    "instrument",
    (),
    _one_definition,
    no_identity,
    ImportContext,
    {"instrument": "Instruments"},
    ("instruments",),
    report=InstrumentReport,
    load=load_definition,
)

RESPONSES = Kind(
    "responses",
    "response",
    (),
    import_response,
    no_identity,  # two identical rows are two respondents: people can answer alike
    ResponseContext,
    {"response": "Responses"},
    ("response", "survey responses"),
    needs=("round",),
    headers=SURVEY_HEADERS,
    report=ResponseReport,
    whole_file=(
        "a survey file is imported whole or not at all, so a round's scores never rest on part of a file. "
        "Correct the invalid rows instead."
    ),
    records_itself=True,  # its change record on the round holds the file's fingerprint
)

add_kind(INSTRUMENT)
add_kind(RESPONSES)
