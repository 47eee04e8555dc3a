"""ImportUpload moved to keel.common (the import engine's app); its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0003_partnership_contact_every_days_keypersonchange"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ImportUpload")]),
    ]
