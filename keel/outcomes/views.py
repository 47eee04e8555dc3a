"""Stub: replaced by the helper that owns this module."""

from django.http import Http404

from keel.core.tenancy import requires_role


@requires_role("editor")
def indicator_new(request, **kwargs):
    raise Http404


@requires_role("editor")
def indicator_detail(request, **kwargs):
    raise Http404


@requires_role("editor")
def indicator_edit(request, **kwargs):
    raise Http404


@requires_role("editor")
def indicator_delete(request, **kwargs):
    raise Http404


@requires_role("editor")
def measurement_add(request, **kwargs):
    raise Http404


@requires_role("editor")
def measurement_delete(request, **kwargs):
    raise Http404
