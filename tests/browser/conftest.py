"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser here (nor should CI depend on one), so it launches
the system chromium. Without it these tests skip on a laptop and fail on CI (CI=true), so a
CI machine cannot pass by skipping them; scripts/test.sh installs it where it can.

Every test here gets the `browser` mark (run them alone with `-m browser`), a fresh browser
context per test, a screenshot in test-results/ when it fails, and an accessibility check of
every page it visits (see axe.py).
"""

import os
import re
from pathlib import Path

import pytest
from axe import NavigationTracker, check_accessibility

# Playwright's sync API keeps an asyncio event loop in the test thread from the moment the
# browser starts, and Django then refuses every ORM call made in that thread, even by the
# non-browser tests that run later in the same worker. Keel has no async code to protect.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
# --no-sandbox: the suite runs as root in CI containers. The rest keep Chromium from calling
# Google's services, which a closed network refuses, noisily, at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"  # every user made by tests/conftest.py has it
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects by mark
def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so the `page` fixture knows at teardown whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"CI=true and {CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
        pytest.skip("browser tests skipped: install Debian's chromium (apt-get install chromium) to run them")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(request, browser, live_server):
    """A new page in its own browser context, with relative URLs resolved against the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    tracker = NavigationTracker(page)
    yield page
    try:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            save_screenshot(page, request)
        elif report is not None and report.passed:
            tracker.finish()
    finally:
        # Let requests the page still has in flight (a late htmx trigger) finish first: the
        # live server's threads share the test's database connection, and one answering
        # after the test has let go of it fails the run with "created in a thread".
        try:
            page.wait_for_load_state("networkidle", timeout=5_000)
        except Exception as error:  # a crashed page must not hide the test's own outcome
            print(f"The page did not go quiet before closing: {error}")
        context.close()


def save_screenshot(page, request):
    folder = request.config.rootpath / "test-results"
    folder.mkdir(exist_ok=True)
    path = folder / (re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_") + ".png")
    try:
        page.screenshot(path=path, full_page=True)
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"No screenshot of {page.url}: {error}")
    else:
        print(f"Screenshot of {page.url}: {path}")


@pytest.fixture
def login(page):
    """`login(user)` signs `user` in through the real login form, as a person would.

    Checks the login page's accessibility on the way, and returns once Keel has redirected to
    wherever it sends the user.
    """

    def log_in(user, password=PASSWORD):
        page.goto("/accounts/login/")
        check_accessibility(page)
        page.locator("input[name=username]").fill(user.get_username())
        page.locator("input[name=password]").fill(password)
        with page.expect_response(lambda r: r.request.method == "POST" and "/accounts/login/" in r.url) as posted:
            page.get_by_role("button", name="Log in").click()
        if posted.value.status != 302:
            page.wait_for_load_state()
            errors = page.locator(".errorlist, [role=alert]").all_inner_texts()
            pytest.fail(f"Logging in as {user.get_username()} failed: {errors or 'no redirect'}")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.wait_for_load_state()
        return page

    return log_in
