"""The money module: minor units per currency, validation, rounding, gateway units, allocation."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketmate.money import (
    MoneyError,
    allocate,
    from_minor_units,
    minor_unit,
    money_clean,
    money_round,
    money_setting,
    to_minor_units,
)

CURRENCIES = st.sampled_from(["JPY", "EUR", "USD", "BHD"])


def test_each_currency_has_its_iso_minor_unit() -> None:
    assert [minor_unit(code) for code in ("JPY", "EUR", "BHD", "usd", "KRW")] == [0, 2, 3, 2, 0]


def test_an_amount_with_more_decimals_than_its_currency_is_refused_with_a_field_message() -> None:
    with pytest.raises(MoneyError) as yen:
        money_clean("33.33", "JPY", field="amount")
    with pytest.raises(MoneyError) as euro:
        money_clean(Decimal("1.005"), "EUR", field="price")

    assert yen.value.status_code == 400
    assert yen.value.fields == {"amount": ["JPY amounts have no decimals."]}
    assert euro.value.fields == {"price": ["EUR amounts have at most 2 decimals."]}


def test_whole_amounts_are_accepted_in_their_currency() -> None:
    assert money_clean("33", "JPY") == Decimal("33")
    assert money_clean("33.00", "JPY") == Decimal("33")
    assert money_clean("1.234", "BHD") == Decimal("1.234")
    assert money_clean("10.5", "EUR") == Decimal("10.50")


def test_rounding_is_half_up_to_the_currency_unit() -> None:
    assert money_round(Decimal("10.5"), "JPY") == Decimal("11")
    assert money_round(Decimal("0.0045"), "BHD") == Decimal("0.005")
    assert money_round(Decimal("2.675"), "EUR") == Decimal("2.68")


def test_gateway_units_follow_the_minor_unit() -> None:
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert to_minor_units(Decimal("19.99"), "EUR") == 1999
    assert to_minor_units(Decimal("1.234"), "BHD") == 1234
    assert from_minor_units(1234, "BHD") == Decimal("1.234")


def test_a_fixed_amount_is_configured_per_currency_and_never_reused_across_units() -> None:
    table = {"JPY": "40"}

    assert money_setting(table=table, default="0.30", currency="EUR") == Decimal("0.30")
    assert money_setting(table=table, default="0.30", currency="JPY") == Decimal("40")
    assert money_setting(table=table, default="0.30", currency="BHD") == Decimal("0.000")


def test_a_line_of_53_over_3_units_splits_into_parts_that_add_up() -> None:
    assert allocate(Decimal("53.00"), [1, 1, 1], "EUR") == [
        Decimal("17.67"),
        Decimal("17.67"),
        Decimal("17.66"),
    ]
    assert sum(allocate(Decimal("2.17"), [1] * 5, "EUR")) == Decimal("2.17")
    assert allocate(Decimal("100"), [1, 1, 1], "JPY") == [Decimal(34), Decimal(33), Decimal(33)]


@given(
    currency=CURRENCIES,
    units=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
)
def test_allocation_always_adds_up_in_whole_minor_units(currency, units, weights) -> None:
    total = from_minor_units(units, currency)

    parts = allocate(total, weights, currency)

    assert sum(parts, Decimal(0)) == total
    assert len(parts) == len(weights)
    assert all(part == money_round(part, currency) for part in parts)
    if sum(weights) > 0 and units >= 0:
        exact = [Decimal(units) * weight / sum(weights) for weight in weights]
        assert all(
            abs(to_minor_units(part, currency) - share) < 1
            for part, share in zip(parts, exact, strict=True)
        )


@given(currency=CURRENCIES, units=st.integers(min_value=0, max_value=10**12))
def test_minor_units_round_trip(currency, units) -> None:
    assert to_minor_units(from_minor_units(units, currency), currency) == units
