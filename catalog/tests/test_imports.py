import io
from decimal import Decimal

import pytest

from catalog.models import Product, ProductVariant, StockMovement
from catalog.services.imports import COLUMNS, products_export_csv, products_import_csv
from catalog.tests.factories import CategoryFactory, ProductFactory, VariantFactory
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def _import(shop, text: str):
    return products_import_csv(shop=shop, actor=shop.owner, source=io.BytesIO(text.encode()))


def test_a_good_file_creates_products_with_their_variants() -> None:
    shop = ShopFactory()
    CategoryFactory(slug="mugs")
    text = "\n".join(
        [
            HEADER,
            'mug,Stoneware Mug,"<p>Big</p>",active,18.00,,true,mugs,Kitchen|Gift,MUG-B,'
            "colour=Blue,,5",
            "mug,Stoneware Mug,,active,18.00,,true,mugs,,MUG-G,colour=Green,19.50,0",
            "plate,Dinner Plate,,draft,25.00,30.00,false,,,PLATE-1,,,2",
        ]
    )

    report = _import(shop, text)

    assert report.errors == []
    assert (report.rows, report.products_created, report.variants_created) == (3, 2, 3)
    mug = Product.objects.get(shop=shop, slug="mug")
    assert (mug.title, mug.status, mug.price, mug.description) == (
        "Stoneware Mug",
        "active",
        Decimal("18.00"),
        "<p>Big</p>",
    )
    assert sorted(mug.tags.values_list("name", flat=True)) == ["gift", "kitchen"]
    assert [
        (v.sku, v.options, v.price, v.inventory_count, v.is_default) for v in mug.variants.all()
    ] == [
        ("MUG-B", {"colour": "Blue"}, None, 5, True),
        ("MUG-G", {"colour": "Green"}, Decimal("19.50"), 0, False),
    ]
    plate = Product.objects.get(shop=shop, slug="plate")
    assert (plate.compare_at_price, plate.track_inventory) == (Decimal("30.00"), False)


def test_a_file_with_bad_rows_imports_nothing_and_reports_each_bad_row() -> None:
    shop = ShopFactory()
    text = "\n".join(
        [
            HEADER,
            "good,Good Thing,,active,10.00,,true,,,GOOD-1,,,1",
            "bad price,Bad,,active,free,,true,,,BAD-1,,,1",
            "neg,Negative,,sold,10.00,5.00,maybe,nowhere,,NEG-1,size,,-2",
            "dup,Duplicate,,active,10.00,,true,,,GOOD-1,,,1",
            ",,,,,,,,,,,,",
            "nosku,No SKU,,active,10.00,,true,,,,,,1",
        ]
    )

    report = _import(shop, text)

    assert not Product.objects.filter(shop=shop).exists()
    assert [(error.line, error.sku) for error in report.errors] == [
        (3, "BAD-1"),
        (4, "NEG-1"),
        (5, "GOOD-1"),
        (7, ""),
    ]
    assert report.errors[0].messages == [
        "product_slug may hold only lower-case letters, digits and hyphens.",
        "price is not a number: free.",
    ]
    assert report.errors[1].messages == [
        "status must be one of draft, active, archived.",
        "compare_at_price must be higher than price.",
        "track_inventory must be true or false.",
        "inventory_count cannot be negative.",
        "There is no category nowhere.",
        "Write options like size=M; colour=Red.",
    ]
    assert report.errors[2].messages == ["sku GOOD-1 is also on line 2."]
    assert report.errors[3].messages == ["sku is required."]


def test_a_sku_of_another_product_is_reported() -> None:
    shop = ShopFactory()
    VariantFactory(
        product=ProductFactory(shop=shop, slug="taken", default_variant=False), sku="T-1"
    )

    report = _import(shop, f"{HEADER}\nnew,New,,draft,5.00,,true,,,T-1,,,0")

    assert report.errors[0].messages == ["sku T-1 belongs to product taken."]
    assert Product.objects.filter(shop=shop).count() == 1


def test_a_file_without_the_required_columns_is_refused() -> None:
    report = _import(ShopFactory(), "title,price\nMug,5")

    assert report.errors[0].messages == ["The file lacks the columns: product_slug, sku."]


def test_an_empty_file_is_refused() -> None:
    report = _import(ShopFactory(), HEADER + "\n")

    assert report.errors[0].messages == ["The file has no rows."]


def test_export_then_import_updates_in_place_and_records_stock_changes() -> None:
    shop = ShopFactory()
    product = ProductFactory(shop=shop, slug="lamp", title="Lamp")
    out = io.StringIO()
    products_export_csv(shop=shop, out=out)
    exported = out.getvalue()
    assert (
        exported.splitlines()[1]
        == "lamp,Lamp,A well-made thing.,active,10.00,,true,,,lamp-default,,,10"
    )

    report = _import(shop, exported.replace(",10\r\n", ",4\r\n").replace("Lamp,", "Desk Lamp,"))

    assert report.errors == []
    assert (report.products_updated, report.variants_updated) == (1, 1)
    product.refresh_from_db()
    assert product.title == "Desk Lamp"
    variant = ProductVariant.objects.get(product=product)
    assert variant.inventory_count == 4
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.delta, movement.reason) == (-6, "import")


def test_an_existing_product_gains_a_new_variant_from_the_file() -> None:
    shop = ShopFactory()
    ProductFactory(shop=shop, slug="cap", title="Cap")

    report = _import(
        shop,
        "\n".join(
            [
                HEADER,
                "cap,Cap,,active,10.00,,true,,,cap-default,,,10",
                "cap,Cap,,active,10.00,,true,,,CAP-RED,colour=Red,,3",
            ]
        ),
    )

    assert report.errors == []
    assert report.variants_created == 1
    assert list(
        ProductVariant.objects.filter(product__slug="cap").values_list("sku", "inventory_count")
    ) == [("cap-default", 10), ("CAP-RED", 3)]
