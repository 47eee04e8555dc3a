"""Reviews: the due and overdue list, the review page with its evidence, a recorded review (being built)."""

from django.shortcuts import render


def reviews(request):
    return render(request, "portfolio/being_built.html", {"title": "Reviews list"})


def partnership_review(request, pk):
    return render(request, "portfolio/being_built.html", {"title": "Review page"})


def review(request, pk):
    return render(request, "portfolio/being_built.html", {"title": "Review page"})
