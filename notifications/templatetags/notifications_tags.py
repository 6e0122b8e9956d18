from typing import Any

from django import template

from notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_unread(context: dict[str, Any]) -> int:
    """The signed-in user's unread notifications, for the header bell."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(user=user)
