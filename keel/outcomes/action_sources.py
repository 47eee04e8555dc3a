"""How actions that come from this app's records (an indicator gone off track) are described."""

from __future__ import annotations

from django.urls import reverse

from keel.actions.models import Source
from keel.actions.sources import Described, SourceKind, register_source
from keel.outcomes.models import Indicator


def describe_indicator(indicator_id: int, ws: str, can_edit: bool) -> Described | None:
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        return None
    url = reverse("outcomes:indicator", kwargs={"ws": ws, "pk": indicator.pk})
    return Described("An indicator off track", indicator.name, url, "the indicator")


register_source(Source.INDICATOR, SourceKind(describe_indicator, "An indicator that is no longer recorded"))
