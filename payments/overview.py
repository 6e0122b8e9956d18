"""The payouts' figure on the dashboard overview, for the roles that may see the shop's money:
what the marketplace owes the shop in its currency (in the hold period or payable)."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from marketmate.currency import money_format
from payments.selectors import ROLES_FINANCE, shop_balances
from shops.models import ShopMember
from shops.overview import OverviewFigure


def payments_overview_figures(membership: ShopMember) -> list[OverviewFigure]:
    if membership.role not in ROLES_FINANCE:
        return []
    shop = membership.shop
    owed = sum(
        (
            balance.total
            for balance in shop_balances(shop=shop)
            if balance.currency == shop.currency
        ),
        Decimal("0.00"),
    )
    return [
        OverviewFigure(
            key="pending_payouts",
            label=_("Pending payouts"),
            value=money_format(amount=owed, currency=shop.currency),
            url=reverse("dashboard_payouts:balance"),
            position=60,
        )
    ]
