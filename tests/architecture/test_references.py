"""Workspace isolation for references: no record of A may point at a record of B.

The cases are found from the models themselves (every foreign key of every workspace-owned
model to another workspace-owned model), so a new model or a new foreign key is covered
without anyone remembering to add it here.
"""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from keel.core.tenancy import NoWorkspaceScope, WorkspaceOwned, workspace_scope

pytestmark = pytest.mark.django_db


def workspace_owned_models():
    return [model for model in apps.get_models() if issubclass(model, WorkspaceOwned)]


def reference_cases():
    """(model, field) for every foreign key (or one-to-one) between two workspace-owned models."""
    return [
        (model, field)
        for model in workspace_owned_models()
        for field in model._meta.concrete_fields
        if field.is_relation and issubclass(field.related_model, WorkspaceOwned)
    ]


def record_of(objects, model):
    found = [value for value in objects.values() if type(value) is model]
    assert found, f"add a {model.__name__} to one_of_each() in tests/architecture/conftest.py"
    return found[0]


def test_the_walk_finds_the_references_that_matter():
    found = {f"{model.__name__}.{field.name}" for model, field in reference_cases()}
    expected = {"PartnershipMember.organisation", "Referral.to_organisation", "Action.owner", "Response.invitation"}
    assert expected <= found
    assert len(found) > 25, found


def test_a_record_cannot_refer_to_a_record_of_another_workspace(objects, objects_b, workspace_a):
    not_refused = []
    for model, field in reference_cases():
        theirs = record_of(objects_b, field.related_model)
        existing = model.objects.order_by("pk").first()
        # An existing record of A changed to point at B's record, and a new record made so;
        # each once with B's record loaded and once with only its id (which the check must look up).
        for ours in (existing, model()):
            if ours is None:
                continue
            for assign in (field.name, field.attname):
                record = model.objects.get(pk=ours.pk) if ours.pk else model()
                setattr(record, assign, theirs if assign == field.name else theirs.pk)
                try:
                    record.save()
                except PermissionDenied as refusal:
                    assert field.name in str(refusal), refusal
                else:
                    not_refused.append(f"{model.__name__}.{assign} ({'existing' if ours.pk else 'new'})")
        if existing is not None:
            assert not model.all_workspaces.filter(pk=existing.pk, **{field.attname: theirs.pk}).exists()
    assert not not_refused, f"saved pointing at workspace B's record: {not_refused}"
    assert workspace_a.pk != objects_b["organisation"].workspace_id


def test_records_that_refer_within_their_workspace_save_again(objects):
    # The other half of the rule: nothing of A is refused for pointing at A.
    for model in workspace_owned_models():
        for record in model.objects.all():
            record.save()


def test_the_refusal_names_the_field(objects, objects_b):
    from keel.register.models import PartnershipMember

    member = PartnershipMember.objects.get(pk=objects["member"].pk)
    member.organisation = objects_b["organisation"]
    with pytest.raises(PermissionDenied, match="organisation refers to organisation .* not a record of this workspace"):
        member.save()


def test_bulk_create_refuses_a_reference_to_another_workspace_and_writes_nothing(objects, objects_b):
    from keel.activity.models import Attendance

    meeting, theirs = objects["meeting"], objects_b["organisation"]
    ours = [member.organisation_id for member in objects["partnership"].members.all()]
    Attendance.objects.filter(meeting=meeting).delete()
    fine = [Attendance(meeting=meeting, organisation_id=pk, status="attended") for pk in ours]
    for bad in (
        Attendance(meeting=meeting, organisation_id=theirs.pk, status="attended"),
        Attendance(meeting=meeting, organisation=theirs, status="attended"),
        Attendance(meeting_id=objects_b["meeting"].pk, organisation_id=ours[0], status="attended"),
    ):
        with pytest.raises(PermissionDenied, match="refers to"):
            Attendance.objects.bulk_create([*fine, bad])
        assert Attendance.objects.filter(meeting=meeting).count() == 0
    Attendance.objects.bulk_create(fine)
    assert Attendance.objects.filter(meeting=meeting).count() == len(fine)


def test_bulk_create_checks_each_foreign_key_once_for_the_whole_batch(objects):
    from keel.activity.models import Attendance, Meeting

    organisations = [member.organisation_id for member in objects["partnership"].members.all()]
    meetings = Meeting.objects.bulk_create(
        Meeting(partnership=objects["partnership"], date=objects["meeting"].date) for _ in range(30)
    )
    rows = [Attendance(meeting_id=m.pk, organisation_id=o, status="attended") for m in meetings for o in organisations]
    with CaptureQueriesContext(connection) as queries:
        Attendance.objects.bulk_create(rows)
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    # One look-up for the meetings and one for the organisations, whatever the number of rows.
    assert len(selects) == 2, selects


def test_a_loaded_reference_is_checked_without_a_query(objects):
    from keel.register.models import PartnershipMember

    member = PartnershipMember.objects.select_related("partnership", "organisation", "contact").get(
        pk=objects["member"].pk
    )
    with CaptureQueriesContext(connection) as queries:
        member.save()
    assert not [q["sql"] for q in queries if q["sql"].startswith("SELECT")]


def test_an_existing_record_cannot_be_saved_outside_any_workspace_scope(objects):
    partnership = objects["partnership"]
    with workspace_scope(None), pytest.raises(NoWorkspaceScope, match="saved with no current workspace"):
        partnership.save()
    with workspace_scope(None), pytest.raises(NoWorkspaceScope):
        type(partnership).objects.bulk_create([])


def multi_column_rules(model):
    """(what, fields) for each index and unique rule of `model` over more than one column."""
    meta = model._meta
    for index in meta.indexes:
        yield f"index {index.name}", list(index.fields) or ["<expressions>"]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            yield f"constraint {constraint.name}", list(constraint.fields) or ["<expressions>"]
    for fields in meta.unique_together:
        yield "unique_together", list(fields)


def test_every_multi_column_index_on_a_workspace_table_starts_with_workspace():
    # DESIGN.md, "Built to shard by tenant": indexes start with the workspace, and a sharded
    # database can only enforce a unique rule that includes the column it distributes by.
    wrong = [
        f"{model.__name__}: {what} {fields}"
        for model in workspace_owned_models()
        for what, fields in multi_column_rules(model)
        if (len(fields) > 1 or fields == ["<expressions>"]) and fields[0].lstrip("-") != "workspace"
    ]
    assert not wrong, wrong
