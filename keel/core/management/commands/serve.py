"""`keel serve`: the web app on a production-grade WSGI server (waitress), static files included."""

import os

from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from keel.core.management.base import KeelCommand


def pending_migrations() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def serve(host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from keel.wsgi import application

    stdout.write(f"Keel is serving on http://{host}:{port}/ (Ctrl+C stops it)\n")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="Keel", clear_untrusted_proxy_headers=True)


class Command(KeelCommand):
    help = "Serve Keel (waitress; static files by WhiteNoise). KEEL_HOST and KEEL_PORT set the address."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KEEL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KEEL_PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("KEEL_THREADS", "8")))

    def handle(self, *args, host, port, threads, **options):
        if pending_migrations():
            raise CommandError("The database is not up to date: run `keel migrate` first.")
        serve(host, port, threads, self.stdout)
