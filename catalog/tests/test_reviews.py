"""Reviews: who may write one, the product's rating, hiding, and the shop's one reply."""

from decimal import Decimal

import pytest

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.exceptions import (
    ProductInvalidError,
    ReviewExistsError,
    ReviewNotAllowedError,
    ReviewReplyExistsError,
    ReviewStateError,
)
from catalog.models import Product, Review
from catalog.services.reviews import (
    review_can_write,
    review_create,
    review_hide,
    review_reply,
    review_unhide,
)
from catalog.tests.factories import ProductFactory
from catalog.tests.purchases import order_of
from marketmate.models import AuditLog
from notifications.models import Kind, Notification
from orders.models import Order
from orders.services.lifecycle import order_mark_refunded
from shops.tests.factories import ShopMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product() -> Product:
    return ProductFactory()


def _reviewed(product: Product, rating: int) -> Review:
    buyer = UserFactory()
    order_of(buyer, product)
    return review_create(buyer=buyer, product=product, rating=rating, title="Fine", body="Good.")


# --- Eligibility ----------------------------------------------------------------------------------


def test_a_buyer_without_an_order_of_the_product_may_not_review_it(product: Product) -> None:
    buyer = UserFactory()
    order_of(buyer, ProductFactory(shop=product.shop))

    with pytest.raises(ReviewNotAllowedError):
        review_create(buyer=buyer, product=product, rating=5)

    assert Review.objects.count() == 0
    assert review_can_write(buyer=buyer, product=product) is False


@pytest.mark.parametrize("status", [Order.Status.PENDING, Order.Status.PAID, Order.Status.SHIPPED])
def test_an_order_that_is_not_complete_does_not_allow_a_review(
    product: Product, status: str
) -> None:
    buyer = UserFactory()
    order_of(buyer, product, status=status)

    with pytest.raises(ReviewNotAllowedError):
        review_create(buyer=buyer, product=product, rating=4)

    assert review_can_write(buyer=buyer, product=product) is False


def test_a_fully_refunded_order_does_not_allow_a_review(product: Product) -> None:
    buyer = UserFactory()
    order = order_of(buyer, product)
    order_mark_refunded(order=order, amount=order.total)

    with pytest.raises(ReviewNotAllowedError):
        review_create(buyer=buyer, product=product, rating=1)


def test_a_completed_order_later_partly_refunded_still_allows_a_review(product: Product) -> None:
    buyer = UserFactory()
    order = order_of(buyer, product)
    order_mark_refunded(order=order, amount=Decimal("1.00"))

    review = review_create(buyer=buyer, product=product, rating=3)

    assert (review.buyer, review.rating) == (buyer, 3)


def test_a_partly_refunded_order_that_never_completed_does_not_allow_a_review(
    product: Product,
) -> None:
    buyer = UserFactory()
    order = order_of(buyer, product, status=Order.Status.SHIPPED)
    order_mark_refunded(order=order, amount=Decimal("1.00"))

    with pytest.raises(ReviewNotAllowedError):
        review_create(buyer=buyer, product=product, rating=3)


def test_someone_elses_completed_order_does_not_allow_a_review(product: Product) -> None:
    order_of(UserFactory(), product)

    with pytest.raises(ReviewNotAllowedError):
        review_create(buyer=UserFactory(), product=product, rating=5)


def test_a_buyer_with_a_completed_order_reviews_the_product_once(product: Product) -> None:
    buyer = UserFactory()
    order_of(buyer, product)
    assert review_can_write(buyer=buyer, product=product) is True

    review = review_create(
        buyer=buyer, product=product, rating=4, title="  Nice mug ", body=" <b>Solid</b> "
    )

    assert (review.rating, review.title, review.body, review.is_hidden) == (
        4,
        "Nice mug",
        "<b>Solid</b>",
        False,
    )
    assert review_can_write(buyer=buyer, product=product) is False
    with pytest.raises(ReviewExistsError):
        review_create(buyer=buyer, product=product, rating=1)
    assert Review.objects.filter(product=product).count() == 1


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_one_to_five_is_refused(product: Product, rating: int) -> None:
    buyer = UserFactory()
    order_of(buyer, product)

    with pytest.raises(ProductInvalidError) as caught:
        review_create(buyer=buyer, product=product, rating=rating)

    assert list(caught.value.fields) == ["rating"]


