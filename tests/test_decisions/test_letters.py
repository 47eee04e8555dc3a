"""Closing letters: drafted from plain data, warm, and graceful when facts are not known yet."""

import datetime as dt

from keel.decisions.letters import LetterFacts, cadence, draft_letter, long_date

FULL = LetterFacts(
    partnership="Frailty alliance",
    organisation="Northshire Mind",
    contact="Priya Shah",
    purpose="Reduce avoidable admissions of frail older people.",
    start_date=dt.date(2023, 4, 1),
    end_date=dt.date(2027, 3, 31),
    achievements="- 400 people supported at home\n- A shared referral pathway",
    on_track=("Admissions avoided", "Time to first visit"),
    meetings=14,
    lead="Eddie Lead",
    lead_organisation="Age UK Northshire",
    keep_in_touch_days=90,
)


def test_a_full_letter_thanks_the_partner_and_says_what_was_achieved():
    letter = draft_letter(FULL)
    assert letter.startswith("Dear Priya Shah,\n")
    assert "Thank you" in letter
    assert "your colleagues at Northshire Mind" in letter
    assert "since April 2023" in letter
    assert "shared purpose: reduce avoidable admissions of frail older people." in letter
    assert "- 400 people supported at home\n- A shared referral pathway" in letter
    assert "Admissions avoided and Time to first visit are on track" in letter
    assert "We met 14 times" in letter
    assert "on 31 March 2027" in letter
    assert "stay in touch every three months" in letter
    assert "Eddie Lead will remain your contact" in letter
    assert letter.rstrip().endswith("Eddie Lead\nAge UK Northshire\nfor Frailty alliance")


def test_it_blames_no_one_and_never_quotes_a_reason():
    letter = draft_letter(FULL).lower()
    for word in ("fault", "failed", "failure", "blame", "breach", "trust"):
        assert word not in letter
    assert "no judgement on the commitment" in letter


def test_a_fulfilled_purpose_is_celebrated():
    letter = draft_letter(LetterFacts(partnership="P", organisation="O", purpose_fulfilled=True))
    assert "what we set out to do has been done" in letter
    assert "celebrate" in letter


def test_missing_facts_are_left_out_not_written_as_gaps():
    letter = draft_letter(LetterFacts(partnership="Frailty alliance", organisation="Northshire Mind"))
    assert letter.startswith("Dear colleagues at Northshire Mind,\n")
    for gap in ("None", "not known", "since", "close on", "We met", "on track", "including", "every ", "remain your"):
        assert gap not in letter, gap
    assert "bring the partnership to a close." in letter
    assert "stay in touch." in letter
    assert "would not have happened without you" in letter
    assert letter.rstrip().endswith("With warm thanks,\nfor Frailty alliance")


def test_one_achievement_reads_as_a_sentence_and_one_indicator_as_is():
    letter = draft_letter(
        LetterFacts(partnership="P", organisation="O", achievements="A shared care record.", on_track=("Waits",))
    )
    assert "Together we achieved a great deal. A shared care record." in letter
    assert "Waits is on track" in letter


def test_a_meeting_held_once():
    assert "We met once" in draft_letter(LetterFacts(partnership="P", organisation="O", meetings=1))


def test_acronyms_keep_their_capitals_inside_a_sentence():
    letter = draft_letter(LetterFacts(partnership="P", organisation="O", purpose="NHS waits down"))
    assert "shared purpose: NHS waits down." in letter


def test_cadence_words():
    assert [cadence(d) for d in (1, 7, 14, 30, 90, 182, 365, 45)] == [
        "every day",
        "every week",
        "every two weeks",
        "every month",
        "every three months",
        "every six months",
        "once a year",
        "every 45 days",
    ]
    assert long_date(dt.date(2026, 12, 3)) == "3 December 2026"
