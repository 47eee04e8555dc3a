"""Stub: replaced by the helper that owns this module."""

from django.http import Http404

from keel.core.tenancy import requires_role


@requires_role("editor")
def meeting_new(request, **kwargs):
    raise Http404


@requires_role("editor")
def meeting_detail(request, **kwargs):
    raise Http404


@requires_role("editor")
def meeting_edit(request, **kwargs):
    raise Http404


@requires_role("editor")
def meeting_delete(request, **kwargs):
    raise Http404


@requires_role("editor")
def contact_new(request, **kwargs):
    raise Http404


@requires_role("editor")
def contact_delete(request, **kwargs):
    raise Http404


@requires_role("editor")
def rate(request, **kwargs):
    raise Http404
