"""Amounts by currency: the one place that knows each currency's minor unit.

ISO 4217 gives every currency a number of decimals (its minor unit): JPY 0, EUR 2, BHD 3. That
number governs validation (an amount with more decimals is refused, never silently rounded),
rounding (half up, once per amount), the integers payment providers count in, and the fixed
fees and thresholds of `money_setting` (each configured per currency).

Splitting an amount (over the units of a line, the lines of an order, the shops of a checkout)
goes through `allocate`: the largest-remainder method in minor units, so the parts always add
up to the whole and the last part takes no leftover penny of its own.
"""

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from marketmate.errors import ApplicationError

# ISO 4217 currencies whose minor unit is not 2 (those not listed have 2).
MINOR_UNITS: Mapping[str, int] = {
    # no decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # three decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip


class MoneyError(ApplicationError):
    """An amount the currency cannot hold (too many decimals, not a number): HTTP 400."""

    default_code = "invalid_amount"


def minor_unit(currency: str) -> int:
    """How many decimals `currency` has (ISO 4217; 2 unless listed)."""
    return MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 1 for JPY, 0.01 for EUR, 0.001 for BHD."""
    return Decimal(1).scaleb(-minor_unit(currency))


def money_round(amount: Decimal | int, currency: str) -> Decimal:
    """`amount` rounded half up to a whole minor unit of `currency`."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def money_round_cent(amount: Decimal | int) -> Decimal:
    """`amount` rounded half up to the cent, whatever the currency (approximate prices)."""
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money_is_whole(amount: Decimal, currency: str) -> bool:
    """True when `amount` is a whole number of `currency`'s minor units."""
    return Decimal(amount) == Decimal(amount).quantize(quantum(currency), rounding=ROUND_DOWN)


def money_input(amount: Decimal | None, currency: str) -> Decimal | None:
    """A stored amount (three decimals in the column) as a form shows it: in the currency's own
    decimals (10.00 dollars, 1000 yen, 1.125 dinars); None stays None."""
    return None if amount is None else money_round(amount, currency)


def money_clean(amount: Decimal | str | int, currency: str, *, field: str = "amount") -> Decimal:
    """`amount` as a Decimal of `currency`, or a MoneyError (400) naming `field` when it is not
    a number or has more decimals than the currency has. Never rounds."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite():
        message = _("Enter a number.")
        raise MoneyError(message, fields={field: [message]})
    if not money_is_whole(value, currency):
        places = minor_unit(currency)
        if places == 0:
            message = _("%(currency)s amounts have no decimals.") % {"currency": currency}
        else:
            message = _("%(currency)s amounts have at most %(places)s decimals.") % {
                "currency": currency,
                "places": places,
            }
        raise MoneyError(message, fields={field: [message]})
    return value.quantize(quantum(currency))


def money_field_errors(
    currency: str, amounts: Mapping[str, Decimal | None]
) -> dict[str, list[str]]:
    """The field errors of `amounts` (field name to amount; None is skipped) in `currency`:
    `{"price": ["JPY amounts have no decimals."]}`, empty when every amount fits."""
    errors: dict[str, list[str]] = {}
    for field, amount in amounts.items():
        if amount is None or not currency:
            continue
        try:
            money_clean(amount, currency, field=field)
        except MoneyError as exc:
            errors[field] = [str(exc.message)]
    return errors


def to_minor_units(amount: Decimal, currency: str) -> int:
    """`amount` as the integer providers count in (yen, cents, fils), rounded half up."""
    return int(money_round(amount, currency).scaleb(minor_unit(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    """The amount of `units` minor units of `currency`."""
    return Decimal(int(units)).scaleb(-minor_unit(currency)).quantize(quantum(currency))


def allocate(total: Decimal, weights: Sequence[Decimal | int], currency: str) -> list[Decimal]:
    """`total` split in proportion to `weights`, in whole minor units of `currency`.

    Largest remainder: each part gets the floor of its exact share, then the leftover units go
    one each to the parts with the largest remainders (the earlier part first on a tie). The
    parts always add up to `total` (rounded to the currency); with weights all zero, the split
    is equal. Negative weights count as zero.
    """
    count = len(weights)
    if count == 0:
        return []
    places = minor_unit(currency)
    units = int(money_round(total, currency).scaleb(places))
    sign = -1 if units < 0 else 1
    units = abs(units)
    clean = [max(Decimal(weight), Decimal(0)) for weight in weights]
    weight_sum = sum(clean, Decimal(0))
    if weight_sum <= 0:
        clean, weight_sum = [Decimal(1)] * count, Decimal(count)
    exact = [Decimal(units) * weight / weight_sum for weight in clean]
    parts = [int(share) for share in exact]
    leftover = units - sum(parts)
    by_remainder = sorted(range(count), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [Decimal(sign * part).scaleb(-places).quantize(quantum(currency)) for part in parts]


def money_setting(*, table: Mapping[str, object], default: object, currency: str) -> Decimal:
    """A fixed amount (a fee, a threshold) configured per currency: `table` maps currency codes
    to amounts (`{"JPY": "40", "BHD": "0.300"}`); other currencies take `default`.

    A default is never reused across minor units: `default` 0.30 means 0.30 in two-decimal
    currencies only; a zero- or three-decimal currency without its own entry gets 0.
    """
    code = currency.upper()
    if code in table:
        return money_round(Decimal(str(table[code])), code)
    if minor_unit(code) != 2:
        return Decimal(0).quantize(quantum(code))
    return money_round(Decimal(str(default)), code)


class MoneyAmountField(models.DecimalField):
    """An amount column: three decimals (the most any currency has, BHD), read back with the
    decimals it needs and at least two (80.000 reads as 80.00, 1.125 stays 1.125), so amounts
    of zero- and two-decimal currencies print as they always have. Validation per currency is
    `money_clean`'s job, not the column's."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else Decimal(money_text(value))


def money_text(amount: Decimal) -> str:
    """`amount` as API text: every decimal it has, and at least two ("80.00", "1.125").

    Amount columns hold three decimals (the most any currency has), so a stored 80.00 reads
    back as 80.000; this keeps the two-decimal text clients already read, and never drops a
    third decimal a BHD amount has."""
    value = Decimal(amount)
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


# The largest amount a catalog amount column (13 digits, 3 of them decimals) holds.
AMOUNT_MAX = Decimal("9999999999.999")


class AmountFormField(forms.DecimalField):
    """An amount typed into a form: any decimals come in and the service checks them against
    the currency (`money_clean`: "USD amounts have at most 2 decimals." for 12.3456 dollars,
    where a field of three decimals said "no more than 3 decimal places"), up to AMOUNT_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", None)
        kwargs.setdefault("max_value", AMOUNT_MAX)
        super().__init__(**kwargs)


class AmountField(serializers.DecimalField):
    """An amount in the API, as text. When the object it is read from has a `currency` (an
    order, a payment, a ledger entry...), with that currency's decimals and at least two
    ("80.00", "1000.00" yen as always, "24.690" dinars); otherwise with the decimals the value
    has, at least two (`money_text`). Input takes any decimals; the service then checks them
    against the currency (`money_clean`)."""

    def __init__(self, **kwargs: Any) -> None:
        # Any number of decimals comes in: the currency, not the field, says how many are too
        # many, so the message names it ("JPY amounts have no decimals.").
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", None)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        currency = (instance.get("currency") if isinstance(instance, Mapping) else None) or getattr(
            instance, "currency", None
        )
        return (value, currency if isinstance(currency, str) and currency else None)

    def to_representation(self, value: Any) -> Any:
        currency = None
        if isinstance(value, tuple):
            value, currency = value
        if value is None or value == "":
            return None
        if currency is None:
            return money_text(Decimal(value))
        places = max(2, minor_unit(currency))
        return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def amount_field_mapping(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A ModelSerializer's field mapping with money columns read as `AmountField`s."""
    return {**mapping, models.DecimalField: AmountField}
