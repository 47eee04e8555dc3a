from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "keel.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
