from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "keel.core"
    label = "core"
    verbose_name = "Keel core: workspaces, members and the audit trail"

    def ready(self):
        # Apps that act on the core's signals (a new workspace, changed settings) connect their
        # receivers in a `receivers` module, found here as Django's admin finds `admin` modules.
        autodiscover_modules("receivers")
