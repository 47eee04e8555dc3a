from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keel.core"
    label = "core"
    verbose_name = "Keel core: workspaces, members and the audit trail"
