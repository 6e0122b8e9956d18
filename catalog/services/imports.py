"""CSV export and import of a shop's products, one row per variant.

Columns (the export writes them; the import needs `product_slug`, `title`, `price` and `sku`):

    product_slug, title, description, status, price, compare_at_price, track_inventory,
    categories, tags, sku, options, variant_price, inventory_count

Rows with the same `product_slug` are one product; its fields come from the first of them.
`options` is `size=M; colour=Red`, `tags` and `categories` (category slugs) are separated by `|`.
Importing updates the products and variants that exist (by slug and SKU) and creates the others.
Every row is checked before anything is written; one bad row and nothing is imported, and the
report lists each bad row with its reasons.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import ProductInvalidError
from catalog.models import Category, Product, ProductVariant, StockMovement
from catalog.services.products import (
    VariantSpec,
    options_format,
    options_parse,
    product_create,
    product_update,
    variant_create,
    variant_update,
)
from catalog.services.stock import stock_adjust
from marketmate.money import MoneyError, money_clean, money_input, money_is_whole
from shops.models import Shop

COLUMNS = [
    "product_slug",
    "title",
    "description",
    "status",
    "price",
    "compare_at_price",
    "track_inventory",
    "categories",
    "tags",
    "sku",
    "options",
    "variant_price",
    "inventory_count",
]
REQUIRED_COLUMNS = {"product_slug", "title", "price", "sku"}
TRUE_VALUES = {"1", "true", "yes", "y"}
FALSE_VALUES = {"0", "false", "no", "n", ""}


@dataclass
class RowError:
    line: int
    sku: str
    messages: list[str]


@dataclass
class ParsedRow:
    line: int
    slug: str
    title: str
    description: str
    status: str
    price: Decimal
    compare_at_price: Decimal | None
    track_inventory: bool
    category_ids: list[int]
    tags: list[str]
    sku: str
    options: dict[str, str]
    variant_price: Decimal | None
    inventory_count: int


@dataclass
class ImportReport:
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_success(self) -> bool:
        return not self.errors


def products_export_csv(*, shop: Shop, out: IO[str]) -> None:
    """Write every product of `shop` as CSV, one row per variant, in the import's format."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    products = (
        Product.objects.filter(shop=shop)
        .prefetch_related("variants", "tags", "categories")
        .order_by("created", "id")
    )
    for product in products:
        categories = "|".join(sorted(category.slug for category in product.categories.all()))
        tags = "|".join(sorted(tag.name for tag in product.tags.all()))
        for variant in product.variants.all():
            writer.writerow(
                [
                    product.slug,
                    product.title,
                    product.description,
                    product.status,
                    money_input(product.price, product.currency),
                    money_input(product.compare_at_price, product.currency) or "",
                    "true" if product.track_inventory else "false",
                    categories,
                    tags,
                    variant.sku,
                    options_format(variant.options),
                    money_input(variant.price, product.currency) or "",
                    variant.inventory_count,
                ]
            )


def _decimal(
    value: str, *, name: str, errors: list[str], required: bool, currency: str
) -> Decimal | None:
    value = value.strip()
    if not value:
        if required:
            errors.append(_("%(column)s is required.") % {"column": name})
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        errors.append(
            _("%(column)s is not a number: %(value)s.") % {"column": name, "value": value}
        )
        return None
    if not number.is_finite() or number <= 0:
        errors.append(_("%(column)s must be more than 0.") % {"column": name})
        return None
    if not money_is_whole(number, currency):
        # The shop's currency decides: no decimals in yen, three in dinars.
        try:
            money_clean(number, currency, field=name)
        except MoneyError as exc:
            errors.append(f"{name}: {exc.message}")
        return None
    if number >= Decimal("10000000000"):
        errors.append(_("%(column)s is too large.") % {"column": name})
        return None
    return number


def _options(value: str, errors: list[str]) -> dict[str, str]:
    try:
        return options_parse(value)
    except ProductInvalidError as exc:
        errors.append(exc.fields.get("options", [exc.message])[0])
        return {}


