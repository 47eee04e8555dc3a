"""The `keel` command: Django's management commands under Keel's own name.

`keel serve`, `keel demo`, `keel import …`, `keel audit` and the rest are management
commands of Keel's apps; Django's own (`migrate`, `check`, `shell`…) work too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    from django.core.management import ManagementUtility

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"-V", "--version"}:
        argv = ["version"]
    ManagementUtility(["keel", *argv]).execute()


if __name__ == "__main__":
    main()
