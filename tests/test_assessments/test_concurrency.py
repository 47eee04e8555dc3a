"""200 respondents send their answers at the same moment to a running Keel server.

The server is `keel serve` (waitress, many threads) in its own process, not pytest-django's
live server: that one shares the test's single in-memory SQLite connection between its
threads, which would serialise everything and prove nothing. On SQLite the server uses a
database file in WAL mode, as a real installation does; with DATABASE_URL set (PostgreSQL) it
uses this test run's own test database. The data is made, and counted afterwards, by small
scripts run with the server's own settings, so the same test runs on both.
"""

import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

# transaction=True: on PostgreSQL the server must see the rows the seed script commits, and
# the test database is emptied afterwards (on SQLite the server has its own file).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RESPONDENTS = 200
SERVER_THREADS = 16

SEED = f"""
import datetime as dt, json, django
django.setup()
from django.db import transaction
from keel.assessments import services
from keel.core.changelog import Actor
from keel.core.services import create_workspace
from keel.core.tenancy import workspace_scope
from keel.register import services as register
from keel.register.models import Person

actor = Actor(via="test")
workspace = create_workspace(actor, "Concurrency Network")
with workspace_scope(workspace), transaction.atomic():
    organisations = [register.save_organisation(actor, {{"name": f"Organisation {{i}}"}}) for i in range(4)]
    partnership = register.save_partnership(
        actor, {{"name": "Load partnership", "status": "active"}}, organisations=organisations
    )
    Person.objects.bulk_create(
        Person(name=f"Person {{i}}", name_key=f"person {{i}}", organisation=organisations[i % 4])
        for i in range({RESPONDENTS})
    )
    today = dt.date.today()
    round_, _ = services.create_round(
        actor, partnership, services.health_check(), today, today + dt.timedelta(days=7)
    )
    tokens = [services.issue_link(actor, invitation) for invitation in round_.invitations.all()]
print(json.dumps({{"workspace": workspace.pk, "round": round_.pk, "tokens": tokens}}))
"""

COUNT = """
import json, sys, django
django.setup()
from django.db.models import Count
from keel.assessments.models import AssessmentRound, Response
from keel.core.models import Workspace
from keel.core.tenancy import workspace_scope

workspace_id, round_id = int(sys.argv[1]), int(sys.argv[2])
with workspace_scope(Workspace.objects.get(pk=workspace_id)):
    round_ = AssessmentRound.objects.get(pk=round_id)
    responses = Response.objects.filter(round=round_)
    print(json.dumps({
        "sent": responses.filter(submitted_at__isnull=False).count(),
        "rows": responses.count(),
        "twice": responses.values("invitation").annotate(n=Count("id")).filter(n__gt=1).count(),
        "response_count": round_.response_count,
        "summary_respondents": round_.summary.get("respondents"),
    }))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_env(tmp_path):
    """The environment of the server and the scripts: a data folder, and the database to use."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "keel.settings",
        "KEEL_DATA_DIR": str(tmp_path),
        "KEEL_SECRET_KEY": "concurrency-test-key",
        "KEEL_LOG_LEVEL": "ERROR",
    }
    if os.environ.get("DATABASE_URL"):
        # This run's own test database, already migrated.
        from django.db import connection

        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    else:
        env.pop("DATABASE_URL", None)
        run_python(["-m", "keel", "migrate", "-v", "0"], env)
    return env


def run_python(args, env) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def server(server_env, tmp_path):
    """`keel serve` on a free port; yields the port and stops the server afterwards."""
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below, after the server stops)
    process = subprocess.Popen(
        [sys.executable, "-m", "keel", "serve", "--port", str(port), "--threads", str(SERVER_THREADS)],
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "keel serve did not start within 60 s"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def request(port, method, path, body=None, cookie=""):
    """One request on its own connection (an idle kept-alive one would hold a server slot)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=90)
    headers = {"Connection": "close", "User-Agent": "Mozilla/5.0 (concurrency test)"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def respondent(port, token, barrier, results, index):
    """Open the link, wait for everyone, send answers at once, and read the thank-you page."""
    try:
        path = f"/respond/{token}/"
        status, headers, html = request(port, "GET", path)
        assert status == 200, f"form: {status}"
        cookie = SimpleCookie(headers.get("Set-Cookie", ""))
        csrf_cookie = f"csrftoken={cookie['csrftoken'].value}"
        form = {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)}
        chooser = random.Random(index)
        for key in sorted(set(re.findall(r'name="answer-([a-z0-9_-]+)"', html))):
            form[f"answer-{key}"] = chooser.choice(["1", "2", "3", "4", "5", "na"])
        form["comment-works"] = f"Respondent {index} says the meetings work."
        barrier.wait()
        status, headers, _ = request(port, "POST", path, urlencode(form), csrf_cookie)
        assert status == 303, f"send: {status}"
        status, _, html = request(port, "GET", urlsplit(headers["Location"]).path + "?sent=1", cookie=csrf_cookie)
        assert status == 200 and "Thank you" in html, f"thanks: {status}"
        results[index] = "thanked"
    except BaseException as error:  # every failure is reported with its respondent
        results[index] = f"{type(error).__name__}: {error}"
        barrier.abort()


def test_two_hundred_respondents_send_at_the_same_moment(server_env, server):
    made = json.loads(run_python(["-c", SEED], server_env).strip().splitlines()[-1])
    tokens = made["tokens"]
    assert len(tokens) == RESPONDENTS

    # Generous timeouts: a busy CI machine is slow, and only a stuck server should fail here.
    barrier = threading.Barrier(RESPONDENTS, timeout=120)
    results = [None] * RESPONDENTS
    threads = [
        threading.Thread(target=respondent, args=(server, token, barrier, results, i), daemon=True)
        for i, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    failures = [(i, result) for i, result in enumerate(results) if result != "thanked"]
    assert not failures, f"{len(failures)} respondents were not thanked, e.g. {failures[:5]}"

    counts = json.loads(run_python(["-c", COUNT, str(made["workspace"]), str(made["round"])], server_env))
    assert counts == {
        "sent": RESPONDENTS,
        "rows": RESPONDENTS,
        "twice": 0,
        "response_count": RESPONDENTS,
        "summary_respondents": RESPONDENTS,
    }
