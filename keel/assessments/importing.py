"""Bringing assessments in from files: instrument definitions, and survey responses from other tools.

Responses: `read_file` reads another survey tool's CSV or XLSX export (one row per respondent)
against a round's instrument and returns a `ResponseFile`: the rows ready to store, or every
problem by row and column. `import_file` stores the rows through `services.import_responses`,
and only when the whole file is valid. The spreadsheet itself is read by the register's
`spreadsheets.read_table`, so every dialect, encoding and workbook quirk it handles is handled
here too; `match_columns` says which column is which statement. The format of both kinds of file
is documented in docs/instruments.md and docs/import.md ("Survey responses").
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from keel.assessments import services
from keel.assessments.definitions import Definition
from keel.assessments.models import AssessmentRound, Instrument
from keel.common.importing import RowError, plain, stage_upload
from keel.common.models import ImportUpload
from keel.common.spreadsheets import header_key, read_table
from keel.common.text import name_key
from keel.core.changelog import Actor
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.register.models import Organisation

# Instrument definition files ---------------------------------------------------------------

MAX_DEFINITION_BYTES = 1024 * 1024  # Keel's own health check is 6 KB


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


# Survey responses: columns ---------------------------------------------------------------------

# Headers as `header_key` writes them (case, spaces and punctuation already forgiven).
ORGANISATION_HEADERS = {
    header_key(word)
    for word in ("organisation", "organization", "organisation name", "organization name", "org", "your organisation")
}
# The survey tool's own columns: ignored, and listed in the summary.
METADATA_HEADERS = {
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
}  # fmt: skip
# Who answered: read past and never stored, so answers stay anonymous.
PERSONAL_HEADERS = {
    header_key(word)
    for word in (
        "email", "e-mail", "email address", "e-mail address", "name", "full name", "first name", "last name",
        "respondent name", "your name", "recipient email", "recipientemail", "recipient first name",
        "recipientfirstname", "recipient last name", "recipientlastname", "recipient name",
    )
}  # fmt: skip
# "Q3. ", "3) ", "Question 3: ", "Q1_2 ": the numbers survey tools put before a statement.
NUMBER_PREFIX = re.compile(r"^(?:q(?:uestion)?\s*)?\d+[a-z]?(?:\s+\d+[a-z]?)*\s+")
# A header ending with a statement of at least this many words is that statement's column:
# "How much do you agree? [I can rely on partners…]", "Trust - I can rely on partners…".
ENDS_WITH_WORDS = 4
KINDS_READ = ("item", "prompt", "organisation")


@dataclass(frozen=True)
class Column:
    """One column of a survey file: what it is, and for an item or a prompt, which one."""

    header: str  # as the file writes it
    key: str  # as the rows are keyed (spreadsheets.header_key)
    kind: str  # item, prompt, organisation, metadata, personal, ignored or unknown
    target: str = ""  # the item's or prompt's key


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
        stripped = NUMBER_PREFIX.sub("", key, count=1)
        if stripped in self.exact:
            return self.exact[stripped]
        return next(((kind, target) for text, kind, target in self.texts if key.endswith(text)), None)


def _classify(key: str, targets: _Targets, ignored) -> tuple[str, str]:
    """What a column is, by its normalised header: (kind, the item's or prompt's key)."""
    if key in ignored:
        return "ignored", ""
    if found := targets.exact.get(key):
        return found
    if key in ORGANISATION_HEADERS:
        return "organisation", "organisation"
    if key in METADATA_HEADERS or key in PERSONAL_HEADERS:
        return ("metadata" if key in METADATA_HEADERS else "personal"), ""
    if found := targets.find(key):
        return found
    words = key.split()
    if len(words) <= 8 and {"organisation", "organization"} & set(words):  # "Which organisation are you from?"
        return "organisation", "organisation"
    return "unknown", ""


def match_columns(definition: Definition, headers: list[str], keys: list[str], ignore=(), targets=None):
    """Each column of the file, classified; (columns, refusals, notes)."""
    targets = targets or _Targets(definition)
    ignored = {header_key(name): name for name in ignore}
    columns, refusals, notes, seen = [], [], [], {}
    for header, key in zip(headers, keys, strict=True):
        if not key:
            continue  # read_table already warns of columns with no header
        column = Column(header, key, *_classify(key, targets, ignored))
        if column.kind in KINDS_READ:
            if (column.kind, column.target) in seen:
                what = {
                    "item": f"answer the statement {column.target!r}",
                    "prompt": f"hold the comments on {column.target!r}",
                    "organisation": "give the respondent's organisation",
                }[column.kind]
                first = seen[column.kind, column.target]
                refusals.append(f"The columns {first!r} and {header!r} both {what}: keep one of them.")
                continue
            seen[column.kind, column.target] = header
        columns.append(column)
    if unknown := [c.header for c in columns if c.kind == "unknown"]:
        refusals.append(
            f"The file has columns Keel does not recognise: {', '.join(unknown)}. Each column must be a statement "
            f"of {definition.title} (by its key or its text), a question for comments, the respondent's "
            "organisation, or a survey tool's own column (timestamp, respondent ID…). Remove those columns, "
            "or have Keel ignore them: --ignore-column NAME on the command line, or tick them on the import page."
        )
    if not any(c.kind == "item" for c in columns):
        first = definition.items[0]
        refusals.append(
            f"No column of the file is a statement of {definition.title}. A statement's column is headed by its "
            f"key (such as {first.key!r}) or its text (such as {first.statement!r}). The file's columns are: "
            f"{', '.join(h for h in headers if h) or 'none'}."
        )
    else:
        answered = {c.target for c in columns if c.kind == "item"}
        if missing := [item.key for item in definition.items if item.key not in answered]:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            notes.append(f"These statements have no column in the file and count as not answered: {shown}.")
    for key, name in ignored.items():
        if key not in keys:
            notes.append(f"No column is called {name!r}, so there was nothing to ignore by that name.")
    return columns, refusals, notes


# Survey responses: rows ------------------------------------------------------------------------

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

    def read(self, value):
        """1–5, None for not applicable, or BLANK; ValueError saying what is accepted."""
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
        raise ValueError(
            f"{text!r} is not an answer on the scale: give a whole number from 1 to 5, or one of the labels "
            f"({', '.join(self.labels)}); leave it blank or write N/A for not applicable."
        )


@dataclass
class ResponseFile:
    """What a survey file holds for a round, or why it cannot be imported."""

    filename: str
    digest: str
    columns: list[Column] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # for services.import_responses
    refusals: list[str] = field(default_factory=list)  # the file as a whole
    errors: list[RowError] = field(default_factory=list)  # a row, or a cell
    warnings: list[str] = field(default_factory=list)
    organisations: Counter = field(default_factory=Counter)  # name → respondents
    without_organisation: int = 0
    row_count: int = 0
    imported: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.errors

    @property
    def problems(self) -> list[str]:
        return self.refusals + [str(error) for error in self.errors]

    @property
    def invalid_rows(self) -> int:
        return len({error.row for error in self.errors})

    def add(self, organisation: Organisation | None, answers: dict, comments: dict) -> None:
        """One valid respondent's row."""
        if organisation:
            self.organisations[organisation.name] += 1
        else:
            self.without_organisation += 1
        self.rows.append(
            {"organisation_id": getattr(organisation, "pk", None), "answers": answers, "comments": comments}
        )

    def of(self, kind: str) -> list[Column]:
        return [column for column in self.columns if column.kind == kind]

    @property
    def verdict(self) -> str:
        n = len(self.rows) if self.ok else self.row_count
        responses = f"{n:,} response{'s' if n != 1 else ''}"
        if self.imported:
            return f"Imported {responses}."
        if not self.ok:
            invalid, why = self.invalid_rows, []
            if self.refusals:
                why.append("the file cannot be imported as it is")
            if invalid:
                why.append(f"{_count(invalid, 'row')} of {self.row_count} {'is' if invalid == 1 else 'are'} invalid")
            return f"Nothing was written: {' and '.join(why)}. Correct the file and import it again."
        return f"Nothing was written yet. The file is ready to import: {responses}."

    def summary(self) -> list[str]:
        """The lines the page and the command show: respondents, organisations, columns read and not read."""
        lines = []
        if self.row_count and self.errors:  # the valid rows' organisations would tell only half the story
            lines.append(f"Respondents: {self.row_count:,}.")
        elif self.row_count:
            shown = [f"{name} ({count})" for name, count in sorted(self.organisations.items())]
            if self.without_organisation:
                shown.append(f"no organisation given ({self.without_organisation})")
            lines.append(f"Respondents: {self.row_count:,}" + (f", from {', '.join(shown)}." if shown else "."))
        items, prompts = len(self.of("item")), len(self.of("prompt"))
        read = [f"{items} statement{'s' if items != 1 else ''}", f"{prompts} question{'s' if prompts != 1 else ''}"]
        if self.of("organisation"):
            read.append("the respondent's organisation")
        lines.append(f"Columns read: {', '.join(read)}.")
        if metadata := self.of("metadata"):
            lines.append(f"Ignored (the survey tool's own columns): {_names(metadata)}.")
        if personal := self.of("personal"):
            lines.append(f"Respondents' names and e-mails, {NOT_STORED_NOTE}: {_names(personal)}.")
        if ignored := self.of("ignored"):
            lines.append(f"Ignored as asked: {_names(ignored)}.")
        return lines


