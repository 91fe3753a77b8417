from django import template

from netbill.core import permissions as P

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, key, obj=None):
    """``{% may "suspend-customer" customer as can_suspend %}`` — the same check as the action."""
    return P.may(context["request"].user, key, obj)


@register.simple_tag(takes_context=True)
def querystring_without_page(context):
    params = context["request"].GET.copy()
    params.pop("page", None)
    return params.urlencode()
