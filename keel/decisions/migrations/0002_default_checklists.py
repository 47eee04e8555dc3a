"""Existing workspaces get Keel's checklists and decision settings, as new ones do."""

from django.db import migrations

from keel.decisions.defaults import CHECKLISTS


def add_defaults(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    Criterion = apps.get_model("decisions", "Criterion")
    DecisionSettings = apps.get_model("decisions", "DecisionSettings")
    for workspace in Workspace.objects.all():
        DecisionSettings.objects.get_or_create(workspace=workspace)
        if not Criterion.objects.filter(workspace=workspace).exists():
            Criterion.objects.bulk_create(
                Criterion(workspace=workspace, kind=kind, text=text, key=key, guidance=guidance, position=position)
                for kind, items in CHECKLISTS.items()
                for position, (text, key, guidance) in enumerate(items, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial"), ("core", "0003_workspace_indicator_tolerance")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
