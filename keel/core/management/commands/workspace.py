"""`keel workspace create NAME` (prints the slug) and `keel workspace list`."""

from django.core.management.base import CommandError

from keel.core.changelog import Actor
from keel.core.management.base import KeelCommand
from keel.core.models import Workspace
from keel.core.services import ServiceError, create_workspace

ACTOR = Actor(via="keel workspace")


class Command(KeelCommand):
    help = "Create or list workspaces."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|list")
        create = sub.add_parser("create", help="create a workspace and print its slug")
        create.add_argument("name", nargs="+")
        sub.add_parser("list", help="list workspaces")

    def handle(self, *args, action, **options):
        if action == "create":
            try:
                workspace = create_workspace(ACTOR, " ".join(options["name"]))
            except ServiceError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(workspace.slug)
        else:
            for workspace in Workspace.objects.all():
                self.stdout.write(f"{workspace.slug}\t{workspace.name}")
