"""The portfolio audit on screen, and as CSV and XLSX downloads (being built: issue 12, item 8)."""

from django.shortcuts import render


def audit_page(request):
    return render(request, "portfolio/being_built.html", {"title": "Audit page"})


def audit_xlsx(request):
    return render(request, "portfolio/being_built.html", {"title": "Audit download"})