def _parse_row(
    *, line: int, row: dict[str, str], categories_by_slug: dict[str, int], currency: str
) -> tuple[ParsedRow | None, list[str]]:
    errors: list[str] = []
    slug = row.get("product_slug", "").strip()
    title = row.get("title", "").strip()
    sku = row.get("sku", "").strip()
    if not slug:
        errors.append(_("product_slug is required."))
    elif slugify(slug) != slug or len(slug) > 220:
        errors.append(_("product_slug may hold only lower-case letters, digits and hyphens."))
    if not title:
        errors.append(_("title is required."))
    elif len(title) > 200:
        errors.append(_("title is longer than 200 characters."))
    if not sku:
        errors.append(_("sku is required."))
    elif len(sku) > 64:
        errors.append(_("sku is longer than 64 characters."))
    status = (row.get("status") or Product.Status.DRAFT).strip().lower()
    if status not in Product.Status.values:
        errors.append(
            _("status must be one of %(choices)s.") % {"choices": ", ".join(Product.Status.values)}
        )
    price = _decimal(
        row.get("price", ""), name="price", errors=errors, required=True, currency=currency
    )
    compare_at = _decimal(
        row.get("compare_at_price", ""),
        name="compare_at_price",
        errors=errors,
        required=False,
        currency=currency,
    )
    if price is not None and compare_at is not None and compare_at <= price:
        errors.append(_("compare_at_price must be higher than price."))
    variant_price = _decimal(
        row.get("variant_price", ""),
        name="variant_price",
        errors=errors,
        required=False,
        currency=currency,
    )
    track = (row.get("track_inventory") or "true").strip().lower()
    if track not in TRUE_VALUES | FALSE_VALUES:
        errors.append(_("track_inventory must be true or false."))
    count_text = (row.get("inventory_count") or "0").strip()
    inventory_count = 0
    try:
        inventory_count = int(count_text)
    except ValueError:
        errors.append(_("inventory_count must be a whole number."))
    if inventory_count < 0:
        errors.append(_("inventory_count cannot be negative."))
    category_ids = []
    for category_slug in filter(None, (s.strip() for s in row.get("categories", "").split("|"))):
        if category_slug not in categories_by_slug:
            errors.append(_("There is no category %(slug)s.") % {"slug": category_slug})
        else:
            category_ids.append(categories_by_slug[category_slug])
    tags = [tag for tag in (t.strip() for t in row.get("tags", "").split("|")) if tag]
    options = _options(row.get("options", ""), errors)
    if errors:
        return None, errors
    assert price is not None
    return (
        ParsedRow(
            line=line,
            slug=slug,
            title=title,
            description=row.get("description", ""),
            status=status,
            price=price,
            compare_at_price=compare_at,
            track_inventory=track in TRUE_VALUES,
            category_ids=category_ids,
            tags=tags,
            sku=sku,
            options=options,
            variant_price=variant_price,
            inventory_count=inventory_count,
        ),
        [],
    )


def _rows_check(*, shop: Shop, rows: list[ParsedRow], report: ImportReport) -> None:
    """Checks across rows: SKUs unique in the file and not taken by another product."""
    seen_skus: dict[str, int] = {}
    seen_options: dict[tuple[str, str], int] = {}
    owners = dict(ProductVariant.objects.filter(shop=shop).values_list("sku", "product__slug"))
    owners = {sku.lower(): slug for sku, slug in owners.items()}
    for row in rows:
        messages = []
        key = row.sku.lower()
        if key in seen_skus:
            messages.append(
                _("sku %(sku)s is also on line %(line)d.")
                % {"sku": row.sku, "line": seen_skus[key]}
            )
        seen_skus.setdefault(key, row.line)
        if key in owners and owners[key] != row.slug:
            messages.append(
                _("sku %(sku)s belongs to product %(slug)s.")
                % {"sku": row.sku, "slug": owners[key]}
            )
        options_key = (row.slug, repr(sorted(row.options.items())))
        if options_key in seen_options:
            messages.append(
                _("Line %(line)d has the same product and options.")
                % {"line": seen_options[options_key]}
            )
        seen_options.setdefault(options_key, row.line)
        if messages:
            report.errors.append(RowError(line=row.line, sku=row.sku, messages=messages))