def _names(columns: list[Column]) -> str:
    return ", ".join(column.header for column in columns)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _source(filename: str, digest: str) -> str:
    # The digest goes into the round's change record; it is how a second import is recognised.
    return f"{filename[:200]} [sha256 {digest}]"


def previous_import(round_: AssessmentRound, digest: str) -> ChangeRecord | None:
    """The change record of an earlier import of the same file into this round, if any."""
    return (
        ChangeRecord.objects.filter(
            object_type="assessmentround",
            object_id=round_.pk,
            action="round.responses_imported",
            note__contains=f"[sha256 {digest}]",
        )
        .select_related("actor")
        .first()
    )


def _already_imported(record: ChangeRecord) -> str:
    when = timezone.localtime(record.at)
    return (
        f"This file was already imported into this round on {when:%d/%m/%Y at %H:%M} by {record.who}: "
        "importing it again would count the same respondents twice. If the file has new responses, "
        "import only those, in a file of their own."
    )


def read_file(round_: AssessmentRound, data: bytes, filename: str, ignore=()) -> ResponseFile:
    """Read a survey export against the round's instrument; FileRefused when it is no spreadsheet."""
    definition = round_.instrument.spec
    targets = _Targets(definition)
    result = ResponseFile(filename, file_digest(data))

    def is_header(keys: list[str]) -> bool:  # the first row naming a statement, past any title rows
        return any((targets.exact.get(key) or targets.find(key) or ("",))[0] == "item" for key in keys if key)

    table = read_table(data, filename, is_header=is_header)
    result.columns, result.refusals, notes = match_columns(definition, table.headers, table.keys, ignore, targets)
    result.warnings = table.warnings + notes
    if skipped := _sub_headers(table):
        rows = " and ".join(str(n) for n in skipped)
        result.warnings.append(
            f"Row {rows} under the header repeats the headers, as survey tools write, and was skipped."
        )
    if earlier := previous_import(round_, result.digest):
        result.refusals.append(_already_imported(earlier))
    if result.of("item"):
        read_responses(round_, table, result, skipped)
    return result


