"""The dashboard's sidebar: any page that extends `dashboard/base.html` gets it, with the shop
switcher, whatever view renders the page."""

from typing import Any

from django import template

from marketmate.flags import Features
from shops.permissions import current_membership_get
from shops.roles import ROLES_MEMBERS, ROLES_SETTINGS
from shops.selectors import memberships_for_user

register = template.Library()


@register.inclusion_tag("dashboard/includes/sidebar.html", takes_context=True)
def dashboard_sidebar(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    current = current_membership_get(request) if request.user.is_authenticated else None
    memberships = list(memberships_for_user(user=request.user)) if current else []
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        # An inclusion tag renders in a context of its own: the context processors' `features`
        # (which links the Messages page while chat is on) is passed on by hand.
        "features": context.get("features") or Features(request),
        "current": current,
        "memberships": memberships,
        "can_edit_settings": current is not None and current.role in ROLES_SETTINGS,
        "can_manage_members": current is not None and current.role in ROLES_MEMBERS,
    }


@register.simple_tag(takes_context=True)
def nav_is_current(context: template.Context, url: str, exact: bool = False) -> bool:
    """Whether the page is `url` (or below it, unless `exact`): for `aria-current`."""
    path = context["request"].path
    return path == url if exact else bool(url) and path.startswith(url)