def products_import_csv(
    *, shop: Shop, actor: User | None, source: IO[bytes] | IO[str]
) -> ImportReport:
    """Import products from CSV: every row checked first, then all written or none."""
    report = ImportReport()
    raw = source.read()
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    reader = csv.DictReader(io.StringIO(text))
    header = {name.strip() for name in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS - header
    if missing:
        report.errors.append(
            RowError(
                line=1,
                sku="",
                messages=[
                    _("The file lacks the columns: %(columns)s.")
                    % {"columns": ", ".join(sorted(missing))}
                ],
            )
        )
        return report
    categories_by_slug = dict(Category.objects.values_list("slug", "pk"))
    parsed: list[ParsedRow] = []
    try:
        for index, raw_row in enumerate(reader, start=2):
            if index - 1 > settings.CATALOG_IMPORT_MAX_ROWS:
                report.errors.append(
                    RowError(
                        line=index,
                        sku="",
                        messages=[
                            _("The file has more than %(count)d rows.")
                            % {"count": settings.CATALOG_IMPORT_MAX_ROWS}
                        ],
                    )
                )
                return report
            row = {(key or "").strip(): (value or "") for key, value in raw_row.items()
                   if isinstance(value, str)}  # fmt: skip
            if not any(value.strip() for value in row.values()):
                continue
            report.rows += 1
            result, errors = _parse_row(
                line=index, row=row, categories_by_slug=categories_by_slug, currency=shop.currency
            )
            if errors:
                report.errors.append(RowError(line=index, sku=row.get("sku", ""), messages=errors))
            elif result is not None:
                parsed.append(result)
    except csv.Error as exc:
        report.errors.append(RowError(line=reader.line_num, sku="", messages=[str(exc)]))
        return report
    if not report.rows and not report.errors:
        report.errors.append(RowError(line=1, sku="", messages=[_("The file has no rows.")]))
    _rows_check(shop=shop, rows=parsed, report=report)
    if report.errors:
        report.errors.sort(key=lambda error: error.line)
        return report
    try:
        with transaction.atomic():
            _rows_write(shop=shop, actor=actor, rows=parsed, report=report)
    except ProductInvalidError as exc:
        # A check that only the database could make: report it, nothing is kept.
        messages = [str(item) for values in exc.fields.values() for item in values] or [exc.message]
        report.errors.append(RowError(line=0, sku="", messages=messages))
        report.products_created = report.products_updated = 0
        report.variants_created = report.variants_updated = 0
    return report


def _group(rows: Iterable[ParsedRow]) -> dict[str, list[ParsedRow]]:
    groups: dict[str, list[ParsedRow]] = {}
    for row in rows:
        groups.setdefault(row.slug, []).append(row)
    return groups


def _rows_write(
    *, shop: Shop, actor: User | None, rows: list[ParsedRow], report: ImportReport
) -> None:
    existing = {product.slug: product for product in Product.objects.filter(shop=shop)}
    for slug, group in _group(rows).items():
        first = group[0]
        product = existing.get(slug)
        if product is None:
            specs: list[VariantSpec] = [
                {
                    "sku": row.sku,
                    "options": row.options,
                    "price": row.variant_price,
                    "inventory_count": row.inventory_count,
                }
                for row in group
            ]
            product = product_create(
                shop=shop,
                actor=actor,
                title=first.title,
                price=first.price,
                description=first.description,
                compare_at_price=first.compare_at_price,
                status=first.status,
                track_inventory=first.track_inventory,
                categories=first.category_ids,
                tags=first.tags,
                variants=specs,
                slug=slug,
            )
            report.products_created += 1
            report.variants_created += len(group)
            continue
        product_update(
            product=product,
            actor=actor,
            data={
                "title": first.title,
                "description": first.description,
                "status": first.status,
                "price": first.price,
                "compare_at_price": first.compare_at_price,
                "track_inventory": first.track_inventory,
                "categories": first.category_ids,
                "tags": first.tags,
            },
        )
        report.products_updated += 1
        variants = {variant.sku.lower(): variant for variant in product.variants.all()}
        for row in group:
            variant = variants.get(row.sku.lower())
            if variant is None:
                variant_create(
                    product=product,
                    actor=actor,
                    spec={
                        "sku": row.sku,
                        "options": row.options,
                        "price": row.variant_price,
                        "inventory_count": row.inventory_count,
                    },
                )
                report.variants_created += 1
                continue
            variant_update(
                variant=variant,
                actor=actor,
                data={"options": row.options, "price": row.variant_price},
            )
            delta = row.inventory_count - variant.inventory_count
            if delta:
                stock_adjust(
                    variant=variant,
                    delta=delta,
                    reason=StockMovement.Reason.IMPORT,
                    actor=actor,
                    note=_("CSV import"),
                )
            report.variants_updated += 1
