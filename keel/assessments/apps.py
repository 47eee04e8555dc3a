from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "keel.assessments"
    label = "assessments"
    verbose_name = "Assessments"
