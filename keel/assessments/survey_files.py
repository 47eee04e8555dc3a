"""A round's responses from another survey tool's export: its columns, answers and organisations.

An export (Google Forms, Microsoft Forms, SurveyMonkey, Qualtrics…) has a row per respondent
and a column per statement, headed by the statement's key or text, often with a question number
in front. Its columns depend on the round's instrument, so `ResponseContext` makes them for the
round; the common import engine (keel.common.importing) matches the headers, reads the rows,
reports every problem by row and column, and makes the import all or nothing. The rows are
stored together at the end (`services.import_responses`), in one change record whose note holds
the file's fingerprint, so the same file is not imported into a round twice. The format is
documented in docs/import.md ("Survey responses").
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from keel.assessments import services
from keel.assessments.definitions import Definition
from keel.assessments.models import AssessmentRound
from keel.common.importing import (
    Column,
    FileColumn,
    HasColumns,
    Headers,
    ImportContext,
    ImportReport,
    KnownColumns,
    Row,
    plain,
)
from keel.common.spreadsheets import Table, header_key
from keel.common.text import ReadError, name_key
from keel.core.changelog import Actor
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.register.models import Organisation

# Columns -------------------------------------------------------------------------------------

ORGANISATION = "respondent organisation"  # the column's name: no statement's key has a space
ORGANISATION_HEADERS = (
    "organisation", "organization", "organisation name", "organization name", "org", "your organisation",
)  # fmt: skip
# The survey tool's own columns: ignored, and listed in the summary.
METADATA_HEADERS = frozenset(
    header_key(word)
    for word in (
        "timestamp", "id", "respondent id", "response id", "responseid", "collector id", "submission id",
        "start date", "end date", "startdate", "enddate", "start time", "end time", "completion time",
        "submitted", "submitted at", "submission date", "date", "last modified time", "recorded date",
        "recordeddate", "duration", "duration in seconds", "ip address", "ipaddress", "ip", "status", "progress",
        "finished", "language", "userlanguage", "distribution channel", "distributionchannel",
        "external reference", "externalreference", "location latitude", "location longitude",
        "locationlatitude", "locationlongitude", "custom data", "custom data 1",
    )
)  # fmt: skip
# Who answered: read past and never stored, so answers stay anonymous.
PERSONAL_HEADERS = frozenset(
    header_key(word)
    for word in (
        "email", "e-mail", "email address", "e-mail address", "name", "full name", "first name", "last name",
        "respondent name", "your name", "recipient email", "recipientemail", "recipient first name",
        "recipientfirstname", "recipient last name", "recipientlastname", "recipient name",
    )
)  # fmt: skip
# "Q3. ", "3) ", "Question 3: ", "Q1_2 ": the numbers survey tools put before a statement.
NUMBER_PREFIX = re.compile(r"^(?:q(?:uestion)?\s*)?\d+[a-z]?(?:\s+\d+[a-z]?)*\s+")
# A header ending with a statement of at least this many words is that statement's column:
# "How much do you agree? [I can rely on partners…]", "Trust - I can rely on partners…".
ENDS_WITH_WORDS = 4


def _repeats_header(value: str) -> bool:
    """A cell of the row SurveyMonkey ("Response") and Qualtrics ('{"ImportId": …}') write under the header."""
    return value in {"response", "open-ended response"} or value.startswith('{"importid"')


SURVEY_HEADERS = Headers(
    strict=True,
    cite=True,  # the file's own header, since a statement's key is not what the person sees in their file
    known=(KnownColumns("metadata", METADATA_HEADERS), KnownColumns("personal", PERSONAL_HEADERS)),
    sub_header=_repeats_header,
)


class _Targets:
    """An instrument's items and prompts by every name a column may give them."""

    def __init__(self, definition: Definition):
        self.exact: dict[str, tuple[str, str]] = {}
        self.texts: list[tuple[str, str, str]] = []
        entries = [("item", i.key, i.statement) for i in definition.items]
        entries += [("prompt", p.key, p.text) for p in definition.prompts]
        for kind, key, text in entries:
            self.exact.setdefault(header_key(key), (kind, key))
            self.exact.setdefault(header_key(text), (kind, key))
            if len(header_key(text).split()) >= ENDS_WITH_WORDS:
                self.texts.append((" " + header_key(text), kind, key))

    def find(self, key: str) -> tuple[str, str] | None:
        """A statement or question a header gives past a number in front, or at its end."""
        stripped = NUMBER_PREFIX.sub("", key, count=1)
        if stripped in self.exact:
            return self.exact[stripped]
        return next(((kind, target) for text, kind, target in self.texts if key.endswith(text)), None)

    def is_item(self, key: str) -> bool:
        return (self.exact.get(key) or self.find(key) or ("",))[0] == "item"


