"""Writes to products and variants: create, edit, archive or delete. Every change is audited.

A product always has exactly one default variant (the one a cart takes when a shopper picks no
options): created from `inventory_count` when the caller gives no variants, else the first one.
"""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, ProtectedError
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import ProductInvalidError, VariantConflictError
from catalog.models import Category, Product, ProductVariant, StockMovement
from catalog.search import search_vector_update
from catalog.selectors import product_has_orders, variant_has_orders
from catalog.services.stock import stock_adjust
from catalog.services.tags import tags_resolve
from catalog.storefront_cache import catalog_changed
from marketmate.audit import audit_record, field_changes
from marketmate.errors import ConflictError
from marketmate.events import event_emit
from marketmate.money import MoneyError, money_clean, money_round
from shops.models import Shop

# The fields whose change recomputes the product's search vector.
SEARCHED_FIELDS = {"title", "description", "categories", "tags"}

# Rich text a shop may use in a description; everything else is removed on input.
DESCRIPTION_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li",
    "h2", "h3", "h4", "blockquote", "a",
}  # fmt: skip
DESCRIPTION_ATTRIBUTES = {"a": {"href", "title"}}
OPTIONS_PER_VARIANT = 5
PRODUCT_EDITABLE_FIELDS = (
    "title",
    "description",
    "price",
    "compare_at_price",
    "status",
    "track_inventory",
    "categories",
    "tags",
)
VARIANT_EDITABLE_FIELDS = ("sku", "options", "price", "weight_grams", "position")


class VariantSpec(TypedDict, total=False):
    sku: str
    options: dict[str, str]
    price: Decimal | None
    inventory_count: int
    weight_grams: int
    position: int


