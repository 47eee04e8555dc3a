"""The front door, in a real browser: a member logs in and lands on their workspace."""

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_member_logs_in_and_lands_on_partnerships(page, login, live_server, admin, workspace_a):
    login(admin)

    expect(page).to_have_url(f"{live_server.url}/w/{workspace_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partnerships")
    check_accessibility(page)
