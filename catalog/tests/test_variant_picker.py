"""The variant picker's buttons: where each leads and which combinations are marked."""

import pytest

from catalog.tests.factories import ProductFactory, VariantFactory
from catalog.variant_picker import variant_picker

pytestmark = pytest.mark.django_db


def shirt():  # type: ignore[no-untyped-def]
    """S/Rust (3), S/Charcoal (0), M/Rust (2); no M/Charcoal."""
    product = ProductFactory(
        track_inventory=True,
        default_variant__options={"size": "S", "colour": "Rust"},
        default_variant__inventory_count=3,
    )
    small_rust = product.variants.get()
    small_charcoal = VariantFactory(
        product=product, options={"size": "S", "colour": "Charcoal"}, inventory_count=0
    )
    medium_rust = VariantFactory(
        product=product, options={"size": "M", "colour": "Rust"}, inventory_count=2
    )
    return product, small_rust, small_charcoal, medium_rust


def table(groups):  # type: ignore[no-untyped-def]
    return {
        group.name: [
            (v.value, v.variant_id, v.is_selected, v.exists, v.is_available) for v in group.values
        ]
        for group in groups
    }


def test_each_option_name_gets_its_buttons_leading_to_the_variant_that_changes_only_it() -> None:
    product, small_rust, small_charcoal, medium_rust = shirt()
    variants = list(product.variants.order_by("position", "id"))

    groups = variant_picker(variants=variants, selected=small_rust, track_inventory=True)

    assert table(groups) == {
        "Size": [
            ("S", small_rust.pk, True, True, True),
            ("M", medium_rust.pk, False, True, True),
        ],
        "Colour": [
            ("Rust", small_rust.pk, True, True, True),
            # exists, but sold out
            ("Charcoal", small_charcoal.pk, False, True, False),
        ],
    }


def test_a_combination_that_does_not_exist_is_marked_and_leads_to_one_that_does() -> None:
    product, _, small_charcoal, medium_rust = shirt()
    variants = list(product.variants.order_by("position", "id"))

    groups = variant_picker(variants=variants, selected=medium_rust, track_inventory=True)

    assert table(groups)["Colour"] == [
        ("Rust", medium_rust.pk, True, True, True),
        # no M/Charcoal: leads to the first Charcoal, S/Charcoal
        ("Charcoal", small_charcoal.pk, False, False, False),
    ]


def test_without_stock_counting_every_existing_combination_is_available() -> None:
    product, small_rust, small_charcoal, _ = shirt()
    variants = list(product.variants.order_by("position", "id"))

    groups = variant_picker(variants=variants, selected=small_rust, track_inventory=False)

    assert table(groups)["Colour"][1] == ("Charcoal", small_charcoal.pk, False, True, True)
