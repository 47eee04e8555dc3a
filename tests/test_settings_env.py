"""keel/settings.py reads the environment: each case runs in a fresh interpreter.

Settings are read once per process, so every test starts Python afresh with a clean
environment of its own and reads the result back as JSON; the test process's own settings
are never touched.
"""

import json
import os
import stat
import subprocess
import sys

import pytest

SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "SECRET_KEY": settings.SECRET_KEY,
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATA_DIR": str(settings.DATA_DIR),
    "DATABASE": {key: str(value) for key, value in db.items() if key != "OPTIONS"},
    "OPTIONS": db.get("OPTIONS", {}),
}))
"""

JOURNAL_MODE = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(json.dumps({"journal_mode": cursor.fetchone()[0], "file": connection.settings_dict["NAME"]}))
"""


def run(code, data_dir, **env):
    """Run `code` in a new Python with only the environment given here; return its JSON output."""
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir.parent),
        "DJANGO_SETTINGS_MODULE": "keel.settings",
        "KEEL_DATA_DIR": str(data_dir),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "not-yet" / "keel"


def test_data_dir_holds_a_private_secret_key_reused_on_the_next_start(data_dir):
    first = run(SETTINGS, data_dir)

    key_file = data_dir / "secret_key"
    assert first["DATA_DIR"] == str(data_dir)
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run(SETTINGS, data_dir)["SECRET_KEY"] == first["SECRET_KEY"]


def test_sqlite_database_lives_in_the_data_dir(data_dir):
    settings = run(SETTINGS, data_dir)

    assert settings["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["DATABASE"]["NAME"] == str(data_dir / "keel.sqlite3")


def test_secret_key_from_the_environment_wins_and_no_file_is_written(data_dir):
    settings = run(SETTINGS, data_dir, KEEL_SECRET_KEY="from-the-environment")

    assert settings["SECRET_KEY"] == "from-the-environment"
    assert not (data_dir / "secret_key").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("0", False), ("false", False), ("no", False), ("1", True), ("true", True)],
)
def test_debug_is_off_unless_asked_for(data_dir, value, expected):
    env = {} if value is None else {"KEEL_DEBUG": value}

    assert run(SETTINGS, data_dir, **env)["DEBUG"] is expected


def test_allowed_hosts_default_to_this_machine(data_dir):
    assert run(SETTINGS, data_dir)["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]


def test_allowed_hosts_from_a_comma_separated_list(data_dir):
    settings = run(SETTINGS, data_dir, KEEL_ALLOWED_HOSTS=" keel.example.nhs.uk, .example.org,, ")

    assert settings["ALLOWED_HOSTS"] == ["keel.example.nhs.uk", ".example.org"]


def test_database_url_selects_postgresql(data_dir):
    settings = run(SETTINGS, data_dir, DATABASE_URL="postgres://keel:s3cret@db.example.org:6543/keel_prod")

    database = settings["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("keel_prod", "keel", "s3cret")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", "6543")
    # The SQLite tuning (WAL, busy timeout) must not leak into another engine's options.
    assert "init_command" not in settings["OPTIONS"]


def test_sqlite_runs_in_wal_mode(data_dir):
    result = run(JOURNAL_MODE, data_dir)

    assert result["journal_mode"] == "wal"
    assert result["file"] == str(data_dir / "keel.sqlite3")
