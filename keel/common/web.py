"""Small helpers for the views of every app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a form: its `next` when that is a page of this site, otherwise `fallback`.

    `next` comes from the form (POST) or the link that opened it (GET). Anything pointing at
    another site, or from https down to http, is ignored: an open redirect would let a link
    that looks like Keel's send someone anywhere.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
