"""A completed order invites a review; the review form's rating is a row of star buttons.
In a real chromium, on a phone and a desktop."""

from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from catalog.models import Review
from catalog.tests.factories import ProductFactory
from catalog.tests.purchases import order_of
from marketmate.tests.browser import VIEWPORTS, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_completed_order_invites_a_review_given_with_star_buttons(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    product = ProductFactory(title="Blue Mug")
    buyer = UserFactory()
    order = order_of(buyer, product)
    page = signed_in_context(browser, live_server, buyer, viewport).new_page()
    page.goto(f"{live_server.url}/orders/{order.number}/")
    page.screenshot(path=str(artifacts_dir / f"review-invite-{viewport}.png"), full_page=True)

    with page.expect_navigation():
        page.click(f".review-invite a[href='/p/{product.pk}/reviews/create/']")
    stars = page.locator(".star-input__star")
    assert stars.count() == 5
    page.locator(".star-input__star[for$='_1']").click()  # the 4-star label (choices 5 to 1)
    lit = stars.evaluate_all(
        "labels => labels.map(label => getComputedStyle(label).color === 'rgb(180, 83, 9)')"
    )
    page.screenshot(path=str(artifacts_dir / f"review-stars-{viewport}.png"), full_page=True)
    with page.expect_navigation():
        page.click("form[action$='/reviews/create/'] button[type=submit]")

    # DOM order is 5, 4, 3, 2, 1: choosing 4 lights 4, 3, 2 and 1
    assert lit == [False, True, True, True, True]
    assert Review.objects.get(product=product).rating == 4
