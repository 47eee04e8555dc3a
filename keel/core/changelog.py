"""The change log, Keel's one audit trail: every service function that writes calls `record`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models

from keel.core.models import ChangeRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Actor:
    """Who is writing: a signed-in user, or a label for a command or an import."""

    user: User | None = None
    via: str = ""

    @classmethod
    def of(cls, request) -> Actor:
        return cls(user=request.user if request.user.is_authenticated else None, via="web")


SYSTEM = Actor(via="keel")


def plain(value):
    """A JSON-friendly form of a field value, for the before/after of a change."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The displayable values of `fields` on `obj` (foreign keys as their names)."""
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation:
            value = getattr(obj, name)
        elif getattr(field, "choices", None):
            value = getattr(obj, f"get_{name}_display")() if getattr(obj, name) not in (None, "") else ""
        else:
            value = getattr(obj, name)
        result[name] = plain(value)
    return result


def diff(before: dict, after: dict) -> dict:
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def record(actor: Actor, action: str, obj: models.Model, changes: dict | None = None, note: str = ""):
    """Write one change record for `obj` in its workspace."""
    return ChangeRecord.objects.create(
        workspace_id=obj.workspace_id,  # type: ignore[attr-defined]  # every recorded object is workspace-owned
        actor=actor.user,
        via=actor.via,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        changes=changes or {},
        note=note[:300],
    )


def history(obj: models.Model, limit: int = 50):
    """The change records of one object, newest first."""
    return ChangeRecord.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk).select_related("actor")[
        :limit
    ]