# Cells ---------------------------------------------------------------------------------------

# A cell that means "not applicable", besides a blank and the scale's own N/A label.
NOT_APPLICABLE = {header_key(word) for word in ("n/a", "na", "n.a.", "not applicable", "don't know", "do not know")}
# Common other wordings of Keel's default labels; used only where the scale keeps that label.
LABEL_SYNONYMS = {
    "Strongly disagree": ("disagree strongly",),
    "Strongly agree": ("agree strongly",),
    "Neither agree nor disagree": ("neutral", "neither agree or disagree"),
}
NUMBERED_LABEL = re.compile(r"^([1-5])\s*[-–:.)]\s*(.+)$|^(.+?)\s*\(([1-5])\)$")
NOT_STORED_NOTE = "read past and never stored, so answers stay anonymous"
NO_ANSWERS = "It has no answers: remove the row, or fill in the answers."
BLANK = object()


class Scale:
    """Every way a cell may give an answer on an instrument's scale."""

    def __init__(self, definition: Definition):
        self.labels = [definition.scale[point] for point in sorted(definition.scale)]
        self.words: dict[str, int | None] = dict.fromkeys(NOT_APPLICABLE)
        self.words[header_key(definition.not_applicable)] = None
        for point, label in definition.scale.items():
            self.words[header_key(label)] = point
            for synonym in LABEL_SYNONYMS.get(label, ()):
                self.words.setdefault(header_key(synonym), point)

    def read(self, value: object) -> object:
        """1–5, None for not applicable, or BLANK; ReadError saying what is accepted."""
        text = plain(value)
        if not text:
            return BLANK
        if re.fullmatch(r"[1-5](\.0+)?", text):
            return int(float(text))
        if (key := header_key(text)) in self.words:
            return self.words[key]
        if match := NUMBERED_LABEL.match(text):  # "5 - Strongly agree", "Strongly agree (5)"
            number = int(match.group(1) or match.group(4))
            if self.words.get(header_key(match.group(2) or match.group(3))) == number:
                return number
        raise ReadError(
            f"{text!r} is not an answer on the scale: give a whole number from 1 to 5, or one of the labels "
            f"({', '.join(self.labels)}); leave it blank or write N/A for not applicable."
        )


def comment(value: object) -> str:
    text = plain(value)
    if len(text) > services.MAX_COMMENT:
        raise ReadError(f"A comment can be at most {services.MAX_COMMENT:,} characters; this one has {len(text):,}.")
    return text


class _Organisations:
    """The workspace's organisations by name and identifier, loaded once, and the round's members."""

    def __init__(self, round_: AssessmentRound):
        self.partnership = round_.partnership
        self.members = set(self.partnership.members.values_list("organisation_id", flat=True))
        everyone = list(Organisation.objects.all())
        self.by_name = {o.name_key: o for o in everyone}
        self.by_identifier = {o.identifier.casefold(): o for o in everyone if o.identifier}
        self.member_names = sorted(o.name for o in everyone if o.pk in self.members)

    def find(self, text: str) -> Organisation:
        """The member organisation `text` names; ReadError saying why not."""
        organisation = self.by_name.get(name_key(text)) or self.by_identifier.get(text.casefold())
        if organisation is None:
            close = difflib.get_close_matches(text, self.member_names, n=1, cutoff=0.75)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ReadError(
                f"{text!r} is not an organisation in this workspace.{hint} Write its name as Keel has it "
                f"(this round's organisations are {'; '.join(self.member_names[:8])}), or add the organisation first."
            )
        if organisation.pk not in self.members:
            raise ReadError(
                f"{organisation.name} is not a member of {self.partnership.name}, so its answers cannot count "
                f"in this round: correct the row, or add {organisation.name} to the partnership first."
            )
        return organisation


# The report ----------------------------------------------------------------------------------


