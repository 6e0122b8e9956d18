"""Money on the page: prices formatted for the active language, and the optional display
currency (approximate prices converted at the rates of `ExchangeRate`).

Orders are always priced and charged in the shop's currency; a converted price is only shown
beside the real one ("≈ €12.34"). Conversion is Decimal all the way and rounds once, to the
cent (`marketmate.money.money_round_cent`).

Rates come from the source at `EXCHANGE_RATES_URL` (refreshed by a beat job) or from a file
(`manage.py load_exchange_rates`), both in the shape

    {"base": "EUR", "rates": {"USD": "1.0832", "GBP": 0.8571}}
"""

import functools
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import cast

import requests
from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, to_locale
from django.utils.translation import gettext as _

from marketmate.errors import ApplicationError
from marketmate.flags import Flag, flag_is_on
from marketmate.models import ExchangeRate
from marketmate.money import money_round_cent

logger = logging.getLogger(__name__)

RATES_CACHE_KEY = "currency:rates"
RATES_CACHE_SECONDS = 60 * 60
# The shopper's choice of display currency; "" (or no cookie) means the shop's prices only.
DISPLAY_CURRENCY_COOKIE = "mm_currency"
# Where display_currency_for keeps its answer for the rest of the request.
REQUEST_ATTRIBUTE = "_marketmate_display_currency"
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
# A rate outside this range is a broken source, not an exchange rate.
RATE_MIN = Decimal("0.000001")
RATE_MAX = Decimal("1000000000")

Rates = dict[tuple[str, str], Decimal]


class Currency(models.TextChoices):
    """The ISO 4217 currencies a shopper may prefer prices in."""

    USD = "USD", gettext_lazy("US dollar")
    EUR = "EUR", gettext_lazy("Euro")
    GBP = "GBP", gettext_lazy("British pound")
    CHF = "CHF", gettext_lazy("Swiss franc")
    CAD = "CAD", gettext_lazy("Canadian dollar")
    AUD = "AUD", gettext_lazy("Australian dollar")
    JPY = "JPY", gettext_lazy("Japanese yen")
    SEK = "SEK", gettext_lazy("Swedish krona")
    MXN = "MXN", gettext_lazy("Mexican peso")


