"""The messages' figure on the dashboard overview: shoppers' messages the shop has not read."""

from django.urls import reverse
from django.utils.translation import gettext as _

from chat.selectors import unread_message_count_for_shop
from marketmate.flags import Switch, switch_is_on
from shops.models import ShopMember
from shops.overview import OverviewFigure


def chat_overview_figures(membership: ShopMember) -> list[OverviewFigure]:
    if not switch_is_on(Switch.CHAT):
        return []
    unread = unread_message_count_for_shop(shop=membership.shop, reader=membership.user)
    return [
        OverviewFigure(
            key="unread_messages",
            label=_("Unread messages"),
            value=str(unread),
            url=reverse("dashboard_messages:list"),
            position=40,
            needs_attention=unread > 0,
        )
    ]
