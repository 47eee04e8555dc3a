"""Accessibility checks with axe-core, vendored in assets/ (MPL-2.0) so they run offline.

`check_accessibility(page)` fails on any serious or critical WCAG 2.2 A/AA violation on the
page as it is now. A `NavigationTracker` (the `page` fixture sets one up) makes sure no page a
test visits goes unchecked: a test calls `check_accessibility(page)` after each step that
lands on a new page; the fixture checks the page the test ends on, and fails the test if it
moved on from any page without checking it.

Why explicit calls and not a check fired by each navigation: Playwright's sync API runs event
handlers in the middle of other calls, where running a script in the page is unsafe, and by
the time a navigation event arrives the page before it is gone.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

AXE_SCRIPT = Path(__file__).parent / "assets" / "axe-4.11.0.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

_trackers: weakref.WeakKeyDictionary[Page, NavigationTracker] = weakref.WeakKeyDictionary()


def check_accessibility(page: Page) -> None:
    """Run axe on the page as it is now; fail on serious or critical WCAG violations."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    if tracker := _trackers.get(page):
        tracker.mark_checked()
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        raise AssertionError(describe(page.url, blocking))


def describe(url: str, violations: list[dict]) -> str:
    """A readable account of axe violations: rule, impact, help and where on the page."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        nodes = violation["nodes"]
        for node in nodes[:3]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"  at {target}")
            if summary := node.get("failureSummary"):
                lines.extend(f"    {line}" for line in summary.splitlines())
        if len(nodes) > 3:
            lines.append(f"  … and {len(nodes) - 3} more element(s)")
    return "\n".join(lines)


class NavigationTracker:
    """Remembers which pages a test landed on and which of them it checked."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.current: str | None = None
        self.checked = False
        self.missed: list[str] = []
        _trackers[page] = self
        page.on("framenavigated", self._navigated)
        page.on("load", lambda loaded: self._arrived(loaded.url, new_document=True))

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self._arrived(frame.url, new_document=False)

    def _arrived(self, url: str, new_document: bool) -> None:
        if not url.startswith(("http:", "https:")):
            return
        # Following a link to #main (the skip link) stays on the same page.
        url = urldefrag(url).url
        if url == self.current:
            # The same address loaded again is new content (a form shown with its errors, a
            # reload). The same address announced by the history API is not: htmx re-announces
            # the page it is on, sometimes after the check that followed it.
            if new_document:
                self.checked = False
            return
        if self.current is not None and not self.checked:
            self.missed.append(self.current)
        self.current, self.checked = url, False

    def mark_checked(self) -> None:
        self.checked = True

    def finish(self) -> None:
        """Check the page the test ended on, then fail if any earlier page went unchecked."""
        if self.current is not None and not self.checked:
            check_accessibility(self.page)
        if self.missed:
            raise AssertionError(
                "The test left these pages without checking their accessibility; call "
                "check_accessibility(page) after each step that lands on a new page:\n"
                + "\n".join(f"- {url}" for url in self.missed)
            )
