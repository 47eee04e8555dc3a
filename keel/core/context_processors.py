NAV = {
    "members": "members",
    "membership_role": "members",
    "membership_remove": "members",
    "workspace_settings": "settings",
    "workspace_history": "history",
}
PREFIXES = [
    ("partnership", "partnerships"),
    ("member_", "partnerships"),
    ("organisation", "organisations"),
    ("person", "people"),
    ("people", "people"),
    ("priorit", "priorities"),
    ("import", "import"),
    ("alignment", "partnerships"),
    ("process", "partnerships"),
]


def workspace(request):
    """The current workspace and the user's role, for the navigation and the role-aware buttons."""
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else ""
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "can_edit": bool(membership and membership.allows("editor")),
        "is_admin": bool(membership and membership.allows("admin")),
        "nav": NAV.get(name, next((section for prefix, section in PREFIXES if name.startswith(prefix)), "")),
    }
