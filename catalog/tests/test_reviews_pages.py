"""Review and wishlist pages: the product page, writing a review, the dashboard's reviews with
replies, the wishlist page and buttons, and the admin's hide action."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from waffle.testutils import override_flag

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import Product, Review, WishlistItem
from catalog.services.products import product_update
from catalog.services.reviews import review_create, review_reply
from catalog.services.wishlists import wishlist_add
from catalog.templatetags.reviews import rating_stars
from catalog.tests.factories import ProductFactory
from catalog.tests.purchases import order_of
from marketmate.models import AuditLog
from shops.tests.factories import ShopFactory
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(product: Product) -> str:
    return f"/p/{product.pk}/{product.slug}/"


@pytest.fixture
def product(team: Team) -> Product:
    return ProductFactory(shop=team.shop, title="Blue Mug")


@pytest.fixture
def review(team: Team, product: Product) -> Review:
    order_of(team.buyer, product)
    return review_create(
        buyer=team.buyer, product=product, rating=4, title="<i>Sturdy</i>", body="Holds tea."
    )


# --- Product page ---------------------------------------------------------------------------------


def test_the_product_page_lists_reviews_escaped_with_the_shops_reply(
    team: Team, product: Product, review: Review
) -> None:
    review_reply(review=review, actor=team.owner, body="Thanks <3")

    html = _client().get(_page(product)).content.decode()

    assert 'id="reviews"' in html
    assert "&lt;i&gt;Sturdy&lt;/i&gt;" in html
    assert "<i>Sturdy</i>" not in html
    assert "Thanks &lt;3" in html
    assert f"Reply from {team.shop.name}" in html
    assert "4.0 (1 review)" in html
    assert team.buyer.email not in html


def test_an_eligible_buyer_sees_the_form_and_posts_a_review(team: Team, product: Product) -> None:
    order_of(team.buyer, product)
    client = _client(team.buyer)
    assert (
        f'action="/p/{product.pk}/reviews/create/"' in client.get(_page(product)).content.decode()
    )

    response = client.post(
        f"/p/{product.pk}/reviews/create/",
        {"rating": "5", "title": "Love it", "body": "Daily mug."},
    )

    assert response.status_code == 302
    assert response["Location"] == _page(product) + "#reviews"
    review = Review.objects.get(product=product)
    assert (review.buyer, review.rating, review.title) == (team.buyer, 5, "Love it")
    page = client.get(_page(product)).content.decode()
    assert "Thank you for reviewing this product." in page
    assert f'action="/p/{product.pk}/reviews/create/"' not in page


def test_a_shopper_without_a_completed_order_gets_no_form_and_a_403(
    team: Team, product: Product
) -> None:
    client = _client(team.buyer)

    assert (
        f'action="/p/{product.pk}/reviews/create/"'
        not in client.get(_page(product)).content.decode()
    )
    response = client.post(f"/p/{product.pk}/reviews/create/", {"rating": "5"})

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_review_form_with_errors_is_shown_again(team: Team, product: Product) -> None:
    order_of(team.buyer, product)

    response = _client(team.buyer).post(f"/p/{product.pk}/reviews/create/", {"rating": "9"})

    assert response.status_code == 400
    assert "field--error" in response.content.decode()


@override_flag("reviews", active=False)
def test_with_the_flag_off_the_product_page_shows_no_reviews_and_the_form_is_gone(
    team: Team, product: Product, review: Review
) -> None:
    html = _client(team.buyer).get(_page(product)).content.decode()

    assert 'id="reviews"' not in html
    assert "Sturdy" not in html
    assert _client(team.buyer).get(f"/p/{product.pk}/reviews/create/").status_code == 404
    assert _client(team.owner).get("/dashboard/reviews/").status_code == 404


@override_flag("reviews", active=True)
def test_with_the_flag_on_the_product_page_shows_reviews(product: Product, review: Review) -> None:
    assert 'id="reviews"' in _client().get(_page(product)).content.decode()


def test_product_cards_show_the_rating(product: Product, review: Review) -> None:
    html = _client().get(f"/s/{product.shop.slug}/").content.decode()

    assert "★★★★☆" in html
    assert "Rated 4.0 out of 5" in html


# --- Dashboard ------------------------------------------------------------------------------------


def test_the_shop_sees_its_reviews_and_replies_once(
    team: Team, product: Product, review: Review
) -> None:
    client = _client(team.staff)
    page = client.get("/dashboard/reviews/")
    assert page.status_code == 200
    assert "&lt;i&gt;Sturdy&lt;/i&gt;" in page.content.decode()

    response = client.post(f"/dashboard/reviews/{review.pk}/reply/", {"body": "Enjoy!"})

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.reply_body, review.replied_by) == ("Enjoy!", team.staff)
    client.post(f"/dashboard/reviews/{review.pk}/reply/", {"body": "Again"})
    review.refresh_from_db()
    assert review.reply_body == "Enjoy!"
    assert "Enjoy!" in client.get("/dashboard/reviews/?awaiting=0").content.decode()
    assert "Sturdy" not in client.get("/dashboard/reviews/?awaiting=1").content.decode()


def test_another_shops_member_cannot_see_or_reply_to_the_review(team: Team, review: Review) -> None:
    client = _client(team.other_vendor)

    response = client.post(f"/dashboard/reviews/{review.pk}/reply/", {"body": "Ha"})

    assert response.status_code == 404
    assert "Sturdy" not in client.get("/dashboard/reviews/").content.decode()
    review.refresh_from_db()
    assert review.replied_at is None


def test_a_buyer_without_a_shop_cannot_reply_from_the_dashboard(team: Team, review: Review) -> None:
    response = _client(team.buyer).post(f"/dashboard/reviews/{review.pk}/reply/", {"body": "Ha"})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/shops/create/"
    review.refresh_from_db()
    assert review.replied_at is None


# --- Wishlist pages -------------------------------------------------------------------------------


def test_saving_and_removing_with_plain_forms(product: Product) -> None:
    shopper = UserFactory()
    client = _client(shopper)

    saved = client.post("/wishlist/create/", {"product_id": product.pk, "next": _page(product)})
    assert saved.status_code == 302
    assert saved["Location"] == _page(product)
    assert "Saved to your wishlist" in client.get(_page(product)).content.decode()

    removed = client.post(f"/wishlist/{product.pk}/delete/", {"next": "https://evil.example/"})
    assert removed.status_code == 302
    assert removed["Location"] == "/wishlist/"
    assert not WishlistItem.objects.exists()


def test_the_button_swaps_itself_with_htmx(product: Product) -> None:
    client = _client(UserFactory())

    response = client.post(
        "/wishlist/create/", {"product_id": product.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="wishlist-button">')
    assert f'action="/wishlist/{product.pk}/delete/"' in html


def test_anonymous_visitors_are_asked_to_log_in(product: Product) -> None:
    html = _client().get(_page(product)).content.decode()

    assert f"/accounts/login/?next=/p/{product.pk}/{product.slug}/" in html
    assert _client().post("/wishlist/create/", {"product_id": product.pk}).status_code == 302
    assert not WishlistItem.objects.exists()


def test_the_wishlist_page_shows_current_prices_and_badges(
    django_assert_max_num_queries,
) -> None:
    shopper = UserFactory()
    shop = ShopFactory()
    cheaper = ProductFactory(shop=shop, title="Cheaper Lamp", price=Decimal("30.00"))
    sold_out = ProductFactory(shop=shop, title="Rare Vase", default_variant__inventory_count=0)
    for _extra in range(4):
        wishlist_add(user=shopper, product_id=ProductFactory(shop=shop).pk)
    wishlist_add(user=shopper, product_id=cheaper.pk)
    wishlist_add(user=shopper, product_id=sold_out.pk)
    product_update(product=cheaper, actor=None, data={"price": Decimal("24.00")})
    client = _client(shopper)
    client.get("/wishlist/")

    with django_assert_max_num_queries(12):
        response = client.get("/wishlist/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Cheaper Lamp" in html and "Rare Vase" in html
    assert "Price dropped" in html
    assert "24.00" in html and "30.00" in html
    assert "Sold out" in html


def test_the_wishlist_page_needs_a_login() -> None:
    response = _client().get("/wishlist/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Admin ----------------------------------------------------------------------------------------


def test_staff_hide_a_review_from_the_admin_with_a_reason(
    product: Product, review: Review, django_assert_max_num_queries
) -> None:
    staff = StaffFactory()
    client = _client(staff)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/catalog/review/").status_code == 200

    asked = client.post(
        "/admin/catalog/review/",
        {"action": "hide", "_selected_action": [review.pk]},
    )
    assert asked.status_code == 200
    assert not AuditLog.objects.filter(action="review.hide").exists()

    client.post(
        "/admin/catalog/review/",
        {"action": "hide", "_selected_action": [review.pk], "apply": "1", "reason": "Spam"},
    )

    review.refresh_from_db()
    product.refresh_from_db()
    assert (review.is_hidden, review.hidden_by, review.hidden_reason) == (True, staff, "Spam")
    assert product.rating_count == 0
    record = AuditLog.objects.get(action="review.hide")
    assert (record.actor, record.reason) == (staff, "Spam")


def test_the_wishlist_admin_lists_items(product: Product) -> None:
    wishlist_add(user=UserFactory(), product_id=product.pk)

    response = _client(StaffFactory()).get("/admin/catalog/wishlistitem/")

    assert response.status_code == 200
    assert "Blue Mug" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "rating", "count", "label", "reviews"),
    [
        ("en", Decimal("4.50"), 3, "Rated 4.5 out of 5", "4.5 (3 reviews)"),
        ("en", Decimal("4.33"), 1, "Rated 4.3 out of 5", "4.3 (1 review)"),
        ("es", Decimal("2.25"), 1234, "Valoración: 2,3 de 5", "2,3 (1234 reseñas)"),
        ("de", "5.00", 0, "Bewertet mit 5,0 von 5", None),
    ],
)
def test_the_stars_tag_and_template_read_the_same_in_every_language(
    language: str, rating: object, count: int, label: str, reviews: str | None
) -> None:
    with translation.override(language):
        tag = str(rating_stars(rating, count))
        included = render_to_string(
            "catalog/reviews/stars.html", {"rating": rating, "count": count}
        ).strip()

    assert tag == included
    assert f'aria-label="{label}"' in tag
    if reviews is None:
        assert "rating__count" not in tag
    else:
        assert f'<span class="rating__count">{reviews}</span>' in tag
