"""Workspaces made before assessments existed get Keel's own instruments too (new ones get them on creation)."""

from pathlib import Path

from django.db import migrations


def give_builtin_instruments(apps, schema_editor):
    from keel.assessments.definitions import parse_definition

    Workspace = apps.get_model("core", "Workspace")
    Instrument = apps.get_model("assessments", "Instrument")
    folder = Path(__file__).resolve().parent.parent / "instruments"
    for path in sorted(folder.glob("*.yaml")):
        definition = parse_definition(path.read_text(encoding="utf-8"))
        for workspace in Workspace.objects.all():
            if not Instrument.objects.filter(workspace=workspace, key=definition.id).exists():
                Instrument.objects.create(
                    workspace=workspace,
                    key=definition.id,
                    version=1,
                    title=definition.title,
                    definition=definition.to_data(),
                    builtin=True,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("core", "0002_workspace_band_strength_workspace_band_watch_and_more"),
    ]

    operations = [migrations.RunPython(give_builtin_instruments, migrations.RunPython.noop)]
