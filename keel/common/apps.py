from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CommonConfig(AppConfig):
    name = "keel.common"
    label = "common"
    verbose_name = "Common"

    def ready(self):
        # Each app that offers an import declares its kinds in its own `importers` module;
        # finding them here (as Django's admin finds `admin` modules) keeps this layer from
        # naming the apps above it.
        autodiscover_modules("importers")
