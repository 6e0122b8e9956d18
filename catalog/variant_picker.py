"""The product page's variant picker: one row of buttons per option name (Size, Colour), each
button leading to the variant that changes only that option, and marked when that combination
does not exist or is sold out. The same rules run in `static/js/storefront.js` without a reload;
without JavaScript each button is a link to `?variant=<id>`."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.models import ProductVariant


@dataclass(frozen=True)
class OptionValue:
    value: str
    variant_id: int  # where choosing this value leads
    is_selected: bool
    exists: bool  # this value with the other chosen values is a variant
    is_available: bool  # ... and it is in stock


@dataclass
class OptionGroup:
    key: str
    values: list[OptionValue] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The option's name as the shop typed it, first letter capitalised ("size" -> "Size")."""
        return option_label(self.key)

    @property
    def selected_value(self) -> str:
        return next((value.value for value in self.values if value.is_selected), "")


def option_label(key: str) -> str:
    return key[:1].upper() + key[1:]


def variant_in_stock(variant: ProductVariant, *, track_inventory: bool) -> bool:
    return not track_inventory or variant.inventory_count > 0


def variant_picker(
    *, variants: Sequence[ProductVariant], selected: ProductVariant, track_inventory: bool
) -> list[OptionGroup]:
    """The option groups of `variants` as seen with `selected` chosen; [] when the variants
    have no options (a product with one variant, or variants told apart by SKU only)."""
    keys: list[str] = []
    values: dict[str, list[str]] = {}
    for variant in variants:
        for key, value in variant.options.items():
            if key not in values:
                keys.append(key)
                values[key] = []
            if str(value) not in values[key]:
                values[key].append(str(value))
    by_options = {_signature(variant.options): variant for variant in variants}
    chosen = {key: str(value) for key, value in selected.options.items()}
    groups = []
    for key in keys:
        group = OptionGroup(key=key)
        for value in values[key]:
            exact = by_options.get(_signature({**chosen, key: value}))
            target = exact or next(v for v in variants if str(v.options.get(key)) == value)
            group.values.append(
                OptionValue(
                    value=value,
                    variant_id=target.pk,
                    is_selected=chosen.get(key) == value,
                    exists=exact is not None,
                    is_available=exact is not None
                    and variant_in_stock(exact, track_inventory=track_inventory),
                )
            )
        groups.append(group)
    return groups


def _signature(options: dict[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, str(value)) for key, value in options.items()))
