"""Reviews: the due and overdue list, the review page with its evidence, a recorded review (being built)."""

from django.http import Http404


def reviews(request):
    raise Http404("The reviews list is being built.")


def partnership_review(request, pk):
    raise Http404("The review page is being built.")


def review(request, pk):
    raise Http404("The review page is being built.")
