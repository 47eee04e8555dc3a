"""A file uploaded for an import, kept between its preview and the import itself (any kind of import)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keel.core.tenancy import WorkspaceOwned


class ImportUpload(WorkspaceOwned):
    """An uploaded file awaiting confirmation; its content is dropped once it is imported."""

    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when uploads belonged to the register.
        db_table = "register_importupload"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "imported_at", "created_at"], name="import_upload_pending")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.filename}"
