"""The results page of one assessment round: what leaders see, for any round, not only the latest."""

from django.http import Http404
from django.shortcuts import render

from keel.assessments import queries
from keel.assessments.models import AssessmentRound


def round_results(request, pk):
    """Scores by dimension with bands, trend, perception gaps, comments and response rate of a round."""
    try:
        round_ = AssessmentRound.objects.select_related("partnership", "instrument").get(pk=pk)
    except AssessmentRound.DoesNotExist:
        raise Http404("No such assessment round.") from None
    context = {"round": round_, "partnership": round_.partnership, "health": queries.round_results(round_)}
    return render(request, "assessments/round_results.html", context)
