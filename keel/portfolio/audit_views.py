"""The portfolio audit on screen, filtered and sorted, and as an XLSX download (the CSV is views.audit_csv)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone

from keel.common.spreadsheets import write_xlsx
from keel.decisions.services.setup import thresholds
from keel.portfolio.audit import audit_document, cell, csv_columns
from keel.portfolio.audit_page import RECOMMENDATION_CHOICES, SHOWS, SORT_LABELS, AuditQuery, audit_list, page_rows
from keel.register.models import Status, Tier
from keel.register.views import PAGE_SIZE, list_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audit_page(request):
    today = timezone.localdate()
    query = AuditQuery.of(request.GET)
    ids, advice = audit_list(query, today)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page_rows(list(page), today, advice),
        "query": query,
        "sort": query.sort,
        "sort_label": SORT_LABELS[query.sort.lstrip("-")] + (", descending" if query.sort.startswith("-") else ""),
        "shows": SHOWS,
        "statuses": Status.choices,
        "tiers": Tier.choices,
        "recommendations": RECOMMENDATION_CHOICES,
        "dissolve_return": thresholds().dissolve_return,
        "params": request.GET,
        "today": today,
    }
    return list_page(request, "portfolio/audit.html", context)


def audit_xlsx(request):
    """The portfolio audit as a workbook: the CSV's columns, every cell text, formulas neutralised."""
    rows = audit_document(request.workspace, include_archived=request.GET.get("archived") == "1")["partnerships"]
    columns = csv_columns(rows)
    table = [[column.key for column in columns], *([cell(column.text(row)) for column in columns] for row in rows)]
    response = HttpResponse(write_xlsx(table, notes=[column.heading for column in columns]), content_type=XLSX)
    filename = f"{request.workspace.slug}-audit-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
