"""The instrument pages (list, definition, loading one) and a round's response import page."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from keel.assessments import services
from keel.assessments.definitions import parse_definition
from keel.assessments.models import Instrument, Response
from keel.core.models import ChangeRecord

DATA = Path(__file__).parent.parent / "data"
TEAM_CLIMATE = (DATA / "instrument-team-climate.yaml").read_text(encoding="utf-8")


def url(workspace, name, **kwargs):
    return reverse(f"assessments:{name}", kwargs={"ws": workspace.slug, **kwargs})


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def health_check(scope_a):
    return services.health_check()


# The list and one definition ---------------------------------------------------------------


def test_the_list_shows_every_instrument_with_its_versions(client, admin, workspace_a, health_check, actor):
    services.load_instrument(actor, TEAM_CLIMATE)
    client.force_login(admin)
    page = text_of(client.get(url(workspace_a, "instruments")))
    assert "Partnership health check" in page and "Team climate check" in page
    assert "Built into Keel" in page and "Imported" in page
    assert "<td>25</td>" in page and "<td>10</td>" in page  # statements and dimensions of the health check
    assert url(workspace_a, "instrument_upload") in page  # admins may load one
    assert url(workspace_a, "instrument", pk=health_check.pk) in page


def test_a_viewer_can_read_instruments_but_not_load_one(client, viewer, workspace_a, health_check):
    client.force_login(viewer)
    page = client.get(url(workspace_a, "instruments"))
    assert page.status_code == 200 and url(workspace_a, "instrument_upload") not in text_of(page)
    assert client.get(url(workspace_a, "instrument", pk=health_check.pk)).status_code == 200
    assert client.get(url(workspace_a, "instrument_upload")).status_code == 403


def test_an_editor_cannot_load_an_instrument(client, editor, workspace_a, scope_a):
    client.force_login(editor)
    assert client.get(url(workspace_a, "instrument_upload")).status_code == 403
    assert client.post(url(workspace_a, "instrument_upload"), {"text": TEAM_CLIMATE}).status_code == 403
    assert not Instrument.objects.filter(key="team-climate").exists()


def test_a_definition_is_readable_whole(client, viewer, workspace_a, health_check):
    client.force_login(viewer)
    page = text_of(client.get(url(workspace_a, "instrument", pk=health_check.pk)))
    spec = health_check.spec
    for dimension in spec.dimensions:
        assert dimension.label in page and escape(dimension.description) in page
    for item in spec.items:
        assert item.key in page
    assert page.count("<strong>Reverse-scored</strong>") == sum(item.reverse for item in spec.items)
    assert "What works well in this partnership?" in page
    assert "Neither agree nor disagree" in page and "Not applicable / don&#x27;t know" in page
    assert "No round uses this version yet" in page


def test_a_definition_downloads_as_a_loadable_yaml_file(client, viewer, workspace_a, health_check):
    client.force_login(viewer)
    response = client.get(url(workspace_a, "instrument", pk=health_check.pk), {"format": "yaml"})
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="keel-health-check-v1.yaml"'
    text = response.content.decode()
    assert parse_definition(text).to_data() == health_check.definition
    assert yaml.safe_load(text)["scale"]["na"] == "Not applicable / don't know"


def test_pages_make_a_bounded_number_of_queries(client, admin, workspace_a, health_check, actor):
    client.force_login(admin)

    def queries(name, **kwargs):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(workspace_a, name, **kwargs)).status_code == 200
        return len(context)

    queries("instruments")  # the first page of a visit also keeps the workspace in the session
    few = queries("instruments"), queries("instrument", pk=health_check.pk)
    for n in range(5):
        services.load_instrument(actor, TEAM_CLIMATE.replace("team-climate", f"team-climate-{n}"))
    assert (queries("instruments"), queries("instrument", pk=health_check.pk)) == few


# Loading a definition ------------------------------------------------------------------------


def upload(client, workspace, data: bytes, name="definition.yaml", **fields):
    return client.post(url(workspace, "instrument_upload"), {"file": SimpleUploadedFile(name, data), **fields})


def test_an_admin_loads_a_definition_file(client, admin, workspace_a, scope_a):
    client.force_login(admin)
    page = client.get(url(workspace_a, "instrument_upload"))
    assert page.status_code == 200 and 'type="file"' in text_of(page) and "<textarea" in text_of(page)
    response = upload(client, workspace_a, TEAM_CLIMATE.encode("utf-8-sig"))
    instrument = Instrument.objects.get(key="team-climate")
    assert response.status_code == 302 and response["Location"] == url(workspace_a, "instrument", pk=instrument.pk)
    page = text_of(client.get(response["Location"]))
    assert "Loaded Team climate check as a new instrument, version 1: 2 dimensions, 4 statements, 1 question." in page
    again = client.post(url(workspace_a, "instrument_upload"), {"text": TEAM_CLIMATE}, follow=True)
    assert "Team climate check is unchanged" in text_of(again)


def test_a_changed_definition_in_use_becomes_a_new_version(client, admin, workspace_a, actor, make_partnership):
    from keel.register import services as register

    instrument, _ = services.load_instrument(actor, TEAM_CLIMATE)
    partnership = make_partnership()
    person = register.save_person(actor, {"name": "Sam", "organisation": partnership.members.first().organisation})
    today = dt.date.today()
    services.create_round(actor, partnership, instrument, today, today, invitees=[person])
    client.force_login(admin)
    changed = TEAM_CLIMATE.replace("steady pace", "good pace")
    page = text_of(client.post(url(workspace_a, "instrument_upload"), {"text": changed}, follow=True))
    assert "Loaded Team climate check as version 2: version 1 is used by 1 round and is kept." in page
    assert list(Instrument.objects.filter(key="team-climate").values_list("version", flat=True)) == [2, 1]
    listing = text_of(client.get(url(workspace_a, "instruments")))
    assert 'Version 2</a> <span class="badge">latest</span>' in listing


def test_a_bad_definition_lists_every_problem_and_keeps_the_text(client, admin, workspace_a, scope_a):
    client.force_login(admin)
    mistakes = (DATA / "instrument-mistakes.yaml").read_text(encoding="utf-8")
    response = upload(client, workspace_a, mistakes.encode())
    page = text_of(response)
    assert response.status_code == 400
    assert "The definition was not loaded: 11 problems to correct" in page
    assert "Line 17: item &#x27;voice-heard&#x27; belongs to dimension &#x27;voise&#x27;" in page
    assert page.index("Line 1:") < page.index("Line 27:")
    assert "prompt key &#x27;voice-heard&#x27; is also an item key" in page
    assert "dimension: voise" in page  # the file's text is in the box, to correct there
    pasted = client.post(url(workspace_a, "instrument_upload"), {"text": "id: a\ntitle: A\ndimensions: []\n"})
    assert pasted.status_code == 400 and "Line 3: &#x27;dimensions&#x27; is empty." in text_of(pasted)
    assert "dimensions: []" in text_of(pasted)
    assert not Instrument.objects.exclude(builtin=True).exists()


def test_an_upload_that_is_not_a_utf8_definition_is_refused_on_its_field(client, admin, workspace_a, scope_a):
    client.force_login(admin)
    response = upload(client, workspace_a, b"id: a\ntitle: caf\xe9\n")
    assert response.status_code == 400 and "The file is not UTF-8 text" in text_of(response)
    nothing = client.post(url(workspace_a, "instrument_upload"), {"text": "  "})
    assert nothing.status_code == 400 and "Choose a definition file, or paste a definition" in text_of(nothing)


# A round's response import -------------------------------------------------------------------


@pytest.fixture
def survey_round(scope_a, actor):
    from keel.register import services as register

    names = ["Northshire Mind", "Northshire Community NHS Trust", "Age UK Northshire"]
    organisations = [register.save_organisation(actor, {"name": name}) for name in names]
    partnership = register.save_partnership(
        actor, {"name": "Dementia Pathway", "status": "active"}, organisations=organisations
    )
    today = dt.date.today()
    made, _ = services.create_round(
        actor, partnership, services.health_check(), today, today + dt.timedelta(days=7), invitees=[], open_limit=9
    )
    return made


def post_file(client, workspace, round_, data, name="answers.csv"):
    return client.post(url(workspace, "round_import", pk=round_.pk), {"file": SimpleUploadedFile(name, data)})


def test_an_editor_previews_then_imports_a_survey_file(client, editor, workspace_a, survey_round):
    from keel.common.models import ImportUpload

    client.force_login(editor)
    page = client.get(url(workspace_a, "round_import", pk=survey_round.pk))
    assert page.status_code == 200 and "one row per respondent" in text_of(page)
    preview = post_file(client, workspace_a, survey_round, (DATA / "responses-google-forms.csv").read_bytes())
    text = text_of(preview)
    assert "Nothing was written yet. The file is ready to import: 5 responses." in text
    assert "Email Address" in text and "never stored" in text
    assert "statement purpose-unclear: Partners often pull in different directions." in text
    assert not Response.objects.exists()
    upload = ImportUpload.objects.get()
    done = client.post(url(workspace_a, "round_import", pk=survey_round.pk), {"upload": upload.pk, "action": "import"})
    assert "Imported 5 responses." in text_of(done) and "The round now has 5 responses" in text_of(done)
    assert Response.objects.filter(round=survey_round, source="import").count() == 5
    record = ChangeRecord.objects.get(action="round.responses_imported")
    assert (record.actor, record.via) == (editor, "web import")
    assert not ChangeRecord.objects.filter(action="import.completed").exists()  # the round's record is the one
    again = client.post(url(workspace_a, "round_import", pk=survey_round.pk), {"upload": upload.pk, "action": "import"})
    assert again.status_code == 409 and "This file was imported already." in text_of(again)
    resent = post_file(client, workspace_a, survey_round, (DATA / "responses-google-forms.csv").read_bytes())
    assert "This file was already imported into this round on" in text_of(resent)
    assert Response.objects.count() == 5


def test_unknown_columns_can_be_ticked_to_be_ignored(client, editor, workspace_a, survey_round):
    from keel.common.models import ImportUpload

    client.force_login(editor)
    data = b"Organisation,Team,trust-rely\r\nNorthshire Mind,Blue,4\r\n"
    text = text_of(post_file(client, workspace_a, survey_round, data))
    assert "The file has columns Keel does not recognise: Team." in text
    assert 'name="ignore" value="Team"' in text and "Import 1 response" not in text
    upload = ImportUpload.objects.get()
    address = url(workspace_a, "round_import", pk=survey_round.pk)
    again = text_of(client.post(address, {"upload": upload.pk, "action": "preview", "ignore": ["Team"]}))
    assert "Ignored as asked: Team." in again and "Import 1 response" in again
    assert 'value="Team" id="ignore-1" checked' in again
    client.post(address, {"upload": upload.pk, "action": "import", "ignore": ["Team"]})
    assert Response.objects.get().answers == {"trust-rely": 4}


def test_problems_are_listed_and_nothing_is_imported(client, editor, workspace_a, survey_round):
    client.force_login(editor)
    data = b"Organisation,trust-rely\r\nNowhere,4\r\nNorthshire Mind,9\r\n"
    text = text_of(post_file(client, workspace_a, survey_round, data))
    assert "2 invalid rows" in text
    assert "Row 2, column Organisation: &#x27;Nowhere&#x27; is not an organisation in this workspace." in text
    assert "Row 3, column trust-rely: &#x27;9&#x27; is not an answer on the scale" in text
    assert "Import 2 responses" not in text and "Upload a corrected file" in text
    refused = post_file(client, workspace_a, survey_round, b"")
    assert refused.status_code == 400 and "The submitted file is empty." in text_of(refused)
    junk = post_file(client, workspace_a, survey_round, b"\x00\x01\x02" * 500, "junk.csv")
    assert junk.status_code == 400 and "not a spreadsheet Keel can read" in text_of(junk)


def test_an_upload_is_imported_only_into_its_own_round(client, editor, workspace_a, survey_round, actor):
    from keel.common.models import ImportUpload

    today = dt.date.today()
    other, _ = services.create_round(
        actor, survey_round.partnership, survey_round.instrument, today, today, invitees=[], open_limit=3
    )
    client.force_login(editor)
    post_file(client, workspace_a, survey_round, b"trust-rely\r\n4\r\n")
    upload = ImportUpload.objects.get()
    stolen = client.post(url(workspace_a, "round_import", pk=other.pk), {"upload": upload.pk, "action": "import"})
    assert stolen.status_code == 409 and "This file is no longer kept. Upload it again" in text_of(stolen)
    assert not Response.objects.exists()


def test_a_viewer_cannot_import_responses(client, viewer, workspace_a, survey_round):
    client.force_login(viewer)
    assert client.get(url(workspace_a, "round_import", pk=survey_round.pk)).status_code == 403
    assert post_file(client, workspace_a, survey_round, b"trust-rely\r\n4\r\n").status_code == 403
