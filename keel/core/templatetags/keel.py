from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def wsurl(context, name, **kwargs):
    """`{% wsurl 'portfolio:partnership' pk=1 %}`: a URL inside the current workspace."""
    return reverse(name, kwargs={"ws": context["request"].workspace.slug, **kwargs})


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


FIELD_LABELS = {
    "review_every_months": "review every (months)",
    "contact": "single point of contact",
    "coordinator": "independent coordinator",
    "role": "role",
}


@register.filter
def field_label(name: str) -> str:
    """A change record's field name as people read it."""
    return FIELD_LABELS.get(name, name.replace("_", " "))


@register.filter
def action_label(action: str) -> str:
    """'partnership.member_added' -> 'Member added'."""
    return action.rsplit(".", 1)[-1].replace("_", " ").capitalize()


RECORD_URLS = {
    "partnership": "portfolio:partnership",
    "organisation": "register:organisation",
    "person": "register:person",
    "strategicpriority": "register:priority_edit",
}


@register.simple_tag(takes_context=True)
def record_url(context, change):
    """The page of the record a change record is about, or "" for records without one."""
    name = RECORD_URLS.get(change.object_type)
    if not name:
        return ""
    return reverse(name, kwargs={"ws": context["request"].workspace.slug, "pk": change.object_id})