@dataclass
class ResponseReport(ImportReport):
    """What a survey file holds for a round, or why it cannot be imported."""

    responses: list[dict[str, Any]] = field(default_factory=list)  # the valid rows, for services.import_responses

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.errors

    @property
    def problems(self) -> list[str]:
        return self.refusals + [str(error) for error in self.errors]

    @property
    def imported(self) -> int:
        return len(self.responses) if self.written else 0

    @property
    def organisations(self) -> Counter[str]:
        """Respondents by organisation name."""
        return Counter(row["organisation"] for row in self.responses if row["organisation"])

    @property
    def without_organisation(self) -> int:
        return sum(1 for row in self.responses if not row["organisation"])

    @property
    def verdict(self) -> str:
        n = len(self.responses) if self.ok else self.rows
        responses = f"{n:,} response{'s' if n != 1 else ''}"
        if self.imported:
            return f"Imported {responses}."
        if not self.ok:
            invalid, why = self.invalid_rows, []
            if self.refusals:
                why.append("the file cannot be imported as it is")
            if invalid:
                why.append(f"{_count(invalid, 'row')} of {self.rows} {'is' if invalid == 1 else 'are'} invalid")
            return f"Nothing was written: {' and '.join(why)}. Correct the file and import it again."
        return f"Nothing was written yet. The file is ready to import: {responses}."

    @property
    def summary(self) -> list[str]:
        """The lines the page and the command show: respondents, organisations, columns read and not read."""
        lines = []
        if self.rows and self.errors:  # the valid rows' organisations would tell only half the story
            lines.append(f"Respondents: {self.rows:,}.")
        elif self.rows:
            shown = [f"{name} ({count})" for name, count in sorted(self.organisations.items())]
            if self.without_organisation:
                shown.append(f"no organisation given ({self.without_organisation})")
            lines.append(f"Respondents: {self.rows:,}" + (f", from {', '.join(shown)}." if shown else "."))
        items, prompts = len(self.of("item")), len(self.of("prompt"))
        read = [f"{items} statement{'s' if items != 1 else ''}", f"{prompts} question{'s' if prompts != 1 else ''}"]
        if self.of("organisation"):
            read.append("the respondent's organisation")
        lines.append(f"Columns read: {', '.join(read)}.")
        if metadata := self.of("metadata"):
            lines.append(f"Ignored (the survey tool's own columns): {_headers(metadata)}.")
        if personal := self.of("personal"):
            lines.append(f"Respondents' names and e-mails, {NOT_STORED_NOTE}: {_headers(personal)}.")
        if ignored := self.of("ignored"):
            lines.append(f"Ignored as asked: {_headers(ignored)}.")
        return lines

    def lines(self, verbosity: int = 1) -> list[str]:
        """Respondents are anonymous, so the command lists which column is which statement, not the rows."""
        lines = [f"Warning: {warning}" for warning in self.warnings]
        if self.dry_run or verbosity >= 2:
            read = self.of("item") + self.of("prompt")
            lines += [f"Column {column.header!r} → {column.role} {column.target}" for column in read]
        return lines + self.summary + self.problems


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _headers(columns: list[FileColumn]) -> str:
    return ", ".join(column.header for column in columns)


# The import ----------------------------------------------------------------------------------


