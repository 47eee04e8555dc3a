"""Every URL pattern of the app, with arguments that make it valid for workspace A's members.

The isolation and role tests walk this list; a new route that it cannot fill fails those
tests with a message saying to add it here, so no route escapes them.
"""

import re

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


def parameters(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"ws"}


def arguments(name: str, objects: dict) -> dict:
    """The URL arguments for route `name`, from the objects of workspace A."""
    route = next(route for n, route, _ in walk() if n == name)
    return {key: value for key, value in _pool(name, objects).items() if key in parameters(route)}


def _pool(name: str, objects: dict) -> dict:
    short = name.split(":")[-1]
    table = {
        # Activity, outcomes and actions (before "partnership", which would match them too).
        "partnership_rate": lambda: {"pk": objects["partnership"].pk, "organisation_pk": objects["organisation"].pk},
        "meeting": lambda: {"pk": objects["meeting"].pk},
        "contact": lambda: {"pk": objects["contact"].pk},
        "referral": lambda: {"pk": objects["referral"].pk},
        "rating": lambda: {"pk": objects["rating"].pk},
        "indicator": lambda: {"pk": objects["indicator"].pk},
        "measurement": lambda: {"pk": objects["measurement"].pk},
        "action": lambda: {"pk": objects["action"].pk},
        # Decisions.
        "criterion": lambda: {"pk": objects["criterion"].pk},
        "cost_item": lambda: {"pk": objects["cost_item"].pk},
        "value_item": lambda: {"pk": objects["value_item"].pk},
        "event": lambda: {"pk": objects["event"].pk},
        "conflict": lambda: {"pk": objects["conflict"].pk},
        "review": lambda: {"pk": objects["review"].pk},
        "dissolution_step": lambda: {"pk": objects["dissolution_step"].pk},
        "dissolution": lambda: {"pk": objects["dissolution"].pk},
        "letter": lambda: {"pk": objects["letter"].pk},
        # Assessments: "round_invitation_*" before "round" (the first matching prefix wins).
        "round_invitation_": lambda: {"pk": objects["round"].pk, "invitation_pk": objects["invitation"].pk},
        "round": lambda: {"pk": objects["round"].pk},
        "instrument": lambda: {"pk": objects["instrument"].pk},
        "partnership": lambda: {"pk": objects["partnership"].pk},
        "member_": lambda: {"pk": objects["partnership"].pk, "member_pk": objects["member"].pk},
        "process_": lambda: {"pk": objects["partnership"].pk, "process_pk": objects["process"].pk},
        "alignment": lambda: {"pk": objects["partnership"].pk},
        "organisation": lambda: {"pk": objects["organisation"].pk},
        "person": lambda: {"pk": objects["person"].pk},
        "priority": lambda: {"pk": objects["priority"].pk},
        "import_confirm": lambda: {"pk": objects["upload"].pk},
        "import_template": lambda: {"kind": "partnerships", "fmt": "csv"},
    }
    if name in {"membership_role", "membership_remove"}:
        return {"pk": objects["membership"].pk}
    if short == "partnership_field":
        return {"pk": objects["partnership"].pk, "field": "status"}
    for key, values in table.items():
        if short.startswith(key) or short == key:
            return values()
    return {}
