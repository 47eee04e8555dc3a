"""What the partnership page shows of reviews: the next review in words, the last decision, "Review now"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keel.decisions.evidence import Advice
from keel.decisions.models import Review
from keel.decisions.rules import ReviewDue
from keel.decisions.services.reviews import due_words
from keel.register.models import Partnership


@dataclass(frozen=True)
class ReviewSection:
    due: ReviewDue | None  # None: Keel has no advice on the partnership
    words: str  # "overdue by 12 days", "due in 3 days"
    last: Review | None

    @property
    def overdue(self) -> bool:
        return bool(self.due and self.due.overdue)


def review_section(partnership: Partnership, advice: object, today: dt.date) -> ReviewSection:
    """One query: the latest review; the due date comes with Keel's advice (an Advice, or None), already read."""
    last = Review.objects.filter(partnership=partnership).select_related("reviewer").order_by("-held_on", "-pk").first()
    due = advice.review if isinstance(advice, Advice) else None
    return ReviewSection(due, due_words(due.due, today) if due else "", last)
