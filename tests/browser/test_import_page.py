"""The import page in a real browser: upload, preview (a dry run), import; axe on every page."""

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.tenancy import workspace_scope
from keel.register.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

ORGANISATIONS = (
    b"Name,Sector,URL,Notes\nNorthshire Mind,Voluntary,mind.example.org,x\nAge UK Northshire,Charity,nope nope,\n"
)


def test_editor_previews_then_imports_the_valid_rows(page, login, editor, workspace_a, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(ORGANISATIONS)
    login(editor)
    check_accessibility(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    check_accessibility(page)

    page.get_by_label("The file holds").select_option("organisations")
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview: organisations from organisations.csv")
    expect(page.get_by_role("status")).to_contain_text("Dry run: nothing was written. 1 row of 2 is invalid.")
    expect(page.locator(".errors")).to_contain_text("Row 3, column website")
    expect(page.locator(".notice").last).to_contain_text("ignored: Notes")
    check_accessibility(page)
    with workspace_scope(workspace_a):
        assert not Organisation.objects.exists()

    page.get_by_role("button", name="Import the 1 valid row, skipping the invalid").click()
    expect(page.get_by_role("status")).to_have_text("Imported 1 row; skipped 1 invalid row.")
    check_accessibility(page)
    with workspace_scope(workspace_a):
        assert list(Organisation.objects.values_list("name", "website")) == [
            ("Northshire Mind", "https://mind.example.org")
        ]


def test_a_viewer_has_no_import_link(page, login, viewer):
    login(viewer)
    check_accessibility(page)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Import")).to_have_count(0)
