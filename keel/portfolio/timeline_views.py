"""A partnership's timeline: the whole page, or (for htmx) only its list, to filter and page in place."""

from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from keel.portfolio import timeline as timelines
from keel.register.models import Partnership


def timeline(request, pk):
    """The timeline of one partnership, filtered by kind (?kind=meeting&kind=referral) and paged.

    With an HX-Request header only the list comes back: the partnership page's Timeline section
    swaps it in place. Without JavaScript the same links and form lead here, to the whole page."""
    partnership = get_object_or_404(Partnership, pk=pk)
    kinds = timelines.read_kinds(request.GET.getlist("kind"))
    page = timelines.timeline_page(partnership, kinds, request.GET.get("page"), can_edit=_can_edit(request))
    context = {
        "partnership": partnership,
        "timeline": page,
        "in_place": bool(request.headers.get("HX-Request")),
    }
    template = "portfolio/timeline_list.html" if context["in_place"] else "portfolio/timeline.html"
    response = render(request, template, context)
    # One address, two answers: a cache (or the browser's back button) must not mix them up.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _can_edit(request) -> bool:
    return bool(request.membership and request.membership.allows("editor"))