def _sub_headers(table) -> list[int]:
    """Rows just under the header that only repeat headers: SurveyMonkey's "Response", Qualtrics' ImportId."""
    skipped = []
    for number, cells in table.rows[:2]:
        values = [str(value).strip().lower() for value in cells.values() if value not in ("", None)]
        if values and all(v in {"response", "open-ended response"} or v.startswith('{"importid"') for v in values):
            skipped.append(number)
    return skipped


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
        """The member organisation `text` names; ValueError saying why not."""
        organisation = self.by_name.get(name_key(text)) or self.by_identifier.get(text.casefold())
        if organisation is None:
            close = difflib.get_close_matches(text, self.member_names, n=1, cutoff=0.75)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ValueError(
                f"{text!r} is not an organisation in this workspace.{hint} Write its name as Keel has it "
                f"(this round's organisations are {'; '.join(self.member_names[:8])}), or add the organisation first."
            )
        if organisation.pk not in self.members:
            raise ValueError(
                f"{organisation.name} is not a member of {self.partnership.name}, so its answers cannot count "
                f"in this round: correct the row, or add {organisation.name} to the partnership first."
            )
        return organisation


def read_responses(round_: AssessmentRound, table, result: ResponseFile, skipped=()) -> None:
    """Read every respondent's row of `table` into `result`: answers, comments and organisation, or errors."""
    scale = Scale(round_.instrument.spec)
    organisations = _Organisations(round_) if result.of("organisation") else None
    columns = {column.key: column for column in result.columns if column.kind in KINDS_READ}
    unreadable = defaultdict(list)
    for number, key, message in table.problems:
        if not key or key in columns:  # a problem in a column that is not read does not matter
            header = columns[key].header if key else ""
            unreadable[number].append(RowError(number, header, message[0].upper() + message[1:] + "."))
    for number, cells in table.rows:
        if number in skipped:
            continue
        result.row_count += 1
        errors = unreadable[number]
        answers, comments, organisation = {}, {}, None
        for key, column in columns.items():
            if any(error.column == column.header for error in errors):
                continue
            try:
                if column.kind == "item":
                    if (answer := scale.read(cells.get(key, ""))) is not BLANK:
                        answers[column.target] = answer
                elif column.kind == "prompt" and (text := plain(cells.get(key, ""))):
                    comments[column.target] = _comment(text)
                elif column.kind == "organisation" and (text := " ".join(plain(cells.get(key, "")).split())):
                    organisation = organisations.find(text)
            except ValueError as error:
                errors.append(RowError(number, column.header, str(error)))
        if not errors and all(value is None for value in answers.values()) and not comments:
            errors.append(RowError(number, "", "It has no answers: remove the row, or fill in the answers."))
        if errors:
            result.errors += errors
        else:
            result.add(organisation, answers, comments)
    if result.row_count == 0:
        result.refusals.append("The file has a header but no respondents' rows under it.")


