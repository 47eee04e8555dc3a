"""A round's scores with the workspace's settings applied, and the summary kept on each round.

The scoring itself is plain rules in keel.assessments.scoring; this reads the answers and the
workspace's bands and anonymity threshold for it, and stores what lists and the audit read.
"""

from __future__ import annotations

from collections.abc import Mapping

from keel.assessments import scoring
from keel.assessments.models import AssessmentRound
from keel.core.tenancy import current_workspace


def workspace_bands(workspace=None) -> scoring.Bands:
    workspace = workspace or current_workspace()
    return scoring.Bands(
        strength=float(workspace.band_strength), watch=float(workspace.band_watch), gap=float(workspace.gap_flag)
    )


def score_round(round_: AssessmentRound, labels: Mapping | None = None) -> scoring.RoundScores:
    """The round's scores with the workspace's anonymity threshold applied."""
    sent = round_.responses.filter(submitted_at__isnull=False).values_list("organisation_id", "answers")
    threshold = current_workspace().anonymity_threshold
    return scoring.round_scores(round_.instrument.spec, sent, threshold, labels)


def refresh_summary(round_: AssessmentRound) -> None:
    """Keep the round's whole-round scores up to date (read by lists and the audit)."""
    scores = score_round(round_)
    round_.summary = scoring.stats_data(scores)
    round_.response_count = scores.respondents
    round_.save(update_fields=["summary", "response_count"])


def refresh_all_summaries() -> int:
    """Re-score every round of the current workspace (after its anonymity threshold changes)."""
    rounds = list(AssessmentRound.objects.select_related("instrument"))
    for round_ in rounds:
        refresh_summary(round_)
    return len(rounds)
