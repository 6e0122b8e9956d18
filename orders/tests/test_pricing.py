"""The pricing module: worked examples, then properties that hold for any input."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketmate.money import money_round_cent
from orders.pricing import (
    STANDARD_SHIPPING,
    CouponRefusal,
    PriceLine,
    PromotionKind,
    PromotionRule,
    ShippingKind,
    ShippingRate,
    WeightBand,
    price_order,
    shipping_price,
)

D = Decimal
FLAT_5 = ShippingRate(id=1, name="Courier", kind=ShippingKind.FLAT, price=D("5.00"))


def test_money_rounds_half_up_to_the_cent() -> None:
    assert money_round_cent(D("2.345")) == D("2.35")
    assert money_round_cent(D("2.344")) == D("2.34")
    assert money_round_cent(D("0.005")) == D("0.01")
    assert money_round_cent(D("-0.005")) == D("-0.01")
    assert money_round_cent(3) == D("3.00")


def test_tax_exclusive_prices_add_tax_per_line() -> None:
    # Given two lines at shop prices without tax, 19 % VAT and flat shipping
    lines = [
        PriceLine(key=1, unit_price=D("19.99"), quantity=3),
        PriceLine(key=2, unit_price=D("0.35"), quantity=1),
    ]

    price = price_order(
        currency="EUR", lines=lines, prices_include_tax=False, tax_rate=D("0.19"), shipping=FLAT_5
    )

    # Then 59.97 x 0.19 = 11.3943 -> 11.39 and 0.35 x 0.19 = 0.0665 -> 0.07
    assert [(line.subtotal, line.tax, line.total) for line in price.lines] == [
        (D("59.97"), D("11.39"), D("71.36")),
        (D("0.35"), D("0.07"), D("0.42")),
    ]
    assert (price.subtotal, price.discount, price.shipping, price.tax, price.total) == (
        D("60.32"),
        D("0.00"),
        D("5.00"),
        D("11.46"),
        D("76.78"),
    )


def test_tax_inclusive_prices_contain_the_tax() -> None:
    lines = [PriceLine(key=1, unit_price=D("11.90"), quantity=2)]

    price = price_order(
        currency="EUR", lines=lines, prices_include_tax=True, tax_rate=D("0.19"), shipping=FLAT_5
    )

    # 23.80 contains 23.80 x 0.19 / 1.19 = 3.80 of tax; the total does not grow.
    assert (price.lines[0].tax, price.lines[0].total) == (D("3.80"), D("23.80"))
    assert (price.tax, price.total) == (D("3.80"), D("28.80"))


def test_a_percentage_coupon_is_taken_per_line_before_tax() -> None:
    lines = [
        PriceLine(key=1, unit_price=D("10.00"), quantity=1),
        PriceLine(key=2, unit_price=D("3.33"), quantity=1),
    ]
    coupon = PromotionRule(id=7, kind=PromotionKind.PERCENTAGE, value=D("15"), code="SAVE15")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=False,
        tax_rate=D("0.10"),
        shipping=FLAT_5,
        coupon=coupon,
    )

    # 1.50 off 10.00 and 0.4995 -> 0.50 off 3.33; tax on 8.50 and 2.83
    assert [(line.discount, line.tax, line.total) for line in price.lines] == [
        (D("1.50"), D("0.85"), D("9.35")),
        (D("0.50"), D("0.28"), D("3.11")),
    ]
    assert (price.discount, price.tax, price.total) == (D("2.00"), D("1.13"), D("17.46"))
    assert price.coupon_applied is True
    assert price.applied_promotion_ids == (7,)


def test_a_fixed_coupon_is_spread_over_lines_in_proportion_cent_exact() -> None:
    lines = [PriceLine(key=key, unit_price=D("1.00"), quantity=1) for key in (1, 2, 3)]
    coupon = PromotionRule(id=1, kind=PromotionKind.FIXED, value=D("1.00"), code="ONE")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=STANDARD_SHIPPING,
        coupon=coupon,
    )

    assert [line.discount for line in price.lines] == [D("0.34"), D("0.33"), D("0.33")]
    assert price.total == D("2.00")


def test_a_fixed_coupon_bigger_than_the_order_makes_goods_free_not_negative() -> None:
    lines = [PriceLine(key=1, unit_price=D("4.00"), quantity=1)]
    coupon = PromotionRule(id=1, kind=PromotionKind.FIXED, value=D("50.00"), code="BIG")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=False,
        tax_rate=D("0.2"),
        shipping=FLAT_5,
        coupon=coupon,
    )

    assert (price.discount, price.tax, price.shipping, price.total) == (
        D("4.00"),
        D("0.00"),
        D("5.00"),
        D("5.00"),
    )


def test_free_shipping_coupon_zeroes_shipping_only() -> None:
    lines = [PriceLine(key=1, unit_price=D("20.00"), quantity=1)]
    coupon = PromotionRule(id=3, kind=PromotionKind.FREE_SHIPPING, code="SHIPFREE")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=FLAT_5,
        coupon=coupon,
    )

    assert (price.discount, price.shipping_before_discount, price.shipping, price.total) == (
        D("0.00"),
        D("5.00"),
        D("0.00"),
        D("20.00"),
    )


def test_a_coupon_under_its_minimum_subtotal_is_refused_and_changes_nothing() -> None:
    lines = [PriceLine(key=1, unit_price=D("49.99"), quantity=1)]
    coupon = PromotionRule(
        id=1, kind=PromotionKind.PERCENTAGE, value=D("10"), minimum_subtotal=D("50"), code="X"
    )

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=FLAT_5,
        coupon=coupon,
    )

    assert price.coupon_applied is False
    assert price.coupon_refusal == CouponRefusal.MINIMUM_SUBTOTAL
    assert price.total == D("54.99")


def test_a_category_coupon_without_matching_items_is_refused() -> None:
    lines = [PriceLine(key=1, unit_price=D("10"), quantity=1, category_ids=frozenset({1}))]
    coupon = PromotionRule(
        id=1, kind=PromotionKind.PERCENTAGE, value=D("10"), category_ids=frozenset({2}), code="X"
    )

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=FLAT_5,
        coupon=coupon,
    )

    assert price.coupon_refusal == CouponRefusal.NO_ELIGIBLE_ITEMS


def test_an_automatic_category_promotion_discounts_only_that_category() -> None:
    lines = [
        PriceLine(key=1, unit_price=D("30.00"), quantity=1, category_ids=frozenset({5})),
        PriceLine(key=2, unit_price=D("20.00"), quantity=1, category_ids=frozenset({6})),
    ]
    autumn = PromotionRule(
        id=9, kind=PromotionKind.PERCENTAGE, value=D("10"), category_ids=frozenset({5})
    )

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=FLAT_5,
        automatic_promotions=[autumn],
    )

    assert [line.discount for line in price.lines] == [D("3.00"), D("0.00")]
    assert price.automatic_promotion_id == 9
    assert price.total == D("52.00")


def test_the_best_automatic_promotion_applies_then_the_coupon_on_what_is_left() -> None:
    lines = [PriceLine(key=1, unit_price=D("100.00"), quantity=1)]
    small = PromotionRule(id=1, kind=PromotionKind.PERCENTAGE, value=D("5"))
    big = PromotionRule(id=2, kind=PromotionKind.FIXED, value=D("20"))
    coupon = PromotionRule(id=3, kind=PromotionKind.PERCENTAGE, value=D("10"), code="TEN")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=STANDARD_SHIPPING,
        automatic_promotions=[small, big],
        coupon=coupon,
    )

    # 20 off first, then 10 % of the remaining 80
    assert price.discount == D("28.00")
    assert price.applied_promotion_ids == (2, 3)


def test_an_automatic_promotion_needs_its_minimum_subtotal() -> None:
    lines = [PriceLine(key=1, unit_price=D("10.00"), quantity=1)]
    promotion = PromotionRule(id=1, kind=PromotionKind.FREE_SHIPPING, minimum_subtotal=D("10.01"))

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=FLAT_5,
        automatic_promotions=[promotion],
    )

    assert (price.shipping, price.automatic_promotion_id) == (D("5.00"), None)


def test_shipping_free_above_a_threshold_counts_the_discounted_goods() -> None:
    rate = ShippingRate(
        id=1, name="Post", kind=ShippingKind.FREE_ABOVE, price=D("4.90"), free_above=D("50")
    )

    assert shipping_price(rate=rate, goods_amount=D("49.99"), weight_grams=0) == D("4.90")
    assert shipping_price(rate=rate, goods_amount=D("50.00"), weight_grams=0) == D("0.00")


def test_weight_bands_pick_the_first_band_that_carries_the_parcel() -> None:
    rate = ShippingRate(
        id=1,
        name="Parcel",
        kind=ShippingKind.WEIGHT,
        bands=(WeightBand(5000, D("12.00")), WeightBand(1000, D("4.00"))),
    )

    assert shipping_price(rate=rate, goods_amount=D("1"), weight_grams=1000) == D("4.00")
    assert shipping_price(rate=rate, goods_amount=D("1"), weight_grams=1001) == D("12.00")
    assert shipping_price(rate=rate, goods_amount=D("1"), weight_grams=5001) is None


def test_weight_based_shipping_in_an_order_uses_quantity_times_weight() -> None:
    rate = ShippingRate(
        id=1,
        name="Parcel",
        kind=ShippingKind.WEIGHT,
        bands=(WeightBand(1000, D("4.00")), WeightBand(5000, D("12.00"))),
    )
    lines = [PriceLine(key=1, unit_price=D("2.00"), quantity=3, weight_grams=400)]

    price = price_order(
        currency="USD", lines=lines, prices_include_tax=True, tax_rate=D("0"), shipping=rate
    )

    assert (price.weight_grams, price.shipping, price.total) == (1200, D("12.00"), D("18.00"))


# --- Properties -----------------------------------------------------------------------------------
prices = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.30"), places=4)
line_lists = st.lists(
    st.builds(
        PriceLine,
        key=st.integers(1, 10_000),
        unit_price=prices,
        quantity=st.integers(1, 50),
        weight_grams=st.integers(0, 2000),
        category_ids=st.frozensets(st.integers(1, 3), max_size=2),
    ),
    min_size=1,
    max_size=8,
)
rules = st.builds(
    PromotionRule,
    id=st.integers(1, 100),
    kind=st.sampled_from(list(PromotionKind)),
    value=st.decimals(min_value=D("0"), max_value=D("500"), places=2),
    minimum_subtotal=st.decimals(min_value=D("0"), max_value=D("200"), places=2),
    category_ids=st.frozensets(st.integers(1, 3), max_size=2),
)
shipping_rates = st.builds(
    ShippingRate,
    id=st.just(1),
    name=st.just("Any"),
    kind=st.sampled_from([ShippingKind.FLAT, ShippingKind.FREE_ABOVE]),
    price=st.decimals(min_value=D("0"), max_value=D("50"), places=2),
    free_above=st.one_of(st.none(), prices),
)


@settings(max_examples=300, deadline=None)
@given(
    lines=line_lists,
    include_tax=st.booleans(),
    tax_rate=rates,
    shipping=shipping_rates,
    automatic=st.lists(rules, max_size=3),
    coupon=st.one_of(st.none(), rules),
)
def test_totals_are_the_sums_of_their_lines_and_never_negative(
    lines, include_tax, tax_rate, shipping, automatic, coupon
) -> None:
    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=include_tax,
        tax_rate=tax_rate,
        shipping=shipping,
        automatic_promotions=automatic,
        coupon=coupon,
    )

    assert price.subtotal == sum((line.subtotal for line in price.lines), D("0"))
    assert price.discount == sum((line.discount for line in price.lines), D("0"))
    assert price.tax == sum((line.tax for line in price.lines), D("0"))
    assert price.total == sum((line.total for line in price.lines), D("0")) + price.shipping
    assert price.total >= 0
    for line in price.lines:
        assert D("0") <= line.discount <= line.subtotal
        assert line.tax >= 0
        expected = line.subtotal - line.discount + (D("0") if include_tax else line.tax)
        assert line.total == expected


@settings(max_examples=300, deadline=None)
@given(
    lines=line_lists, include_tax=st.booleans(), tax_rate=rates, coupon=st.one_of(st.none(), rules)
)
def test_every_amount_is_rounded_to_the_cent_and_half_up_per_line(
    lines, include_tax, tax_rate, coupon
) -> None:
    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=include_tax,
        tax_rate=tax_rate,
        shipping=FLAT_5,
        coupon=coupon,
    )

    for line in price.lines:
        for amount in (line.subtotal, line.discount, line.tax, line.total):
            assert amount == amount.quantize(D("0.01"))
        taxable = line.subtotal - line.discount
        exact = taxable * tax_rate / (1 + tax_rate) if include_tax else taxable * tax_rate
        assert line.tax == money_round_cent(exact)
        assert abs(line.tax - exact) <= D("0.005")


@settings(max_examples=200, deadline=None)
@given(lines=line_lists, amount=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2))
def test_a_fixed_discount_takes_exactly_its_amount_or_everything(lines, amount) -> None:
    coupon = PromotionRule(id=1, kind=PromotionKind.FIXED, value=amount, code="FIX")

    price = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=True,
        tax_rate=D("0"),
        shipping=STANDARD_SHIPPING,
        coupon=coupon,
    )

    assert price.discount == min(amount, price.subtotal)


@settings(max_examples=100, deadline=None)
@given(lines=line_lists, include_tax=st.booleans(), tax_rate=rates)
def test_pricing_the_same_order_twice_gives_the_same_totals(lines, include_tax, tax_rate) -> None:
    first = price_order(
        currency="USD",
        lines=lines,
        prices_include_tax=include_tax,
        tax_rate=tax_rate,
        shipping=FLAT_5,
    )
    again = price_order(
        currency="USD",
        lines=list(lines),
        prices_include_tax=include_tax,
        tax_rate=tax_rate,
        shipping=FLAT_5,
    )

    assert first == again
