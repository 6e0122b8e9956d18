"""Reviews: verified buyers rate a product once, its shop replies once, staff hide or show.

The product's `rating_average` and `rating_count` are recomputed from its visible reviews in
the same transaction as every change, on the product row locked first (create, hide and show
all lock the product before the review, so they never wait on each other in opposite orders).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, DecimalField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import (
    ProductInvalidError,
    ProductNotFoundError,
    ReviewExistsError,
    ReviewNotAllowedError,
    ReviewReplyExistsError,
    ReviewStateError,
)
from catalog.models import Product, Review
from catalog.selectors import product_received_by
from marketmate.audit import audit_record
from marketmate.events import event_emit

RATING_PLACES = Decimal("0.01")


def review_check_allowed(*, buyer: User | AnonymousUser, product: Product) -> None:
    """Raise unless `buyer` may review `product` now: they received it in a completed order
    (ReviewNotAllowedError, 403) and have not reviewed it yet (ReviewExistsError, 409)."""
    if not buyer.is_authenticated or not product_received_by(buyer=buyer, product_id=product.pk):
        raise ReviewNotAllowedError(
            _("You can review a product once an order with it is complete.")
        )
    if Review.objects.filter(product_id=product.pk, buyer_id=buyer.pk).exists():
        raise ReviewExistsError(_("You have already reviewed this product."))


def review_can_write(*, buyer: User | AnonymousUser, product: Product) -> bool:
    """Whether the product page should offer `buyer` the review form."""
    try:
        review_check_allowed(buyer=buyer, product=product)
    except (ReviewNotAllowedError, ReviewExistsError):
        return False
    return True


def _invalid(exc: ValidationError) -> ProductInvalidError:
    return ProductInvalidError(
        _("The review has invalid fields."),
        fields={
            field: [str(message) for message in messages]
            for field, messages in exc.message_dict.items()
        },
    )


def product_rating_refresh(*, product_id: int) -> Product:
    """Recompute the product's average rating and count from its visible reviews.

    Call it inside a transaction; it locks the product row.
    """
    product = Product.objects.select_for_update().get(pk=product_id)
    figures = Review.objects.filter(product_id=product_id, is_hidden=False).aggregate(
        count=Count("pk"),
        average=Avg("rating", output_field=DecimalField(max_digits=6, decimal_places=4)),
    )
    average = figures["average"]
    product.rating_count = figures["count"]
    product.rating_average = (
        Decimal(average).quantize(RATING_PLACES, rounding=ROUND_HALF_UP)
        if average is not None
        else Decimal("0")
    )
    product.save(update_fields=["rating_average", "rating_count"])
    return product


def review_create(
    *, buyer: User, product: Product, rating: int, title: str = "", body: str = ""
) -> Review:
    """A verified buyer's review of `product`; emits `review.created` after commit."""
    with transaction.atomic():
        locked = Product.objects.select_for_update().filter(pk=product.pk).first()
        if locked is None:
            raise ProductNotFoundError(_("Product not found."))
        review_check_allowed(buyer=buyer, product=locked)
        review = Review(
            product=locked, buyer=buyer, rating=rating, title=title.strip(), body=body.strip()
        )
        try:
            review.full_clean(exclude=["product", "buyer"], validate_constraints=False)
        except ValidationError as exc:
            raise _invalid(exc) from exc
        if len(review.body) > Review.BODY_MAX_LENGTH:
            # A TextField's max_length is not checked by full_clean().
            raise ProductInvalidError(
                _("The review is too long."),
                fields={
                    "body": [_("At most %(count)d characters.") % {"count": Review.BODY_MAX_LENGTH}]
                },
            )
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:
            raise ReviewExistsError(_("You have already reviewed this product.")) from exc
        product_rating_refresh(product_id=locked.pk)
        event_emit("review.created", review_id=review.pk)
    return review


def _review_set_hidden(*, review: Review, actor: User, hidden: bool, reason: str) -> Review:
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=review.product_id).first()
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.is_hidden == hidden:
            raise ReviewStateError(
                _("This review is already hidden.") if hidden else _("This review is not hidden.")
            )
        locked.is_hidden = hidden
        locked.hidden_by = actor if hidden else None
        locked.hidden_reason = reason[:255] if hidden else ""
        locked.hidden_at = timezone.now() if hidden else None
        locked.save(
            update_fields=["is_hidden", "hidden_by", "hidden_reason", "hidden_at", "updated"]
        )
        audit_record(
            actor=actor,
            action="review.hide" if hidden else "review.unhide",
            entity=locked,
            changes={"is_hidden": (not hidden, hidden)},
            reason=reason,
        )
        product_rating_refresh(product_id=locked.product_id)
    return locked


def review_hide(*, review: Review, actor: User, reason: str) -> Review:
    """Staff take a review off the product page (audited with a reason); the rating follows."""
    if not reason.strip():
        raise ProductInvalidError(
            _("Give a reason for hiding the review."),
            fields={"reason": [_("This field is required.")]},
        )
    return _review_set_hidden(review=review, actor=actor, hidden=True, reason=reason.strip())


def review_unhide(*, review: Review, actor: User, reason: str = "") -> Review:
    """Staff put a hidden review back (audited); the rating follows."""
    return _review_set_hidden(review=review, actor=actor, hidden=False, reason=reason.strip())


def review_reply(*, review: Review, actor: User, body: str) -> Review:
    """The shop's one public answer to a review (the caller has checked `actor` works for the
    product's shop)."""
    body = body.strip()
    if not body:
        raise ProductInvalidError(
            _("Write a reply."), fields={"body": [_("This field is required.")]}
        )
    if len(body) > Review.REPLY_MAX_LENGTH:
        raise ProductInvalidError(
            _("The reply is too long."),
            fields={
                "body": [_("At most %(count)d characters.") % {"count": Review.REPLY_MAX_LENGTH}]
            },
        )
    with transaction.atomic():
        now = timezone.now()
        answered = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
            reply_body=body, replied_by=actor, replied_at=now, updated=now
        )
        if not answered:
            raise ReviewReplyExistsError(_("The shop has already replied to this review."))
        review.refresh_from_db()
        audit_record(
            actor=actor,
            action="review.reply",
            entity=review,
            changes={"reply_body": ("", body)},
        )
    return review
