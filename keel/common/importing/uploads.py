"""An uploaded file kept between an import page's preview and its import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.common.importing.engine import run_import
from keel.common.importing.kinds import STAGED_FOR, find_kind
from keel.common.importing.report import ImportReport
from keel.common.models import ImportUpload
from keel.core import changelog
from keel.core.changelog import Actor
from keel.core.services import ServiceError

# An uploaded file waits between its preview and its import. Its kind may say, after a colon,
# what it was uploaded for ("responses:12": round 12), so a page takes back only its own uploads.


def stage_upload(actor: Actor, kind_name: str, filename: str, data: bytes) -> ImportUpload:
    """Keep an uploaded file for its import; uploads left unconfirmed for a day are dropped."""
    ImportUpload.objects.filter(imported_at=None, created_at__lt=timezone.now() - STAGED_FOR).delete()
    upload: ImportUpload = ImportUpload.objects.create(
        kind=kind_name, filename=filename[:255], content=data, created_by=actor.user
    )
    return upload


@transaction.atomic
def import_upload(
    actor: Actor, upload: ImportUpload, skip_invalid: bool = False, ignore: Iterable[str] = (), **params: Any
) -> ImportReport:
    """Import a kept upload once; its content is dropped once imported, and the import is recorded."""
    upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.imported_at is not None:
        when = timezone.localtime(upload.imported_at)
        raise ServiceError(
            f"This file was already imported, on {when:%d/%m/%Y at %H:%M}: upload it again to re-import."
        )
    kind = find_kind(upload.kind.partition(":")[0])
    data = bytes(upload.content)
    report = run_import(kind, data, upload.filename, actor, skip_invalid=skip_invalid, ignore=ignore, **params)
    if report.written:
        upload.imported_at, upload.content = timezone.now(), b""
        upload.save(update_fields=["imported_at", "content"])
        if not kind.records_itself:
            changelog.record(actor, "import.completed", upload, {"rows": [None, report.rows]}, note=report.verdict)
    return report
