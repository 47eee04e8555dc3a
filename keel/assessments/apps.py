from django.apps import AppConfig
from django.db.models.signals import post_save


class AssessmentsConfig(AppConfig):
    name = "keel.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here (Django's own pattern),
        # not at the top of this module.
        from keel.assessments import receivers
        from keel.core.models import Workspace
        from keel.core.services import settings_changed

        post_save.connect(receivers.give_builtin_instruments, sender=Workspace, dispatch_uid="keel_builtin_instruments")
        settings_changed.connect(receivers.rescore, dispatch_uid="keel_rescore_rounds")