def description_clean(html: str) -> str:
    """The description with only the allowed tags and safe links left."""
    return nh3.clean(
        html or "",
        tags=DESCRIPTION_TAGS,
        attributes=DESCRIPTION_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def options_normalise(options: Mapping[str, object] | None) -> dict[str, str]:
    """Option names lower case and trimmed, values trimmed; empty pairs dropped."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ProductInvalidError(
            _("Options must be pairs such as size: M."),
            fields={"options": [_("Must be an object of name: value pairs.")]},
        )
    clean: dict[str, str] = {}
    for name, value in options.items():
        key = " ".join(str(name).split()).lower()
        text = " ".join(str(value).split()) if value is not None else ""
        if key and text:
            if len(key) > 40 or len(text) > 80:
                raise ProductInvalidError(
                    _("Option names and values must be short."),
                    fields={"options": [_("Names up to 40 and values up to 80 characters.")]},
                )
            clean[key] = text
    if len(clean) > OPTIONS_PER_VARIANT:
        raise ProductInvalidError(
            _("A variant can have at most %(count)d options.") % {"count": OPTIONS_PER_VARIANT},
            fields={"options": [_("Too many options.")]},
        )
    return clean


def options_parse(text: str) -> dict[str, str]:
    """Options written as `size=M; colour=Red` (the CSV and dashboard format), normalised."""
    pairs: dict[str, str] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ProductInvalidError(
                _("Write options as name=value pairs separated by semicolons."),
                fields={"options": [_("Write options like size=M; colour=Red.")]},
            )
        name, _separator, value = part.partition("=")
        pairs[name] = value
    return options_normalise(pairs)


def options_format(options: Mapping[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in options.items())


def _validation_error(exc: ValidationError) -> ProductInvalidError:
    return ProductInvalidError(
        _("The product has invalid fields."),
        fields={field: [str(message) for message in messages] for field, messages in
                exc.message_dict.items()},
    )  # fmt: skip


def product_slug_unique(*, shop: Shop, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "product"
    products = Product.objects.filter(shop=shop)
    if exclude_pk is not None:
        products = products.exclude(pk=exclude_pk)
    candidate, number = base, 1
    while products.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def sku_generate(*, shop: Shop, product: Product) -> str:
    """A SKU no other variant of the shop has: the product's slug plus a random suffix."""
    stem = (slugify(product.title)[:40] or "item").upper()
    while True:
        candidate = f"{stem}-{secrets.token_hex(3).upper()}"
        if not ProductVariant.objects.filter(shop=shop, sku=candidate).exists():
            return candidate


def _sku_check(*, shop: Shop, sku: str, exclude_pk: int | None = None) -> str:
    sku = sku.strip()
    if len(sku) > 64:
        raise ProductInvalidError(
            _("The SKU is too long."), fields={"sku": [_("At most 64 characters.")]}
        )
    others = ProductVariant.objects.filter(shop=shop, sku__iexact=sku)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ProductInvalidError(
            _("SKU %(sku)s is already used in this shop.") % {"sku": sku},
            fields={"sku": [_("Already used by another variant of this shop.")]},
        )
    return sku


def price_clean(value: Any, *, currency: str, field: str = "price") -> Any:
    """A price in the shop's `currency`: refused (a field error, 400) when it has more decimals
    than the currency has (10.55 in a yen shop), never rounded; None and "" pass through."""
    if value is None or value == "":
        return value
    try:
        return money_clean(value, currency, field=field)
    except MoneyError as exc:
        raise ProductInvalidError(str(exc.message), fields=exc.fields) from exc


def _money_before(values: dict[str, Any], currency: str) -> dict[str, Any]:
    """Stored prices (three decimals in the column) in the currency's own decimals, so an
    audited change reads 10.00 -> 12.00, not 10.000 -> 12.00."""
    return {
        field: money_round(value, currency)
        if field in {"price", "compare_at_price"} and isinstance(value, Decimal)
        else value
        for field, value in values.items()
    }


def _prices_check(
    *, price: Decimal, compare_at_price: Decimal | None, currency: str
) -> tuple[Decimal, Decimal | None]:
    price = price_clean(price, currency=currency)
    compare_at_price = price_clean(compare_at_price, currency=currency, field="compare_at_price")
    if compare_at_price is not None and compare_at_price <= price:
        raise ProductInvalidError(
            _("The compare-at price must be higher than the price."),
            fields={"compare_at_price": [_("Must be higher than the price.")]},
        )
    return price, compare_at_price


def _options_unique_check(
    *, product: Product, options: dict[str, str], exclude_pk: int | None
) -> None:
    siblings = product.variants.all()
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if any(sibling.options == options for sibling in siblings):
        raise ProductInvalidError(
            _("Another variant of this product has the same options."),
            fields={"options": [_("Another variant has these options.")]},
        )


def _variant_build(
    *, product: Product, actor: User | None, spec: VariantSpec, is_default: bool
) -> ProductVariant:
    options = options_normalise(spec.get("options"))
    _options_unique_check(product=product, options=options, exclude_pk=None)
    sku = spec.get("sku") or ""
    sku = (
        _sku_check(shop=product.shop, sku=sku)
        if sku.strip()
        else sku_generate(shop=product.shop, product=product)
    )
    inventory_count = int(spec.get("inventory_count") or 0)
    if inventory_count < 0:
        raise ProductInvalidError(
            _("Stock cannot be negative."),
            fields={"inventory_count": [_("Must be zero or more.")]},
        )
    position = spec.get("position")
    if position is None:
        position = (product.variants.aggregate(top=Max("position"))["top"] or 0) + (
            0 if is_default else 1
        )
    variant = ProductVariant(
        product=product,
        shop=product.shop,
        sku=sku,
        options=options,
        price=price_clean(spec.get("price"), currency=product.currency),
        weight_grams=int(spec.get("weight_grams") or 0),
        is_default=is_default,
        position=position,
    )
    try:
        variant.full_clean(exclude=["product", "shop"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    variant.save()
    if inventory_count:
        stock_adjust(
            variant=variant,
            delta=inventory_count,
            reason=StockMovement.Reason.RESTOCK,
            actor=actor,
            note=_("Opening stock"),
        )
    return variant


def _lowest_price(product_id: int) -> Decimal | None:
    """The product's cheapest variant price as stored now."""
    low: Decimal | None = ProductVariant.objects.filter(product_id=product_id).aggregate(
        low=Min(Coalesce("price", "product__price"))
    )["low"]
    return low


def _price_drop_announce(*, product_id: int, before: Decimal | None) -> None:
    """Emit `product.price_dropped` (for wishlists) when the lowest price went below `before`."""
    after = _lowest_price(product_id)
    if before is not None and after is not None and after < before:
        event_emit("product.price_dropped", product_id=product_id)


def _categories_check(category_ids: Iterable[int | Category]) -> list[Category]:
    ids = [item.pk if isinstance(item, Category) else int(item) for item in category_ids]
    categories = list(Category.objects.filter(pk__in=ids))
    if len(categories) != len(set(ids)):
        raise ProductInvalidError(
            _("Choose existing categories."),
            fields={"categories": [_("One or more categories do not exist.")]},
        )
    return categories


@transaction.atomic
def product_create(
    *,
    shop: Shop,
    actor: User | None,
    title: str,
    price: Decimal,
    description: str = "",
    compare_at_price: Decimal | None = None,
    status: str = Product.Status.DRAFT,
    track_inventory: bool = True,
    inventory_count: int = 0,
    sku: str = "",
    categories: Iterable[int | Category] = (),
    tags: Iterable[str] = (),
    variants: Sequence[VariantSpec] | None = None,
    slug: str = "",
) -> Product:
    """Create a product in `shop` (in its currency) with its variants, in one transaction: the
    one way to create a product, for the dashboard's form and the API alike.

    Without `variants`, the product gets one default variant with `sku` (generated when empty)
    and `inventory_count` units in stock; with them, the first becomes the default, and a bad
    one raises `ProductInvalidError` with its `variant_index` (nothing is created).
    """
    price, compare_at_price = _prices_check(
        price=price, compare_at_price=compare_at_price, currency=shop.currency
    )
    if slug and Product.objects.filter(shop=shop, slug=slug).exists():
        raise ProductInvalidError(
            _("Another product of this shop has this slug."),
            fields={"slug": [_("Already used in this shop.")]},
        )
    product = Product(
        shop=shop,
        title=title.strip(),
        slug=slug or product_slug_unique(shop=shop, title=title),
        description=description_clean(description),
        price=price,
        compare_at_price=compare_at_price,
        currency=shop.currency,
        status=status,
        track_inventory=track_inventory,
    )
    try:
        product.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    product.save()
    product.categories.set(_categories_check(categories))
    product.tags.set(tags_resolve(names=tags))
    search_vector_update(product_ids=[product.pk])
    specs: list[VariantSpec] = (
        list(variants) if variants else [{"sku": sku, "inventory_count": inventory_count}]
    )
    for index, spec in enumerate(specs):
        try:
            _variant_build(product=product, actor=actor, spec=spec, is_default=index == 0)
        except ProductInvalidError as exc:
            if variants:
                exc.variant_index = index
            raise
    audit_record(
        actor=actor,
        action="product.create",
        entity=product,
        changes={"status": (None, product.status), "price": (None, product.price)},
    )
    catalog_changed(product_ids=[product.pk])
    event_emit("product.created", product_id=product.pk, shop_id=shop.pk)
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User | None, data: Mapping[str, Any]) -> Product:
    """Change the given fields of a product (`PRODUCT_EDITABLE_FIELDS`); audited."""
    unknown = set(data) - set(PRODUCT_EDITABLE_FIELDS)
    if unknown:
        raise ProductInvalidError(
            _("These fields cannot be changed."),
            fields={field: [_("Cannot be changed.")] for field in sorted(unknown)},
        )
    scalar = [field for field in data if field not in {"categories", "tags"}]
    before = _money_before({field: getattr(product, field) for field in scalar}, product.currency)
    # Where the product is listed now (its categories may change below).
    catalog_changed(product_ids=[product.pk])
    lowest_before = _lowest_price(product.pk) if "price" in data else None
    for field in scalar:
        value = data[field]
        if field == "description":
            value = description_clean(value)
        if field == "title":
            value = value.strip()
        setattr(product, field, value)
    product.price, product.compare_at_price = _prices_check(
        price=product.price, compare_at_price=product.compare_at_price, currency=product.currency
    )
    try:
        product.full_clean(exclude=["slug"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    changes: dict[str, tuple[Any, Any]] = field_changes(before, product, scalar)
    if changes:
        product.save(update_fields=[*changes, "updated"])
    if "price" in changes:
        _price_drop_announce(product_id=product.pk, before=lowest_before)
    if "categories" in data:
        old = sorted(product.categories.values_list("pk", flat=True))
        new_categories = _categories_check(data["categories"])
        product.categories.set(new_categories)
        new = sorted(category.pk for category in new_categories)
        if old != new:
            changes["categories"] = (old, new)
    if "tags" in data:
        old_tags = sorted(product.tags.values_list("name", flat=True))
        new_tags = tags_resolve(names=data["tags"])
        product.tags.set(new_tags)
        if old_tags != sorted(tag.name for tag in new_tags):
            changes["tags"] = (old_tags, sorted(tag.name for tag in new_tags))
    if changes.keys() & SEARCHED_FIELDS:
        search_vector_update(product_ids=[product.pk])
    if "categories" in changes:
        catalog_changed(product_ids=[product.pk])
    if changes:
        audit_record(actor=actor, action="product.update", entity=product, changes=changes)
        event_emit(
            "product.updated",
            product_id=product.pk,
            shop_id=product.shop_id,
            changed=sorted(changes),
        )
    return product


@transaction.atomic
def product_delete(*, product: Product, actor: User | None) -> bool:
    """Delete a product, or archive it when it has orders. Returns True when it was deleted."""
    catalog_changed(product_ids=[product.pk])
    if product_has_orders(product=product):
        return _product_archive(product=product, actor=actor)
    audit_record(
        actor=actor,
        action="product.delete",
        entity=product,
        changes={"status": (product.status, None)},
    )
    product_id, shop_id, sku_list = product.pk, product.shop_id, _variant_skus(product)
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        return _product_archive(product=product, actor=actor)
    # Subscribers cannot read a deleted product: the event carries what they may need.
    event_emit("product.deleted", product_id=product_id, shop_id=shop_id, skus=sku_list)
    return True


def _variant_skus(product: Product) -> list[str]:
    return sorted(product.variants.values_list("sku", flat=True))


def _product_archive(*, product: Product, actor: User | None) -> bool:
    old = product.status
    if old != Product.Status.ARCHIVED:
        product.status = Product.Status.ARCHIVED
        product.save(update_fields=["status", "updated"])
    audit_record(
        actor=actor,
        action="product.archive",
        entity=product,
        changes={"status": (old, Product.Status.ARCHIVED)},
        reason="the product has orders",
    )
    return False


@transaction.atomic
def product_unpublish(*, product: Product, actor: User | None, reason: str) -> Product:
    """Staff take an active product off the storefront (back to draft); audited with a reason."""
    if product.status != Product.Status.ACTIVE:
        raise ConflictError(_("Only active products can be unpublished."))
    product.status = Product.Status.DRAFT
    product.save(update_fields=["status", "updated"])
    catalog_changed(product_ids=[product.pk])
    audit_record(
        actor=actor,
        action="product.unpublish",
        entity=product,
        changes={"status": (Product.Status.ACTIVE, Product.Status.DRAFT)},
        reason=reason,
    )
    return product


@transaction.atomic
def variant_create(*, product: Product, actor: User | None, spec: VariantSpec) -> ProductVariant:
    """Add a variant to a product (the default one if the product has none)."""
    Product.objects.select_for_update().filter(pk=product.pk).first()
    is_default = not product.variants.filter(is_default=True).exists()
    variant = _variant_build(product=product, actor=actor, spec=spec, is_default=is_default)
    audit_record(
        actor=actor,
        action="variant.create",
        entity=variant,
        changes={"sku": (None, variant.sku), "options": (None, variant.options)},
    )
    catalog_changed(product_ids=[product.pk])
    return variant


@transaction.atomic
def variant_update(
    *, variant: ProductVariant, actor: User | None, data: Mapping[str, Any]
) -> ProductVariant:
    """Change a variant's SKU, options, own price, weight or position (stock: `stock_adjust`)."""
    # The product first, as `variant_create` and `variant_delete` do: its facet options are
    # recomputed from its variants (catalog.search.facet_options_trigger_create).
    Product.objects.select_for_update().filter(pk=variant.product_id).first()
    unknown = set(data) - set(VARIANT_EDITABLE_FIELDS)
    if unknown:
        raise ProductInvalidError(
            _("These fields cannot be changed here."),
            fields={field: [_("Cannot be changed here.")] for field in sorted(unknown)},
        )
    before = _money_before(
        {field: getattr(variant, field) for field in data}, variant.product.currency
    )
    for field, value in data.items():
        if field == "sku":
            value = _sku_check(shop=variant.shop, sku=value, exclude_pk=variant.pk)
            if not value:
                raise ProductInvalidError(
                    _("The SKU is required."), fields={"sku": [_("This field is required.")]}
                )
        if field == "options":
            value = options_normalise(value)
            _options_unique_check(product=variant.product, options=value, exclude_pk=variant.pk)
        if field == "price":
            value = price_clean(value, currency=variant.product.currency)
        setattr(variant, field, value)
    try:
        variant.full_clean(exclude=["product", "shop"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    changes = field_changes(before, variant, data)
    if changes:
        lowest_before = _lowest_price(variant.product_id) if "price" in changes else None
        variant.save(update_fields=[*changes, "updated"])
        audit_record(actor=actor, action="variant.update", entity=variant, changes=changes)
        catalog_changed(product_ids=[variant.product_id])
        if "price" in changes:
            _price_drop_announce(product_id=variant.product_id, before=lowest_before)
    return variant


@transaction.atomic
def variant_delete(*, variant: ProductVariant, actor: User | None) -> None:
    """Delete a variant that was never ordered; the product keeps at least one variant."""
    product = Product.objects.select_for_update().get(pk=variant.product_id)
    siblings = product.variants.exclude(pk=variant.pk).order_by("position", "id")
    catalog_changed(product_ids=[product.pk])
    if not siblings.exists():
        raise VariantConflictError(_("A product needs at least one variant."))
    if variant_has_orders(variant=variant):
        raise VariantConflictError(
            _("This variant has been ordered; archive the product instead of deleting it.")
        )
    audit_record(
        actor=actor,
        action="variant.delete",
        entity=variant,
        changes={"sku": (variant.sku, None)},
    )
    was_default = variant.is_default
    try:
        with transaction.atomic():
            variant.delete()
    except ProtectedError as exc:
        raise VariantConflictError(
            _("This variant has been ordered; archive the product instead of deleting it.")
        ) from exc
    if was_default:
        successor = siblings.first()
        assert successor is not None
        successor.is_default = True
        successor.save(update_fields=["is_default", "updated"])
