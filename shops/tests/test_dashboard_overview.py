"""The dashboard overview: what a vendor acts on, each figure linking to its list, for the
current shop only and as far as the viewer's role may see."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from waffle.testutils import override_switch

from catalog.tests.factories import VariantFactory
from chat.tests.factories import ConversationFactory, MessageFactory
from orders.models import Order
from orders.tests.factories import OrderFactory
from payments.tests.factories import LedgerEntryFactory
from shops.models import Shop
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _figures(team: Team, actor: str) -> dict[str, tuple[str, str]]:
    client = Client()
    client.force_login(team.user(actor))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return {figure.key: (figure.value, figure.url) for figure in response.context["figures"]}


@pytest.fixture
def busy(team: Team) -> Team:
    """Today 30.00 paid (one order to ship), 12 days ago 50.00 (shipped), 40 days ago 70.00;
    two unread messages from shoppers and one read; one variant low on stock; 45.00 owed."""
    now = timezone.now()
    to_ship = OrderFactory(shop=team.shop, paid_at=now, subtotal=Decimal("30.00"))
    OrderFactory(
        shop=team.shop,
        status=Order.Status.SHIPPED,
        paid_at=now - timedelta(days=12),
        subtotal=Decimal("50.00"),
    )
    OrderFactory(
        shop=team.shop,
        status=Order.Status.COMPLETE,
        paid_at=now - timedelta(days=40),
        subtotal=Decimal("70.00"),
    )
    OrderFactory(
        shop=Shop.objects.get(owner=team.other_vendor), paid_at=now, subtotal=Decimal("999.00")
    )
    conversation = ConversationFactory(shop=team.shop)
    MessageFactory.create_batch(2, conversation=conversation)
    MessageFactory(conversation=conversation, read_at=now)
    MessageFactory(conversation=ConversationFactory())
    VariantFactory(product__shop=team.shop, inventory_count=1)
    LedgerEntryFactory(order=to_ship, kind="sale", amount=Decimal("47.00"))
    LedgerEntryFactory(order=to_ship, amount=Decimal("-2.00"))
    return team


def test_the_owner_sees_what_to_act_on_each_linked_to_its_list(busy: Team) -> None:
    today = timezone.now().date().isoformat()

    figures = _figures(busy, "owner")

    assert figures == {
        "sales_today": (
            "$30.00",
            f"/dashboard/analytics/?period=custom&from={today}&to={today}",
        ),
        "sales_period": ("$80.00", "/dashboard/analytics/?period=30"),
        "orders_to_ship": ("1", "/dashboard/orders/?status=paid"),
        "unread_messages": ("2", "/dashboard/messages/"),
        "low_stock": ("1", "/dashboard/inventory/?low=1"),
        "pending_payouts": ("$45.00", "/dashboard/payouts/"),
    }


def test_staff_do_not_see_the_shops_money_owed(busy: Team) -> None:
    figures = _figures(busy, "staff")

    assert "pending_payouts" not in figures
    assert figures["sales_today"][0] == "$30.00"


def test_another_vendor_sees_only_their_own_shop(busy: Team) -> None:
    figures = _figures(busy, "other_vendor")

    assert (figures["sales_today"][0], figures["orders_to_ship"][0]) == ("$999.00", "1")
    assert (figures["unread_messages"][0], figures["pending_payouts"][0]) == ("0", "$0.00")


def test_without_chat_there_is_no_messages_figure(busy: Team) -> None:
    with override_switch("chat", active=False):
        figures = _figures(busy, "owner")

    assert "unread_messages" not in figures


def test_every_figure_is_a_link_on_the_page(busy: Team) -> None:
    client = Client()
    client.force_login(busy.owner)

    page = client.get("/dashboard/").text

    assert 'href="/dashboard/orders/?status=paid"' in page
    assert 'href="/dashboard/messages/"' in page
    assert page.count('class="stat__link"') == 6


def test_the_overview_stays_within_a_query_budget(
    busy: Team, django_assert_max_num_queries
) -> None:
    client = Client()
    client.force_login(busy.owner)

    with django_assert_max_num_queries(20):
        client.get("/dashboard/")
