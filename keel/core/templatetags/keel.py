from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def wsurl(context, name, **kwargs):
    """`{% wsurl 'register:partnership' pk=1 %}`: a URL inside the current workspace."""
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
