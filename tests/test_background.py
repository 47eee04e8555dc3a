"""Background work runs in the workspace whose id it was given, and in nothing it inherited."""

import threading
from contextvars import ContextVar

import pytest
from django.db import connection

from keel.core.background import NoSuchWorkspace, run_in_workspace
from keel.core.models import Workspace
from keel.core.tenancy import current_workspace, enter_scope, scoped_workspace_id, workspace_scope
from keel.register.models import Organisation

pytestmark = pytest.mark.django_db

caller_only = ContextVar("caller_only", default="not inherited")


def names():
    return sorted(Organisation.objects.values_list("name", flat=True))


def test_the_work_sees_the_workspace_of_the_id_not_the_callers(workspace_a, workspace_b):
    with workspace_scope(workspace_b):
        Organisation.objects.create(name="Only in B")
    with workspace_scope(workspace_a):
        Organisation.objects.create(name="Only in A")
        assert run_in_workspace(workspace_b.pk, names) == ["Only in B"]
        # The caller's scope is as it was.
        assert names() == ["Only in A"]


def test_nothing_of_the_callers_context_leaks_in(workspace_a, workspace_b):
    token = caller_only.set("the caller's")
    try:
        with workspace_scope(workspace_a):
            assert run_in_workspace(workspace_b.pk, caller_only.get) == "not inherited"
    finally:
        caller_only.reset(token)


def test_nothing_of_the_work_leaks_out(workspace_a, workspace_b):
    def forgets_to_reset():
        enter_scope(workspace_a)  # a bug in the work: its scope is never reset
        caller_only.set("the work's")

    with workspace_scope(workspace_b):
        run_in_workspace(workspace_b.pk, forgets_to_reset)
        assert scoped_workspace_id() == workspace_b.pk
    assert scoped_workspace_id() is None
    assert caller_only.get() == "not inherited"


def test_the_id_is_what_travels(workspace_a):
    def which():
        return current_workspace()

    loaded = run_in_workspace(workspace_a.pk, which)
    assert loaded.pk == workspace_a.pk
    assert loaded is not workspace_a  # loaded afresh from the id, as a worker would
    with pytest.raises(TypeError, match="id"):
        run_in_workspace(workspace_a, which)
    with pytest.raises(TypeError, match="id"):
        run_in_workspace(workspace_a.slug, which)


def test_a_workspace_that_does_not_exist_is_refused_clearly(workspace_a):
    gone = workspace_a.pk + 1000
    with pytest.raises(NoSuchWorkspace, match=f"no workspace with id {gone}"):
        run_in_workspace(gone, names)
    # Callers that already handle a missing workspace need nothing new.
    assert issubclass(NoSuchWorkspace, Workspace.DoesNotExist)


def test_arguments_and_the_result_pass_through(workspace_a):
    def add(a, b, *, c):
        return (a + b + c, current_workspace().pk)

    assert run_in_workspace(workspace_a.pk, add, 1, 2, c=3) == (6, workspace_a.pk)


@pytest.mark.django_db(transaction=True)  # the thread has its own connection: the rows must be committed
def test_it_works_from_a_thread(workspace_a, workspace_b):
    with workspace_scope(workspace_b):
        Organisation.objects.create(name="Only in B")
    results, errors = [], []

    def worker(workspace_id):
        try:
            results.append(run_in_workspace(workspace_id, names))
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    with workspace_scope(workspace_a):
        thread = threading.Thread(target=worker, args=(workspace_b.pk,))
        thread.start()
        thread.join(timeout=30)
    assert not errors
    assert results == [["Only in B"]]