# --- Formatting -----------------------------------------------------------------------------------
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def money_format(*, amount: Decimal, currency: str, language: str | None = None) -> str:
    """`amount` for the active language (or `language`), keeping its currency:
    en "$1,234.50", es "1.234,50 US$", de "1.234,50 $". Without a currency, just the number."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if isinstance(amount, Decimal) and amount.is_finite():
        return _money_text(str(amount), currency, language)
    return _money(amount, currency, language)


def _money(amount: Decimal, currency: str, language: str) -> str:
    locale = _locale(language)
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=locale)
    return format_currency(amount, currency, locale=locale)


# Formatting with babel reads the locale's data and applies its pattern: a tenth of a millisecond
# a price in a request, and a list of 24 product cards shows up to 48. Kept per process: the text
# depends on the amount (its exact digits: "-0" is not "0"), the currency and the language alone,
# and prices repeat (19.99, 25.00).
@functools.lru_cache(maxsize=4096)
def _money_text(amount: str, currency: str, language: str) -> str:
    return _money(Decimal(amount), currency, language)


# --- Rates ----------------------------------------------------------------------------------------
def exchange_rates() -> Rates:
    """Every stored rate by (base, quote), from the cache (one query when it is cold)."""
    rates: Rates | None = cache.get(RATES_CACHE_KEY)
    if rates is None:
        rates = {
            (base, quote): rate
            for base, quote, rate in ExchangeRate.objects.values_list("base", "quote", "rate")
        }
        cache.set(RATES_CACHE_KEY, rates, RATES_CACHE_SECONDS)
    return rates


def exchange_rate_find(*, base: str, quote: str, rates: Rates) -> Decimal | None:
    """Units of `quote` per unit of `base`: stored directly, as the inverse of the stored
    pair, or across a currency both are quoted against (sources publish one base only)."""
    if base == quote:
        return Decimal(1)
    if (base, quote) in rates:
        return rates[(base, quote)]
    if (quote, base) in rates:
        return 1 / rates[(quote, base)]
    for (pivot, to), rate in rates.items():
        if to == base and (pivot, quote) in rates:
            return rates[(pivot, quote)] / rate
    return None


def price_convert(
    *, amount: Decimal, base: str, quote: str, rates: Rates | None = None
) -> Decimal | None:
    """`amount` in `base` converted to `quote`, rounded to the cent; None without a rate."""
    rate = exchange_rate_find(
        base=base, quote=quote, rates=exchange_rates() if rates is None else rates
    )
    if rate is None:
        return None
    return money_round_cent(amount * rate)


class ExchangeRatesError(ApplicationError):
    """The rates source answered something that is not a table of rates."""

    default_code = "invalid_exchange_rates"


def exchange_rates_parse(data: object) -> tuple[str, dict[str, Decimal]]:
    """The base currency and the rates of `{"base": "EUR", "rates": {"USD": "1.08", ...}}`;
    rates may be JSON numbers or strings. Raises ExchangeRatesError for anything else."""
    if not isinstance(data, Mapping):
        raise ExchangeRatesError(_("The exchange rates are not a JSON object."))
    base = data.get("base")
    rates = data.get("rates")
    if not isinstance(base, str) or not CURRENCY_CODE.match(base):
        raise ExchangeRatesError(_("The exchange rates have no valid base currency."))
    if not isinstance(rates, Mapping) or not rates:
        raise ExchangeRatesError(_("The exchange rates have no rates."))
    parsed: dict[str, Decimal] = {}
    for quote, value in rates.items():
        if not isinstance(quote, str) or not CURRENCY_CODE.match(quote) or quote == base:
            raise ExchangeRatesError(
                _("%(code)r is not a currency code to convert to.") % {"code": quote}
            )
        try:
            rate = Decimal(str(value)) if isinstance(value, int | str | Decimal) else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or not RATE_MIN <= rate <= RATE_MAX:
            raise ExchangeRatesError(
                _("The rate for %(code)s is not a positive number.") % {"code": quote}
            )
        parsed[quote] = rate
    return base, parsed


def exchange_rates_store(*, data: object) -> int:
    """Replace the stored rates of the table's base with those in `data` (see
    `exchange_rates_parse`); returns how many were stored."""
    base, rates = exchange_rates_parse(data)
    fetched_at = timezone.now()
    with transaction.atomic():
        for quote, rate in rates.items():
            ExchangeRate.objects.update_or_create(
                base=base, quote=quote, defaults={"rate": rate, "fetched_at": fetched_at}
            )
        transaction.on_commit(lambda: cache.delete(RATES_CACHE_KEY))
    return len(rates)


def exchange_rates_refresh() -> int:
    """Fetch the rates from `EXCHANGE_RATES_URL` and store them; 0 when no source is set.
    Network failures and bad answers are raised, so the job retries."""
    url = settings.EXCHANGE_RATES_URL
    if not url:
        logger.info("EXCHANGE_RATES_URL is not set; exchange rates were not refreshed.")
        return 0
    response = requests.get(url, timeout=settings.EXCHANGE_RATES_TIMEOUT)
    response.raise_for_status()
    try:
        data = json.loads(response.text, parse_float=Decimal)
    except ValueError as error:
        raise ExchangeRatesError(_("The exchange rates are not valid JSON.")) from error
    count = exchange_rates_store(data=data)
    logger.info("Stored %d exchange rates from %s", count, url)
    return count


# --- The shopper's display currency ---------------------------------------------------------------
def display_currency_codes() -> list[str]:
    """The currencies a shopper may pick (those of the profile's preferred currency)."""
    return list(Currency.values)


def display_currency_choices() -> list[tuple[str, str]]:
    """The picker's choices: `("EUR", "EUR · Euro")`, ..."""
    return [(code, f"{code} · {label}") for code, label in Currency.choices]


def display_currency_for(request: HttpRequest) -> str | None:
    """The currency `request`'s shopper wants approximate prices in: the picker's cookie, else
    a signed-in user's preferred currency; None while the `display_currency` flag is off, or
    when they chose the shop's prices only. Worked out once per request."""
    if hasattr(request, REQUEST_ATTRIBUTE):
        return cast("str | None", getattr(request, REQUEST_ATTRIBUTE))
    choice: str | None = None
    if flag_is_on(request, Flag.DISPLAY_CURRENCY):
        cookie = request.COOKIES.get(DISPLAY_CURRENCY_COOKIE)
        user = getattr(request, "user", None)
        if cookie is not None:
            choice = cookie if cookie in display_currency_codes() else None
        elif user is not None and user.is_authenticated:
            choice = getattr(user, "currency", None) or None
    setattr(request, REQUEST_ATTRIBUTE, choice)
    return choice


@dataclass(frozen=True)
class Approximation:
    amount: Decimal
    currency: str
    text: str


def price_approximate(
    *, request: HttpRequest, amount: Decimal, currency: str
) -> Approximation | None:
    """`amount` (in `currency`) in the shopper's display currency, formatted; None when there
    is nothing to show (no display currency, the same currency, or no rate)."""
    wanted = display_currency_for(request)
    if not wanted or wanted == currency:
        return None
    converted = price_convert(amount=Decimal(amount), base=currency, quote=wanted)
    if converted is None:
        return None
    return Approximation(
        amount=converted, currency=wanted, text=money_format(amount=converted, currency=wanted)
    )
