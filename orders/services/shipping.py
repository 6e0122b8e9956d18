"""Shops' shipping methods: what they charge and where they ship."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.audit import audit_record, field_changes
from marketmate.money import money_field_errors
from orders.models import ShippingMethod, ShippingWeightBand
from orders.pricing import ShippingKind
from shops.models import Shop

METHOD_FIELDS = (
    "name",
    "kind",
    "countries",
    "price",
    "free_above",
    "delivery_days_min",
    "delivery_days_max",
    "is_default",
    "is_active",
    "position",
)


@transaction.atomic
def shipping_method_save(
    *,
    actor: User,
    shop: Shop,
    method: ShippingMethod | None = None,
    name: str,
    kind: str,
    countries: Iterable[str] = (),
    price: Decimal = Decimal("0"),
    free_above: Decimal | None = None,
    is_default: bool = False,
    is_active: bool = True,
    position: int = 0,
    bands: Iterable[tuple[int, Decimal]] = (),
    delivery_days_min: int | None = None,
    delivery_days_max: int | None = None,
) -> ShippingMethod:
    """Create or change a shipping method of `shop`, with its weight bands; audited.

    A method by weight needs at least one band; "free above" needs its threshold. Making a
    method the default takes that from the shop's other methods.
    """
    bands = sorted(set(bands))
    errors: dict[str, list[str]] = {}
    if kind == ShippingKind.WEIGHT and not bands:
        errors["kind"] = [_("Add at least one weight band.")]
    if kind == ShippingKind.FREE_ABOVE and free_above is None:
        errors["free_above"] = [_("Give the amount above which shipping is free.")]
    if delivery_days_max is not None and delivery_days_min is None:
        delivery_days_min = delivery_days_max
    if delivery_days_min is not None and delivery_days_max is None:
        delivery_days_max = delivery_days_min
    if (
        delivery_days_min is not None
        and delivery_days_max is not None
        and delivery_days_min > delivery_days_max
    ):
        errors["delivery_days_max"] = [_("At most cannot be fewer days than at least.")]
    if len({up_to for up_to, _price in bands}) != len(bands):
        errors["kind"] = [_("Each weight band needs its own weight.")]
    for _up_to, band_price in bands:
        for messages in money_field_errors(shop.currency, {"bands": band_price}).values():
            errors.setdefault("bands", [str(_("Weight band prices:")) + " " + messages[0]])
    if errors:
        raise ValidationError(errors)
    creating = method is None
    method = method if method is not None else ShippingMethod(shop=shop)
    before = {name_: getattr(method, name_) for name_ in METHOD_FIELDS}
    method.name = name
    method.kind = kind
    method.countries = list(countries)  # type: ignore[assignment]  # CountryField(multiple=True)
    method.price = price
    method.free_above = free_above
    method.is_default = is_default
    method.is_active = is_active
    method.position = position
    method.delivery_days_min = delivery_days_min
    method.delivery_days_max = delivery_days_max
    method.full_clean()
    method.save()
    if is_default:
        ShippingMethod.objects.filter(shop=shop, is_default=True).exclude(pk=method.pk).update(
            is_default=False
        )
    ShippingWeightBand.objects.filter(method=method).delete()
    ShippingWeightBand.objects.bulk_create(
        [ShippingWeightBand(method=method, up_to_grams=up_to, price=cost) for up_to, cost in bands]
    )
    audit_record(
        actor=actor,
        action="shipping_method.create" if creating else "shipping_method.update",
        entity=method,
        changes={
            **field_changes(before, method, METHOD_FIELDS),
            "bands": (None, [[up_to, str(cost)] for up_to, cost in bands]),
        },
    )
    return method
