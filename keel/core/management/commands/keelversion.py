import platform

import django
from django.core.management.base import BaseCommand

import keel


class Command(BaseCommand):
    help = "Print Keel's version."

    def handle(self, *args, **options):
        self.stdout.write(
            f"keel {keel.__version__} (Django {django.get_version()}, Python {platform.python_version()})"
        )