def test_a_review_body_longer_than_the_limit_is_refused(product: Product) -> None:
    buyer = UserFactory()
    order_of(buyer, product)

    with pytest.raises(ProductInvalidError) as caught:
        review_create(buyer=buyer, product=product, rating=3, body="x" * 4001)

    assert list(caught.value.fields) == ["body"]


# --- The product's rating -------------------------------------------------------------------------


def test_each_review_updates_the_products_average_and_count(product: Product) -> None:
    _reviewed(product, 5)
    _reviewed(product, 4)
    _reviewed(product, 4)

    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("4.33"), 3)


def test_hiding_and_showing_a_review_recomputes_the_rating_and_is_audited(
    product: Product,
) -> None:
    staff = StaffFactory()
    _reviewed(product, 5)
    spam = _reviewed(product, 1)
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("3.00"), 2)

    review_hide(review=spam, actor=staff, reason="Not about the product")

    spam.refresh_from_db()
    product.refresh_from_db()
    assert (spam.is_hidden, spam.hidden_by, spam.hidden_reason) == (
        True,
        staff,
        "Not about the product",
    )
    assert spam.hidden_at is not None
    assert (product.rating_average, product.rating_count) == (Decimal("5.00"), 1)
    hidden = AuditLog.objects.get(action="review.hide", entity_id=str(spam.pk))
    assert (hidden.actor, hidden.reason, hidden.changes) == (
        staff,
        "Not about the product",
        {"is_hidden": [False, True]},
    )

    review_unhide(review=spam, actor=staff, reason="Appeal accepted")

    spam.refresh_from_db()
    product.refresh_from_db()
    assert (spam.is_hidden, spam.hidden_by, spam.hidden_at) == (False, None, None)
    assert (product.rating_average, product.rating_count) == (Decimal("3.00"), 2)
    shown = AuditLog.objects.get(action="review.unhide", entity_id=str(spam.pk))
    assert (shown.actor, shown.reason) == (staff, "Appeal accepted")


def test_hiding_the_last_visible_review_resets_the_rating(product: Product) -> None:
    review = _reviewed(product, 2)

    review_hide(review=review, actor=StaffFactory(), reason="Abusive")

    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("0"), 0)


def test_hiding_needs_a_reason_and_a_visible_review(product: Product) -> None:
    staff = StaffFactory()
    review = _reviewed(product, 3)

    with pytest.raises(ProductInvalidError):
        review_hide(review=review, actor=staff, reason="  ")
    review_hide(review=review, actor=staff, reason="Spam")
    with pytest.raises(ReviewStateError):
        review_hide(review=review, actor=staff, reason="Spam again")

    assert AuditLog.objects.filter(action="review.hide").count() == 1


# --- The shop's reply -----------------------------------------------------------------------------


def test_the_shop_replies_once(product: Product) -> None:
    review = _reviewed(product, 2)
    member = ShopMemberFactory(shop=product.shop).user

    review_reply(review=review, actor=member, body="  Sorry, we have sent a new one. ")

    review.refresh_from_db()
    assert (review.reply_body, review.replied_by) == ("Sorry, we have sent a new one.", member)
    assert review.replied_at is not None
    with pytest.raises(ReviewReplyExistsError):
        review_reply(review=review, actor=product.shop.owner, body="And another thing")
    review.refresh_from_db()
    assert review.reply_body == "Sorry, we have sent a new one."
    assert AuditLog.objects.filter(action="review.reply", entity_id=str(review.pk)).count() == 1


def test_an_empty_reply_is_refused(product: Product) -> None:
    review = _reviewed(product, 2)

    with pytest.raises(ProductInvalidError):
        review_reply(review=review, actor=product.shop.owner, body="   ")


# --- The shop hears about it ----------------------------------------------------------------------


def test_a_new_review_notifies_every_member_of_the_shop_once(
    product: Product, django_capture_on_commit_callbacks
) -> None:
    manager = ShopMemberFactory(shop=product.shop).user
    buyer = UserFactory()
    order_of(buyer, product)

    with django_capture_on_commit_callbacks(execute=True):
        review = review_create(buyer=buyer, product=product, rating=5, title="Lovely")

    notifications = Notification.objects.filter(kind=Kind.REVIEW_RECEIVED).order_by("user_id")
    assert [n.user for n in notifications] == sorted(
        [product.shop.owner, manager], key=lambda user: user.pk
    )
    assert {n.title for n in notifications} == {f"New 5-star review of {product.title}"}
    assert {n.link for n in notifications} == {"/dashboard/reviews/"}
    assert {n.data["review_id"] for n in notifications} == {review.pk}