def _comment(text: str) -> str:
    if len(text) > services.MAX_COMMENT:
        raise ValueError(f"A comment can be at most {services.MAX_COMMENT:,} characters; this one has {len(text):,}.")
    return text


def import_file(
    actor: Actor, round_: AssessmentRound, data: bytes, filename: str, ignore=(), dry_run: bool = False
) -> ResponseFile:
    """Read a survey file and, when every row is valid and this is no dry run, store its responses."""
    result = read_file(round_, data, filename, ignore)
    result.dry_run = dry_run
    if result.ok and not dry_run:
        with transaction.atomic():
            # The round is locked, so two imports of one file at the same moment cannot both pass the check.
            AssessmentRound.objects.select_for_update().filter(pk=round_.pk).first()
            if earlier := previous_import(round_, result.digest):
                raise ServiceError(_already_imported(earlier))
            result.imported = services.import_responses(actor, round_, result.rows, _source(filename, result.digest))
    return result


# The web page keeps the uploaded file between its preview and the import, as the register's does.


def upload_kind(round_: AssessmentRound) -> str:
    return f"responses:{round_.pk}"


def stage_file(actor: Actor, round_: AssessmentRound, filename: str, data: bytes) -> ImportUpload:
    """Keep an uploaded survey file for its import (the register's staging, marked with the round)."""
    return stage_upload(actor, upload_kind(round_), filename, data)


@transaction.atomic
def import_staged(actor: Actor, round_: AssessmentRound, upload: ImportUpload, ignore=()) -> ResponseFile:
    """Import a kept upload once; its content is dropped once imported."""
    upload = ImportUpload.objects.select_for_update().get(pk=upload.pk, kind=upload_kind(round_))
    if upload.imported_at is not None:
        when = timezone.localtime(upload.imported_at)
        raise ServiceError(f"This file was already imported, on {when:%d/%m/%Y at %H:%M}.")
    result = import_file(actor, round_, bytes(upload.content), upload.filename, ignore)
    if result.imported:
        upload.imported_at, upload.content = timezone.now(), b""
        upload.save(update_fields=["imported_at", "content"])
    return result
