"""The `keel` command: Django's management commands under Keel's own name.

`keel serve`, `keel demo`, `keel import …`, `keel audit` and the rest are management
commands of Keel's apps; Django's own (`migrate`, `check`, `shell`…) work too. A failure
is reported as one readable line, never a traceback (`--traceback` shows one).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["-V"], ["--version"]):
        argv = ["version"]
    if argv[:1] == ["version"]:
        # Django's own utility answers "version" itself, before any command is looked up.
        argv[0] = "keelversion"
    from django.core.management import ManagementUtility

    try:
        ManagementUtility(["keel", *argv]).execute()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        if "--traceback" in argv or os.environ.get("KEEL_DEBUG"):
            raise
        sys.stderr.write(f"keel: {explain(error)}\n")
        sys.exit(1)


def explain(error: Exception) -> str:
    from django.db.utils import OperationalError, ProgrammingError

    text = str(error).strip() or type(error).__name__
    if isinstance(error, (OperationalError, ProgrammingError)):
        if "no such table" in text or "does not exist" in text:
            return "the database is not set up yet: run `keel migrate` first."
        return f"the database could not be used ({text}). Check DATABASE_URL and that the server is running."
    return f"{text} (run again with --traceback for details)"


if __name__ == "__main__":
    main()
