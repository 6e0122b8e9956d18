"""The reviews API: public list, verified buyers' reviews, the shop's reply, the flag."""

import pytest
from rest_framework.test import APIClient
from waffle.testutils import override_flag

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import Product, Review
from catalog.services.reviews import review_create, review_hide
from catalog.tests.factories import ProductFactory
from catalog.tests.purchases import order_of
from orders.models import Order
from shops.tests.factories import ShopMemberFactory
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def product(team: Team) -> Product:
    return ProductFactory(shop=team.shop)


@pytest.fixture
def review(team: Team, product: Product) -> Review:
    order_of(team.buyer, product)
    return review_create(buyer=team.buyer, product=product, rating=4, title="Good", body="Yes")


def test_a_verified_buyer_posts_a_review(team: Team, product: Product) -> None:
    order_of(team.buyer, product)

    response = _client(team.buyer).post(
        f"/api/v1/products/{product.pk}/reviews",
        {"rating": 5, "title": "<script>x</script>", "body": "Great"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rating"], body["title"], body["body"], body["reply"]) == (
        5,
        "<script>x</script>",
        "Great",
        None,
    )
    assert body["author_name"] == team.buyer.name.split()[0]
    assert "@" not in body["author_name"]
    product.refresh_from_db()
    assert product.rating_count == 1


def test_reviewing_without_a_completed_order_is_forbidden(team: Team, product: Product) -> None:
    order_of(team.buyer, product, status=Order.Status.SHIPPED)

    response = _client(team.buyer).post(
        f"/api/v1/products/{product.pk}/reviews", {"rating": 5}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "review_not_allowed"


def test_a_second_review_is_a_conflict(team: Team, product: Product, review: Review) -> None:
    response = _client(team.buyer).post(
        f"/api/v1/products/{product.pk}/reviews", {"rating": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "review_exists"


@pytest.mark.parametrize(
    "payload",
    [{}, {"rating": 0}, {"rating": 6}, {"rating": "five"}, {"rating": 3, "title": "x" * 121}],
)
def test_bad_review_input_is_a_validation_error(
    team: Team, product: Product, payload: dict[str, object]
) -> None:
    order_of(team.buyer, product)

    response = _client(team.buyer).post(
        f"/api/v1/products/{product.pk}/reviews", payload, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_anonymous_visitors_cannot_post_reviews(product: Product) -> None:
    response = _client().post(f"/api/v1/products/{product.pk}/reviews", {"rating": 5})

    assert response.status_code == 401


def test_the_list_is_public_and_leaves_out_hidden_reviews(
    team: Team, product: Product, review: Review
) -> None:
    other = UserFactory()
    order_of(other, product)
    hidden = review_create(buyer=other, product=product, rating=1, body="spam")
    review_hide(review=hidden, actor=StaffFactory(), reason="Spam")

    response = _client().get(f"/api/v1/products/{product.pk}/reviews")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [review.pk]


def test_reviews_of_a_draft_product_are_not_found(team: Team) -> None:
    draft = ProductFactory(shop=team.shop, status=Product.Status.DRAFT)

    assert _client().get(f"/api/v1/products/{draft.pk}/reviews").status_code == 404
    assert _client().get("/api/v1/products/999999999/reviews").status_code == 404


def test_the_review_list_keeps_to_its_query_budget(
    product: Product, django_assert_max_num_queries
) -> None:
    for rating in (5, 4, 3, 2, 1, 5, 4):
        buyer = UserFactory()
        order_of(buyer, product)
        review_create(buyer=buyer, product=product, rating=rating)
    client = _client()
    client.get(f"/api/v1/products/{product.pk}/reviews")  # waffle's flag lookup is cached

    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v1/products/{product.pk}/reviews")

    assert len(response.json()["results"]) == 7


@pytest.mark.parametrize("actor", ["owner", "manager", "staff"])
def test_every_member_of_the_shop_may_reply(team: Team, review: Review, actor: str) -> None:
    response = team.client(actor).post(
        f"/api/v1/reviews/{review.pk}/reply", {"body": "Thank you!"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["reply"]["body"] == "Thank you!"


def test_a_second_reply_is_a_conflict(team: Team, review: Review) -> None:
    team.client("owner").post(f"/api/v1/reviews/{review.pk}/reply", {"body": "One"})

    response = team.client("manager").post(f"/api/v1/reviews/{review.pk}/reply", {"body": "Two"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "review_reply_exists"
    review.refresh_from_db()
    assert review.reply_body == "One"


@pytest.mark.parametrize("actor", ["other_vendor", "buyer"])
def test_other_shops_and_buyers_cannot_see_a_review_to_reply(
    team: Team, review: Review, actor: str
) -> None:
    response = team.client(actor).post(
        f"/api/v1/reviews/{review.pk}/reply", {"body": "Ha"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "review_not_found"
    review.refresh_from_db()
    assert review.replied_at is None


def test_a_staff_member_of_another_shop_cannot_reply(team: Team, review: Review) -> None:
    intruder = ShopMemberFactory().user

    response = _client(intruder).post(f"/api/v1/reviews/{review.pk}/reply", {"body": "Hi"})

    assert response.status_code == 404


def test_anonymous_visitors_cannot_reply(review: Review) -> None:
    assert _client().post(f"/api/v1/reviews/{review.pk}/reply", {"body": "x"}).status_code == 401


@override_flag("reviews", active=False)
def test_with_the_flag_off_every_review_endpoint_is_not_found(
    team: Team, product: Product, review: Review
) -> None:
    assert _client().get(f"/api/v1/products/{product.pk}/reviews").status_code == 404
    posted = _client(team.buyer).post(
        f"/api/v1/products/{product.pk}/reviews", {"rating": 5}, format="json"
    )
    assert posted.status_code == 404
    replied = team.client("owner").post(f"/api/v1/reviews/{review.pk}/reply", {"body": "Thanks"})
    assert replied.status_code == 404
    assert replied.json()["error"]["code"] == "not_found"


@override_flag("reviews", active=True)
def test_with_the_flag_on_the_list_answers(product: Product) -> None:
    assert _client().get(f"/api/v1/products/{product.pk}/reviews").status_code == 200
