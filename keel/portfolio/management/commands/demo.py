"""`keel demo [--size small|large] [--seed N] [--name NAME]`: a new demo workspace each time."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

from keel.core.management.base import KeelCommand
from keel.portfolio.demo.build import SIZES, build_demo


class Command(KeelCommand):
    help = "Create a new, realistic and reproducible demo workspace; prints its slug."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small", help="small (default) or large")
        parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same data (default 1)")
        parser.add_argument("--name", help="the workspace's name (a default is chosen by size)")

    def handle(self, *args, size, seed, name, **options):
        started = time.monotonic()
        # The bar goes to the terminal only: piped or captured output stays one clean line.
        with tqdm(total=None, unit=" rows", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:

            def progress(done: int, total: int, what: str) -> None:
                bar.total = total
                bar.set_description(what, refresh=False)
                bar.update(done)

            workspace = build_demo(size=size, seed=seed, name=name, progress=progress)
        if options["verbosity"] > 1:
            self.stderr.write(f"{workspace.name} built in {time.monotonic() - started:.1f}s.")
        self.stdout.write(workspace.slug)
