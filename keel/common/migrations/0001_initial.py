"""ImportUpload, moved here from the register: only Django's idea of the model moves, not the table."""

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("register", "0004_importupload_to_common"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportUpload",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=30)),
                        ("filename", models.CharField(max_length=255)),
                        ("content", models.BinaryField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("imported_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "register_importupload",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["workspace", "imported_at", "created_at"], name="import_upload_pending")
                        ],
                    },
                    managers=[
                        ("objects", django.db.models.manager.Manager()),
                        ("all_workspaces", django.db.models.manager.Manager()),
                    ],
                ),
            ]
        ),
    ]
