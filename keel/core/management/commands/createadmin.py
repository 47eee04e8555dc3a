"""`keel createadmin`: create an administrator, or give an existing one a new password."""

from keel.core.changelog import Actor
from keel.core.management.base import KeelCommand, find_workspace
from keel.core.models import Workspace
from keel.core.services import create_admin

ACTOR = Actor(via="keel createadmin")


class Command(KeelCommand):
    help = "Create an administrator (or reset their password); the password is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--workspace", metavar="SLUG", help="make them admin of this workspace (default: the only one)"
        )

    def handle(self, *args, username, email, workspace, **options):
        target = None
        if workspace or Workspace.objects.count() == 1:
            target = find_workspace(workspace)
        user, password = create_admin(
            ACTOR, username.strip(), email=email.strip(), workspaces=[target] if target else []
        )
        where = f" and admin of {target.name} ({target.slug})" if target else ""
        self.stdout.write(f"User {user.username}{where}.")
        self.stdout.write(self.style.SUCCESS(f"Password: {password}"))
        self.stdout.write("It is shown only now; log in and change it under Password.")
