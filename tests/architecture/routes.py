"""Every URL pattern of the app, with arguments that make it valid for workspace A's members.

The isolation and role tests walk this list; a new route that it cannot fill fails those
tests with a message saying to add it here, so no route escapes them.
"""

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns=None, prefix="", namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern.callback


def workspace_routes():
    """(name, route, view) for every route under /w/<ws>/."""
    return [(name, route, view) for name, route, view in walk() if "<slug:ws>" in route]


def arguments(name: str, objects: dict) -> dict:
    """The URL arguments for route `name`, from the objects of workspace A."""
    short = name.split(":")[-1]
    table = {
        "partnership": {"pk": objects["partnership"].pk},
        "member_": {"pk": objects["partnership"].pk, "member_pk": objects["member"].pk},
        "process_": {"pk": objects["partnership"].pk, "process_pk": objects["process"].pk},
        "alignment": {"pk": objects["partnership"].pk},
        "organisation": {"pk": objects["organisation"].pk},
        "person": {"pk": objects["person"].pk},
        "priority": {"pk": objects["priority"].pk},
        "import_confirm": {"pk": objects["upload"].pk},
        "import_template": {"kind": "partnerships", "fmt": "csv"},
    }
    if short in {"member_role", "member_remove"}:
        return {"pk": objects["membership"].pk}
    if short == "partnership_field":
        return {"pk": objects["partnership"].pk, "field": "status"}
    for key, values in table.items():
        if short.startswith(key) or short == key:
            return dict(values)
    return {}
