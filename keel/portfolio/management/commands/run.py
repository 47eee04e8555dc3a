"""`keel run`: everything `make run` promises — migrate, demo data on first start, a login, serve."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from keel.core.changelog import Actor
from keel.core.management.base import KeelCommand
from keel.core.management.commands.serve import serve
from keel.core.models import Workspace
from keel.core.services import create_admin
from keel.portfolio.demo.build import build_demo

ACTOR = Actor(via="keel run")


class Command(KeelCommand):
    help = "Migrate, load the demo workspace if the database is empty, print a login and serve."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KEEL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KEEL_PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and stop")

    def handle(self, *args, host, port, no_serve, **options):
        database = connection.settings_dict["NAME"]
        self.stdout.write(f"Database: {database}")
        call_command("migrate", interactive=False, verbosity=0)
        if not Workspace.objects.exists():
            self.stdout.write("Empty database: loading the demo workspace…")
            build_demo(size="small", seed=1)
        if not get_user_model().objects.exists():
            # A database with workspaces but nobody to log in (made by `keel demo` or an
            # import) gets its first administrator too, admin of every workspace.
            user, password = create_admin(ACTOR, "admin", email="admin@example.org", workspaces=Workspace.objects.all())
            self.stdout.write(self.style.SUCCESS(f"Log in as {user.username} with password {password}"))
            self.stdout.write("(Shown once. `keel createadmin` sets a new one.)")
        else:
            self.stdout.write("Log in with your user. Forgotten the admin password? `keel createadmin` resets it.")
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self.stdout.write(self.style.SUCCESS(f"Open http://{host}:{port}/"))
        if not no_serve:
            serve(host, port, int(os.environ.get("KEEL_THREADS", "8")), self.stdout)
