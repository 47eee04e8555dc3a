import platform

import django

import keel
from keel.core.management.base import KeelCommand


class Command(KeelCommand):
    help = "Print Keel's version."

    def handle(self, *args, **options):
        self.stdout.write(
            f"keel {keel.__version__} (Django {django.get_version()}, Python {platform.python_version()})"
        )
