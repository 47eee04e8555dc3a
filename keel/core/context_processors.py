def workspace(request):
    """The current workspace and the user's role, for the navigation and the role-aware buttons."""
    membership = getattr(request, "membership", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "can_edit": bool(membership and membership.allows("editor")),
        "is_admin": bool(membership and membership.allows("admin")),
    }
