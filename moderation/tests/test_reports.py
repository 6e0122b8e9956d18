"""Users report products, shops, reviews and messages they can see: through the API and the
report page, once per open report, throttled."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from chat.tests.factories import ConversationFactory, MessageFactory
from marketmate.models import AuditLog
from moderation.models import Report
from moderation.services import report_dismiss
from moderation.tests.factories import ReviewFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper() -> User:
    return UserFactory(email="shopper@example.com")


def _report(user: User | None, kind: str, pk: int, **body: Any) -> Any:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    payload = {"target_type": kind, "target_id": pk, "reason": "scam", **body}
    return client.post("/api/v1/reports", payload, format="json")


def test_a_shopper_reports_a_product_and_it_is_queued_and_audited(shopper: User) -> None:
    product = ProductFactory(title="Miracle pills")

    answer = _report(shopper, "product", product.pk, details="  Fake cure  ")

    assert answer.status_code == 201
    report = Report.objects.get()
    assert answer.json() == {
        "id": report.pk,
        "target_type": "product",
        "target_id": product.pk,
        "reason": "scam",
        "details": "Fake cure",
        "status": "open",
        "created": answer.json()["created"],
    }
    assert (report.reporter, report.target, report.status) == (shopper, product, "open")
    log = AuditLog.objects.get(action="moderation.report_create")
    assert (log.actor, log.entity_id, log.reason) == (shopper, str(report.pk), "Fake cure")


def test_shops_reviews_and_own_messages_can_be_reported(shopper: User) -> None:
    shop = ShopFactory()
    review = ReviewFactory()
    message = MessageFactory(conversation=ConversationFactory(buyer=shopper), side="shop")

    answers = [
        _report(shopper, "shop", shop.pk).status_code,
        _report(shopper, "review", review.pk, reason="offensive").status_code,
        _report(shopper, "message", message.pk).status_code,
    ]

    assert answers == [201, 201, 201]
    assert sorted(report.target_kind for report in Report.objects.all()) == [
        "message",
        "review",
        "shop",
    ]


def test_what_the_reporter_cannot_see_is_a_404_like_what_does_not_exist(shopper: User) -> None:
    attacker = UserFactory()
    draft = ProductFactory(status=Product.Status.DRAFT)
    suspended = ShopFactory(status=Shop.Status.SUSPENDED)
    hidden = ReviewFactory(is_hidden=True)
    someone_elses = MessageFactory()

    answers = [
        _report(attacker, "product", draft.pk),
        _report(attacker, "shop", suspended.pk),
        _report(attacker, "review", hidden.pk),
        _report(attacker, "message", someone_elses.pk),
        _report(attacker, "product", 999_999),
    ]
    too_big = Client()
    too_big.force_login(attacker)

    assert too_big.get(f"/report/product/{2**64}/").status_code == 404
    assert [answer.status_code for answer in answers] == [404] * 5
    assert {answer.json()["error"]["code"] for answer in answers} == {"report_target_not_found"}
    assert not Report.objects.exists()


def test_a_second_open_report_of_the_same_thing_is_a_conflict(shopper: User) -> None:
    product = ProductFactory()
    first = _report(shopper, "product", product.pk)

    again = _report(shopper, "product", product.pk, reason="spam")
    report_dismiss(report=Report.objects.get(pk=first.json()["id"]), actor=None, note="Fine")
    after_dismissal = _report(shopper, "product", product.pk)
    someone_else = _report(UserFactory(), "product", product.pk)

    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_reported")
    assert (after_dismissal.status_code, someone_else.status_code) == (201, 201)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "because"}, "reason"),
        ({"target_type": "order"}, "target_type"),
        ({"target_id": "x"}, "target_id"),
        ({"target_id": 2**64}, "target_id"),
        ({"details": "x" * 2001}, "details"),
    ],
)
def test_bad_reports_are_refused_with_the_field(shopper: User, body: dict, field: str) -> None:
    answer = _report(shopper, "product", ProductFactory().pk, **body)

    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [field]


def test_only_signed_in_users_report(db: None) -> None:
    assert _report(None, "product", ProductFactory().pk).status_code == 401


def test_reports_are_throttled_per_user(shopper: User, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "reports": "2/minute",
        },
    }
    products = ProductFactory.create_batch(3)

    answers = [_report(shopper, "product", product.pk) for product in products]
    other = _report(UserFactory(), "product", products[0].pk)

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["code"] == "throttled"
    assert other.status_code == 201


def test_the_report_page_files_a_report_and_goes_back_to_the_product(shopper: User) -> None:
    product = ProductFactory(title="Miracle pills")
    client = Client()
    client.force_login(shopper)
    page_url = f"/p/{product.pk}/{product.slug}/"

    product_page = client.get(page_url)
    form = client.get(f"/report/product/{product.pk}/")
    empty = client.post(f"/report/product/{product.pk}/", {"details": "?"})
    sent = client.post(f"/report/product/{product.pk}/", {"reason": "scam", "details": "Fake"})
    again = client.post(f"/report/product/{product.pk}/", {"reason": "scam"})

    assert f'href="/report/product/{product.pk}/"' in product_page.text
    assert (form.status_code, "You are reporting: Miracle pills" in form.text) == (200, True)
    assert empty.status_code == 400
    assert (sent.status_code, sent["Location"]) == (302, page_url)
    assert again.status_code == 409
    assert "You have already reported this" in again.text
    assert Report.objects.get().details == "Fake"


def test_the_report_page_is_for_signed_in_users_and_visible_targets(shopper: User) -> None:
    shop = ShopFactory(status=Shop.Status.SUSPENDED)
    client = Client()

    anonymous = client.get(f"/report/shop/{shop.pk}/")
    client.force_login(shopper)
    hidden = client.get(f"/report/shop/{shop.pk}/")
    unknown_kind = client.get(f"/report/order/{shop.pk}/")

    assert (anonymous.status_code, anonymous["Location"].startswith("/accounts/login/")) == (
        302,
        True,
    )
    assert (hidden.status_code, unknown_kind.status_code) == (404, 404)


def test_the_shop_page_links_to_the_report_page(shopper: User) -> None:
    shop = ShopFactory(slug="harbour")
    client = Client()
    client.force_login(shopper)

    page = client.get("/s/harbour/")

    assert f'href="/report/shop/{shop.pk}/"' in page.text