class ResponseContext(ImportContext):
    """One round's import: its instrument's statements and questions as columns, its organisations."""

    report: ResponseReport

    def __init__(self, actor: Actor, round: AssessmentRound):
        super().__init__(actor)
        self.round = round
        self.definition: Definition = round.instrument.spec
        self.targets = _Targets(self.definition)
        self.groups: dict[str, str] = {}
        self.digest = ""

    def columns(self, kind: HasColumns) -> tuple[Column, ...]:
        scale = Scale(self.definition)
        columns = [Column(i.key, scale.read, synonyms=(i.statement,), group="item") for i in self.definition.items]
        columns += [Column(p.key, comment, synonyms=(p.text,), group="prompt") for p in self.definition.prompts]
        columns.append(Column(ORGANISATION, self.organisation, synonyms=ORGANISATION_HEADERS, group="organisation"))
        self.groups = {column.name: column.group for column in columns}
        return tuple(columns)

    def is_header(self, keys: list[str], columns: tuple[Column, ...]) -> bool:
        return any(self.targets.is_item(key) for key in keys if key)  # the first row naming a statement

    def recognise(self, key: str) -> str | None:
        if found := self.targets.find(key):
            return found[1]
        words = key.split()
        if len(words) <= 8 and {"organisation", "organization"} & set(words):  # "Which organisation are you from?"
            return ORGANISATION
        return None

    @cached_property
    def organisations(self) -> _Organisations:
        return _Organisations(self.round)

    def organisation(self, value: object) -> Organisation | None:
        text = " ".join(plain(value).split())
        return self.organisations.find(text) if text else None

    def check(self, data: bytes, table: Table) -> bool:
        """Every column placed, one column per statement, at least one statement; the file not imported before."""
        report, title = self.report, self.definition.title
        for column in report.of("duplicate"):
            first = next(c.header for c in report.columns if c.target == column.target and c.role != "duplicate")
            gives = self._gives(column)
            report.refusals.append(f"The columns {first!r} and {column.header!r} both {gives}: keep one of them.")
        if unknown := report.of("unknown"):
            report.refusals.append(
                f"The file has columns Keel does not recognise: {_headers(unknown)}. Each column must be a statement "
                f"of {title} (by its key or its text), a question for comments, the respondent's "
                "organisation, or a survey tool's own column (timestamp, respondent ID…). Remove those columns, "
                "or have Keel ignore them: --ignore-column NAME on the command line, or tick them on the import page."
            )
        if not report.of("item"):
            example = self.definition.items[0]
            report.refusals.append(
                f"No column of the file is a statement of {title}. A statement's column is headed by its "
                f"key (such as {example.key!r}) or its text (such as {example.statement!r}). The file's columns are: "
                f"{', '.join(h for h in table.headers if h) or 'none'}."
            )
        else:
            answered = {column.target for column in report.of("item")}
            if missing := [item.key for item in self.definition.items if item.key not in answered]:
                shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
                report.warnings.append(
                    f"These statements have no column in the file and count as not answered: {shown}."
                )
        self.digest = file_digest(data)
        if earlier := previous_import(self.round, self.digest):
            report.refusals.append(_already_imported(earlier))
        return bool(report.of("item"))

    def _gives(self, column: FileColumn) -> str:
        return {
            "item": f"answer the statement {column.target!r}",
            "prompt": f"hold the comments on {column.target!r}",
            "organisation": "give the respondent's organisation",
        }[self.groups[column.target]]

    def finish(self) -> None:
        """Store the responses together, once every row is known to be valid."""
        report = self.report
        if not report.rows:
            report.refusals.append("The file has a header but no respondents' rows under it.")
        if not report.writable:
            return
        # The round is locked, so two imports of one file at the same moment cannot both pass the check;
        # a copy of it, so a dry run leaves the caller's round as it was.
        round_ = AssessmentRound.objects.select_for_update().select_related("instrument").get(pk=self.round.pk)
        if earlier := previous_import(round_, self.digest):
            raise ServiceError(_already_imported(earlier))
        services.import_responses(self.actor, round_, report.responses, _source(report.filename, self.digest))


def import_response(context: ResponseContext, row: Row) -> None:
    """Keep one respondent's answers, comments and organisation, to be stored with the others."""
    if row.errors:
        return
    values = [(context.groups[name], name, value) for name, value in row.data.items()]
    answers = {name: value for group, name, value in values if group == "item" and value is not BLANK}
    comments = {name: value for group, name, value in values if group == "prompt" and value}
    if all(value is None for value in answers.values()) and not comments:
        row.error("", NO_ANSWERS)
        return
    organisation = row.data.get(ORGANISATION)
    response = {"organisation_id": getattr(organisation, "pk", None), "answers": answers, "comments": comments}
    context.append(context.report.responses, {**response, "organisation": getattr(organisation, "name", None)})
    context.count("response", "created")


# The same file once --------------------------------------------------------------------------


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _source(filename: str, digest: str) -> str:
    # The digest goes into the round's change record; it is how a second import is recognised.
    return f"{filename[:200]} [sha256 {digest}]"


def previous_import(round_: AssessmentRound, digest: str) -> ChangeRecord | None:
    """The change record of an earlier import of the same file into this round, if any."""
    found: ChangeRecord | None = (
        ChangeRecord.objects.filter(
            object_type="assessmentround",
            object_id=round_.pk,
            action="round.responses_imported",
            note__contains=f"[sha256 {digest}]",
        )
        .select_related("actor")
        .first()
    )
    return found


def _already_imported(record: ChangeRecord) -> str:
    when = timezone.localtime(record.at)
    return (
        f"This file was already imported into this round on {when:%d/%m/%Y at %H:%M} by {record.who}: "
        "importing it again would count the same respondents twice. If the file has new responses, "
        "import only those, in a file of their own."
    )


def staged_as(round_: AssessmentRound) -> str:
    """An upload's kind for this round, so the round's page takes back only its own uploads."""
    return f"responses:{round_.pk}"
