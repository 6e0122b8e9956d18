import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory, TagFactory, VariantFactory
from marketmate.models import AuditLog
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(StaffFactory())
    return client


def _products(count: int) -> None:
    for _index in range(count):
        ProductFactory(shop=ShopFactory())


@pytest.mark.parametrize("count", [3, 30])
def test_the_product_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, count: int, django_assert_max_num_queries
) -> None:
    _products(count)

    with django_assert_max_num_queries(12):
        response = staff_client.get("/admin/catalog/product/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_shop_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, count: int, django_assert_max_num_queries
) -> None:
    for _index in range(count):
        ShopFactory()

    with django_assert_max_num_queries(12):
        response = staff_client.get("/admin/shops/shop/")

    assert response.status_code == 200


def test_tag_and_category_admin_pages_render(staff_client: Client) -> None:
    root = CategoryFactory(name="Home")
    CategoryFactory(name="Kitchen", child_of=root)
    ProductFactory().tags.add(TagFactory(name="gift"))

    assert staff_client.get("/admin/catalog/category/").status_code == 200
    response = staff_client.get("/admin/catalog/tag/")
    assert response.status_code == 200
    assert "gift" in response.text


def test_a_product_page_shows_variants_and_images_read_only(staff_client: Client) -> None:
    product = ProductFactory(title="Teapot")
    VariantFactory(product=product, sku="TEA-BIG", options={"size": "big"})

    response = staff_client.get(f"/admin/catalog/product/{product.pk}/change/")

    assert response.status_code == 200
    assert "TEA-BIG" in response.text
    assert staff_client.get("/admin/catalog/product/add/").status_code == 403


def test_unpublish_asks_for_a_reason_then_audits(staff_client: Client) -> None:
    product = ProductFactory()
    data = {"action": "unpublish", "_selected_action": [product.pk]}

    asked = staff_client.post("/admin/catalog/product/", data)
    refused = staff_client.post("/admin/catalog/product/", {**data, "apply": "1", "reason": ""})
    done = staff_client.post(
        "/admin/catalog/product/", {**data, "apply": "1", "reason": "Counterfeit"}
    )

    assert asked.status_code == 200
    assert "Reason (kept in the audit log)" in asked.text
    assert "Give a reason." in refused.text
    assert done.status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    log = AuditLog.objects.get(action="product.unpublish")
    assert (log.reason, log.changes) == ("Counterfeit", {"status": ["active", "draft"]})


@pytest.mark.parametrize(
    ("status", "action", "reason", "expected"),
    [
        (Shop.Status.PENDING, "approve", "", Shop.Status.ACTIVE),
        (Shop.Status.ACTIVE, "suspend", "Spam", Shop.Status.SUSPENDED),
        (Shop.Status.SUSPENDED, "reinstate", "Fixed", Shop.Status.ACTIVE),
    ],
)
def test_shop_moderation_actions(
    staff_client: Client, status: str, action: str, reason: str, expected: str
) -> None:
    shop = ShopFactory(status=status)

    response = staff_client.post(
        "/admin/shops/shop/",
        {"action": action, "_selected_action": [shop.pk], "apply": "1", "reason": reason},
    )

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == expected
    assert AuditLog.objects.get(action=f"shop.{action}").reason == reason


def test_an_invalid_shop_transition_is_reported_not_applied(staff_client: Client) -> None:
    shop = ShopFactory(status=Shop.Status.ACTIVE)

    response = staff_client.post(
        "/admin/shops/shop/",
        {"action": "approve", "_selected_action": [shop.pk], "apply": "1", "reason": ""},
        follow=True,
    )

    assert "cannot be changed this way" in response.text
    shop.refresh_from_db()
    assert shop.status == Shop.Status.ACTIVE
