"""Writes for instruments: load a definition as a new instrument, a new version or the same one.

Keel's own instruments are definition files in keel/assessments/instruments/, loaded into a
workspace the first time it needs one.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from keel.assessments.definitions import parse_definition
from keel.assessments.models import Instrument
from keel.core.changelog import SYSTEM, Actor, record

BUILTIN_DIR = Path(__file__).parent.parent / "instruments"


@transaction.atomic
def load_instrument(actor: Actor, text: str, builtin: bool = False) -> tuple[Instrument, str]:
    """Load a definition into the current workspace. Returns (instrument, what happened).

    What happened is "new", "unchanged", "updated" (the latest version was not used by any
    round yet, so it is replaced) or "new version" (it was in use: old rounds keep theirs).
    """
    definition = parse_definition(text)  # DefinitionError names every mistake
    data = definition.to_data()
    latest = Instrument.objects.filter(key=definition.id).order_by("-version").first()
    if latest is None:
        instrument = Instrument.objects.create(
            key=definition.id, version=1, title=definition.title, definition=data, builtin=builtin
        )
        if not builtin:  # Keel's own arrive with the workspace, which is not recorded either
            record(actor, "instrument.created", instrument)
        return instrument, "new"
    if latest.definition == data:
        return latest, "unchanged"
    if not latest.rounds.exists():
        latest.definition, latest.title = data, definition.title
        latest.save(update_fields=["definition", "title"])
        record(actor, "instrument.updated", latest, note="not yet used by any round: replaced in place")
        return latest, "updated"
    instrument = Instrument.objects.create(
        key=definition.id, version=latest.version + 1, title=definition.title, definition=data, builtin=builtin
    )
    record(actor, "instrument.versioned", instrument, note=f"version {latest.version} is in use and is kept")
    return instrument, "new version"


def builtin_definitions() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def ensure_builtin_instruments() -> None:
    """Give the current workspace Keel's own instruments, when it does not have them yet."""
    have = set(Instrument.objects.filter(builtin=True).values_list("key", flat=True))
    for path in builtin_definitions():
        text = path.read_text(encoding="utf-8")
        if parse_definition(text).id not in have:
            load_instrument(SYSTEM, text, builtin=True)


def health_check() -> Instrument:
    """The latest version of Keel's partnership health check in the current workspace."""
    ensure_builtin_instruments()
    found = Instrument.objects.filter(key="keel-health-check").order_by("-version").first()
    if found is None:  # ensure_builtin_instruments has just made it: only a broken install lands here
        raise Instrument.DoesNotExist("Keel's own health check is missing: its definition file was not found.")
    return found
