"""Stub: replaced by the helper that owns this module."""

from django.http import Http404

from keel.core.tenancy import requires_role


@requires_role("editor")
def referral_list(request, **kwargs):
    raise Http404


@requires_role("editor")
def referral_new(request, **kwargs):
    raise Http404


@requires_role("editor")
def referral_edit(request, **kwargs):
    raise Http404
