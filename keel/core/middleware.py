"""The request side of workspace isolation: `/w/<ws>/…` resolved to a membership, the role checked.

See `keel.core.tenancy` for the scope itself; this is its only other half.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keel.core.models import Membership, Role
from keel.core.tenancy import enter_scope, reset_scope

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class WorkspaceMiddleware:
    """Resolve `/w/<ws>/…` to a workspace the user belongs to, check the role, set the scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        request._keel_scope_token = None
        try:
            return self.get_response(request)
        finally:
            # The scope ends with the request: a server thread's next request starts with none.
            if request._keel_scope_token is not None:
                reset_scope(request._keel_scope_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("ws", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = (
            Membership.objects.select_related("workspace").filter(user=request.user, workspace__slug=slug).first()
        )
        if membership is None:
            # The same answer as for a workspace that does not exist: nothing is revealed.
            raise Http404("No such workspace.")
        needed = getattr(view_func, "keel_role", Role.VIEWER)
        if request.method not in SAFE_METHODS and needed == Role.VIEWER:
            needed = Role.EDITOR
        if not membership.allows(needed):
            raise PermissionDenied(f"Your role in this workspace is {membership.role}; this needs {needed}.")
        request.workspace = membership.workspace
        request.membership = membership
        request._keel_scope_token = enter_scope(membership.workspace)
        if request.session.get("workspace") != slug:
            request.session["workspace"] = slug
        return None
