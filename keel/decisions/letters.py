"""Closing letters: a respectful letter to a partner at the end of a partnership, drafted from plain data.

Keel drafts; a person edits and sends. The draft thanks the partner, says what was achieved
together, why and when the partnership ends, and how the relationship continues. It never
quotes the internal reason for ending (which may be blunt) and blames no one. A fact that is
not known yet (no end date, no achievements written down, no contact named) is left out of the
letter rather than written as a gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LetterFacts:
    """What one letter is drafted from; everything but the two names may be missing."""

    partnership: str
    organisation: str  # the partner the letter goes to
    contact: str = ""  # the partner's single point of contact
    purpose: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None  # agreed with partners
    achievements: str = ""  # as the dissolution records them, one per line or as prose
    on_track: tuple[str, ...] = field(default=())  # outcome indicators on track, by name
    meetings: int | None = None  # meetings held together
    purpose_fulfilled: bool = False  # ending because what it set out to do is done
    lead: str = ""  # who signs
    lead_organisation: str = ""
    keep_in_touch_days: int | None = None


CADENCES = {
    7: "every week",
    14: "every two weeks",
    28: "every month",
    30: "every month",
    31: "every month",
    60: "every two months",
    61: "every two months",
    90: "every three months",
    91: "every three months",
    92: "every three months",
    182: "every six months",
    183: "every six months",
    365: "once a year",
}


def cadence(days: int) -> str:
    """A keep-in-touch cadence as people say it: 'every three months', 'every 45 days'."""
    if days == 1:
        return "every day"
    return CADENCES.get(days, f"every {days} days")


def long_date(day: dt.date) -> str:
    """3 December 2026."""
    return f"{day.day} {day:%B %Y}"


def _sentence_case_inside(text: str) -> str:
    """Lower the first letter of a phrase put inside a sentence, unless it starts an acronym or a name."""
    text = text.strip().rstrip(".").strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


def _achievement_lines(text: str) -> list[str]:
    """Achievements as listed items: one per line, bullets the writer typed taken off."""
    return [line.strip().lstrip("-*•").strip() for line in text.splitlines() if line.strip().lstrip("-*•").strip()]


def _listed(names: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _thanks(facts: LetterFacts) -> str:
    since = f" since {facts.start_date:%B %Y}" if facts.start_date else ""
    return (
        f"Thank you. On behalf of everyone involved in {facts.partnership}, I want to thank you and your "
        f"colleagues at {facts.organisation} for everything you have given to our work together{since}."
    )


def _together(facts: LetterFacts) -> list[str]:
    paragraphs = []
    if facts.purpose.strip():
        paragraphs.append(f"We came together with a shared purpose: {_sentence_case_inside(facts.purpose)}.")
    lines = _achievement_lines(facts.achievements)
    if len(lines) == 1:
        paragraphs.append(f"Together we achieved a great deal. {lines[0].rstrip('.')}.")
    elif lines:
        paragraphs.append("Together we achieved a great deal, including:\n" + "\n".join(f"- {line}" for line in lines))
    if facts.on_track:
        verb = "is" if len(facts.on_track) == 1 else "are"
        paragraphs.append(
            f"Our shared outcome measures show the difference made: {_listed(facts.on_track)} {verb} on track."
        )
    if facts.meetings:
        times = "once" if facts.meetings == 1 else f"{facts.meetings} times"
        paragraphs.append(f"We met {times} along the way, and every meeting was richer for your part in it.")
    if not lines and not facts.on_track:
        paragraphs.append("What we built together, and the people it reached, would not have happened without you.")
    return paragraphs


def _ending(facts: LetterFacts) -> str:
    when = f" on {long_date(facts.end_date)}" if facts.end_date else ""
    if facts.purpose_fulfilled:
        return (
            f"Because what we set out to do has been done, we have agreed to bring the partnership to a "
            f"close{when}. That is something to celebrate."
        )
    return (
        f"We have agreed that now is the right time to bring the partnership to a close{when}. This reflects "
        "where each of our organisations needs to put its time and resources next; it is no judgement on the "
        "commitment of the people who made it work."
    )


def _staying_in_touch(facts: LetterFacts) -> str:
    how_often = f" {cadence(facts.keep_in_touch_days)}" if facts.keep_in_touch_days else ""
    who = f", and {facts.lead} will remain your contact" if facts.lead else ""
    return (
        f"The partnership is ending, but our relationship is not. We would like to stay in touch{how_often}{who}. "
        "Please get in touch at any time: we hope to work together again."
    )


def draft_letter(facts: LetterFacts) -> str:
    """A warm, plain-English closing letter to one partner, for a person to edit and send."""
    greeting = (
        f"Dear {facts.contact.strip()}," if facts.contact.strip() else f"Dear colleagues at {facts.organisation},"
    )
    signature = [line for line in (facts.lead, facts.lead_organisation, f"for {facts.partnership}") if line]
    paragraphs = [
        greeting,
        _thanks(facts),
        *_together(facts),
        _ending(facts),
        _staying_in_touch(facts),
        "With warm thanks,\n" + "\n".join(signature),
    ]
    return "\n\n".join(paragraphs) + "\n"
