"""A buyer in a real chromium: reads reviews with the shop's reply, writes a review, saves a
product to the wishlist (htmx) and sees a price drop there; screenshots at phone and desktop
widths."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from waffle.testutils import override_flag

from accounts.tests.factories import UserFactory
from catalog.models import Review, WishlistItem
from catalog.services.products import product_update
from catalog.services.reviews import review_create, review_reply
from catalog.services.wishlists import wishlist_add
from catalog.tests.factories import ProductFactory
from catalog.tests.purchases import order_of
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def _signed_in_page(browser, live_server, user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _screenshots(page, artifacts_dir: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(artifacts_dir / f"reviews-{name}-{viewport}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["phone"])


@override_flag("reviews", active=True)
def test_reviews_and_wishlist_in_a_browser(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path
) -> None:
    shop = ShopFactory(name="Clay & Co")
    mug = ProductFactory(shop=shop, title="Speckled Mug", price=Decimal("24.00"))
    lamp = ProductFactory(shop=shop, title="Paper Lamp", price=Decimal("60.00"))
    earlier = UserFactory(name="Grace Hopper")
    order_of(earlier, mug)
    review = review_create(
        buyer=earlier,
        product=mug,
        rating=4,
        title="Sturdy and pretty",
        body="Holds a big coffee.\nThe glaze is lovely.",
    )
    review_reply(review=review, actor=shop.owner, body="Thank you, Grace!")
    buyer = UserFactory(name="Ada Lovelace")
    order_of(buyer, mug)
    wishlist_add(user=buyer, product_id=lamp.pk)
    product_update(product=lamp, actor=None, data={"price": Decimal("48.00")})

    page = _signed_in_page(browser, live_server, buyer)
    page.goto(f"{live_server.url}/p/{mug.pk}/{mug.slug}/")
    assert "Thank you, Grace!" in page.inner_text("#reviews")
    assert "Grace, verified buyer" in page.inner_text("#reviews")
    _screenshots(page, artifacts_dir, "product")

    page.click(".wishlist-button button")
    page.wait_for_selector(".wishlist-button button[aria-pressed='true']")
    assert WishlistItem.objects.filter(user=buyer, product=mug).exists()

    page.check("input[name='rating'][value='5']")
    page.fill("#id_title", "My new favourite")
    page.fill("#id_body", "Keeps the tea warm.")
    with page.expect_navigation():
        page.click(".review-form button[type='submit']")
    assert "your review is published" in page.inner_text(".messages")
    assert "My new favourite" in page.inner_text("#reviews")
    assert Review.objects.get(buyer=buyer).rating == 5

    page.goto(f"{live_server.url}/wishlist/")
    assert page.locator(".wishlist-item").count() == 2
    assert "Price dropped" in page.inner_text(".wishlist")
    _screenshots(page, artifacts_dir, "wishlist")
    page.close()
