"""The portfolio audit on screen, and as CSV and XLSX downloads (being built: issue 12, item 8)."""

from django.http import Http404


def audit_page(request):
    raise Http404("The audit page is being built.")


def audit_xlsx(request):
    raise Http404("The audit download is being built.")
