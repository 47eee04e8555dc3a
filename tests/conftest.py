"""One base setup with named users, so access is tested everywhere by default.

Workspace A ("northshire") has an admin, an editor and a viewer; workspace B ("southvale")
has the outsider. Tests that touch workspace records run inside `scope_a` (or their own
`workspace_scope`), the same mechanism the pages and commands use.
"""

import os

import pytest

os.environ.setdefault("KEEL_DATA_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "keel-test-data"))


@pytest.fixture
def workspace_a(db):
    from keel.core.changelog import Actor
    from keel.core.services import create_workspace

    return create_workspace(Actor(via="test"), "Northshire ICS")


@pytest.fixture
def workspace_b(db):
    from keel.core.changelog import Actor
    from keel.core.services import create_workspace

    return create_workspace(Actor(via="test"), "Southvale Network")


def _user(username, workspace, role):
    from django.contrib.auth import get_user_model

    from keel.core.changelog import Actor
    from keel.core.services import set_membership

    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="correct horse battery"
    )
    set_membership(Actor(via="test"), workspace, user, role)
    return user


@pytest.fixture
def admin(workspace_a):
    return _user("alice", workspace_a, "admin")


@pytest.fixture
def editor(workspace_a):
    return _user("eddie", workspace_a, "editor")


@pytest.fixture
def viewer(workspace_a):
    return _user("vera", workspace_a, "viewer")


@pytest.fixture
def outsider(workspace_b):
    return _user("oscar", workspace_b, "admin")


@pytest.fixture
def scope_a(workspace_a):
    from keel.core.tenancy import workspace_scope

    with workspace_scope(workspace_a):
        yield workspace_a


@pytest.fixture
def actor(admin):
    from keel.core.changelog import Actor

    return Actor(user=admin, via="test")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def make_partnership(scope_a, actor):
    """A factory: an active partnership with `n` new member organisations."""
    from keel.register import services

    counter = {"n": 0}

    def make(name=None, n=2, **values):
        counter["n"] += 1
        index = counter["n"]
        organisations = [
            services.save_organisation(actor, {"name": f"Organisation {index}-{i}", "sector": "Charity"})
            for i in range(n)
        ]
        values = {"name": name or f"Partnership {index}", "status": "active", **values}
        return services.save_partnership(actor, values, organisations=organisations)

    return make


@pytest.fixture(autouse=True)
def _no_kept_advice():
    """Each test starts with no portfolio advice kept from another's (rolled-back) data."""
    from keel.decisions.evidence import forget_kept_advice

    forget_kept_advice()
    yield
