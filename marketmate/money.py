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

from django.utils.translation import gettext as _

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
