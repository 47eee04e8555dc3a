"""What the partnership page shows of decisions, as one dict under `decisions` in its context.

Each part adds its keys from its own module, in a fixed number of queries whatever the data.
"""

from __future__ import annotations

import datetime as dt

from keel.decisions import dissolution_queries
from keel.decisions.evidence import advise
from keel.decisions.record_page import partnership_records
from keel.decisions.review_page import review_section
from keel.decisions.services.start import latest_start
from keel.register.models import Partnership


def partnership_decisions(partnership: Partnership, today: dt.date) -> dict[str, object]:
    decisions: dict[str, object] = {}
    # Keel's recommendation, its reasons, lapsed terms and the next review (about fifteen queries).
    decisions["advice"] = advise(today, [partnership.pk], include_archived=True).get(partnership.pk)
    # Cost and value, recent events, open conflicts, what we know about each partner, indicators to settle.
    decisions["records"] = partnership_records(partnership, today)
    # The next review in words, the last decision and its reasons (one query).
    decisions["review"] = review_section(partnership, decisions["advice"], today)
    # The dissolution in progress or the one it ended by (no query unless dissolving or ended).
    decisions["dissolution"] = dissolution_queries.summary(partnership)
    # Who started it, when and why, with the start checklist as answered (two queries at most).
    decisions["start"] = latest_start(partnership)
    return decisions
