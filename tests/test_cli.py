"""The `keel` command as a person runs it: in a fresh data folder, in a subprocess."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def keel(*args, data_dir, timeout=120, **kwargs):
    env = {**os.environ, "KEEL_DATA_DIR": str(data_dir), "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "keel", *args], capture_output=True, text=True, env=env, timeout=timeout, **kwargs
    )


def test_version(tmp_path):
    result = keel("version", data_dir=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("keel ")


def test_commands_on_a_database_not_yet_made_say_to_migrate(tmp_path):
    result = keel("workspace", "create", "Northshire", data_dir=tmp_path)
    assert result.returncode == 1
    assert "run `keel migrate` first" in result.stderr and "Traceback" not in result.stderr


def test_workspace_create_prints_the_slug_and_commands_need_one_only_when_there_are_several(tmp_path):
    assert keel("migrate", "-v0", data_dir=tmp_path).returncode == 0
    created = keel("workspace", "create", "Northshire  ICS", data_dir=tmp_path)
    assert created.stdout.strip() == "northshire-ics"
    assert keel("audit", data_dir=tmp_path).returncode == 0
    keel("workspace", "create", "Southvale", data_dir=tmp_path)
    refused = keel("audit", data_dir=tmp_path)
    assert refused.returncode == 1 and "--workspace" in refused.stderr and "northshire-ics" in refused.stderr
    assert keel("audit", "--workspace", "southvale", data_dir=tmp_path).returncode == 0
    unknown = keel("audit", "--workspace", "nowhere", data_dir=tmp_path)
    assert unknown.returncode == 1 and "No workspace 'nowhere'" in unknown.stderr


def test_run_prepares_an_empty_database_with_the_demo_and_a_login(tmp_path):
    result = keel("run", "--no-serve", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Log in as admin with password " in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout
    again = keel("run", "--no-serve", data_dir=tmp_path)
    assert "Log in with your user" in again.stdout and "with password" not in again.stdout
    assert keel("workspace", "list", data_dir=tmp_path).stdout.count("\n") == 1  # no second demo


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_pages_and_static_files(tmp_path):
    assert keel("migrate", "-v0", data_dir=tmp_path).returncode == 0
    port = free_port()
    env = {**os.environ, "KEEL_DATA_DIR": str(tmp_path), "KEEL_PORT": str(port)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "keel", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/accounts/login/", timeout=2) as response:
                    assert response.status == 200 and b"Log in to Keel" in response.read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("keel serve did not answer within 10 seconds")
        with urllib.request.urlopen(base + "/static/keel/keel.css", timeout=2) as response:
            assert response.status == 200
        with urllib.request.urlopen(base + "/static/keel/vendor/htmx-2.0.8.min.js", timeout=2) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_createadmin_makes_an_admin_of_the_only_workspace_and_resets_a_password(workspace_a):
    from io import StringIO

    from django.contrib.auth import authenticate
    from django.core.management import call_command

    from keel.core.models import Membership

    out = StringIO()
    call_command("createadmin", "--username", "ada", "--email", "ada@example.org", stdout=out)
    password = out.getvalue().split("Password: ")[1].split()[0]
    assert authenticate(username="ada", password=password)
    assert Membership.objects.get(user__username="ada").role == "admin"
    call_command("createadmin", "--username", "ada", stdout=(again := StringIO()))
    assert not authenticate(username="ada", password=password)
    assert authenticate(username="ada", password=again.getvalue().split("Password: ")[1].split()[0])


@pytest.mark.django_db
def test_workspace_create_refuses_an_empty_name():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="needs a name"):
        call_command("workspace", "create", "   ")


def test_run_gives_a_login_to_a_database_that_has_workspaces_but_no_users(tmp_path):
    assert keel("migrate", "-v0", data_dir=tmp_path).returncode == 0
    assert keel("demo", data_dir=tmp_path).returncode == 0
    result = keel("run", "--no-serve", data_dir=tmp_path)
    assert "Log in as admin with password " in result.stdout and "loading the demo" not in result.stdout


def test_a_refusal_reads_as_keel_not_as_a_django_class(tmp_path):
    assert keel("migrate", "-v0", data_dir=tmp_path).returncode == 0
    assert keel("workspace", "create", "Northshire", data_dir=tmp_path).returncode == 0
    result = keel("import", "organisations", str(tmp_path / "missing.csv"), data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("keel: There is no file") and "CommandError" not in result.stderr
