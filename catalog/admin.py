"""Staff look after the catalog here: categories (a tree), tags, attributes, and products,
which they can unpublish (audited, with a reason). Shops own their products' content, so
products are not added or edited here."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog.models import (
    Attribute,
    Category,
    Product,
    ProductImage,
    ProductVariant,
    Review,
    StockMovement,
    Tag,
    WishlistItem,
)
from catalog.selectors import image_urls
from catalog.services.categories import category_changed
from catalog.services.products import product_unpublish
from catalog.services.reviews import review_hide, review_unhide
from catalog.services.tags import tag_changed
from marketmate.admin_actions import ReadOnlyModelAdmin, reason_action

NAME_FIELDS = [f"name_{code}" for code in ("en", "es", "de")]


@admin.register(Category)
class CategoryAdmin(TranslationAdmin, TreeAdmin):
    """The category tree; each name and description has a field per language."""

    form = movenodeform_factory(Category)
    list_display = ["name", "slug", "is_featured"]
    search_fields = [*NAME_FIELDS, "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        renamed = change and any(name.startswith("name") for name in form.changed_data)
        category_changed(category=obj, renamed=renamed)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "product_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        tag_changed(tag=obj, renamed=change and "name" in form.changed_data)

    @admin.display(description=gettext_lazy("products"), ordering="product_total")
    def product_count(self, tag: Any) -> int:
        return int(tag.product_total)


@admin.register(Attribute)
class AttributeAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = NAME_FIELDS
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VariantInline(ReadOnlyInline):
    model = ProductVariant
    fields = ["sku", "options", "price", "inventory_count", "is_default", "position"]
    readonly_fields = ["sku", "options", "price", "inventory_count", "is_default", "position"]


class ImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["preview", "alt_text", "width", "height", "position"]
    readonly_fields = ["preview", "alt_text", "width", "height", "position"]

    @admin.display(description=gettext_lazy("image"))
    def preview(self, image: ProductImage) -> str:
        thumbnails = image_urls(image=image)["thumbnails"]
        assert isinstance(thumbnails, dict)
        files = thumbnails.get("200")
        if not files:
            return _("Thumbnails being made")
        return format_html('<img src="{}" alt="{}" width="100">', files["jpeg"], image.alt_text)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "shop", "status", "price", "currency", "created"]
    list_filter = ["status", "shop__status", "track_inventory", "created"]
    search_fields = ["title", "slug", "shop__name", "variants__sku"]
    list_select_related = ["shop"]
    readonly_fields = [
        "shop",
        "title",
        "slug",
        "description",
        "price",
        "compare_at_price",
        "currency",
        "status",
        "categories",
        "tags",
        "track_inventory",
        "created",
        "updated",
    ]
    fields = (
        "shop",
        "title",
        "slug",
        "description",
        "price",
        "compare_at_price",
        "currency",
        "status",
        "categories",
        "tags",
        "track_inventory",
        "created",
        "updated",
    )
    inlines = [VariantInline, ImageInline]
    actions = ["unpublish"]
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff may look (and act through the actions); the shop owns the content.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=gettext_lazy("Unpublish the selected products"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Product]) -> HttpResponse | None:
        return reason_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="unpublish",
            title=_("Unpublish products"),
            submit_label=_("Unpublish"),
            transition=lambda product, actor, reason: product_unpublish(
                product=product, actor=actor, reason=reason
            ),
            reason_required=True,
        )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Reviews are the buyers' words: staff read them and hide or show them (audited, with a
    reason), never edit them."""

    list_display = [
        "__str__",
        "product",
        "shop",
        "buyer",
        "rating",
        "is_hidden",
        "has_reply",
        "created",
    ]
    list_filter = ["is_hidden", "rating", ("replied_at", admin.EmptyFieldListFilter), "created"]
    search_fields = ["title", "body", "product__title", "product__shop__name", "buyer__email"]
    list_select_related = ["product__shop", "buyer"]
    raw_id_fields = ["product", "buyer"]
    date_hierarchy = "created"
    readonly_fields = [
        "product",
        "buyer",
        "rating",
        "title",
        "body",
        "is_hidden",
        "hidden_by",
        "hidden_reason",
        "hidden_at",
        "reply_body",
        "replied_by",
        "replied_at",
        "created",
        "updated",
    ]
    fields = tuple(readonly_fields)
    actions = ["hide", "unhide"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff may look, and act through the actions; nobody edits a buyer's words.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("shop"), ordering="product__shop__name")
    def shop(self, review: Review) -> str:
        return review.product.shop.name

    @admin.display(description=gettext_lazy("replied"), boolean=True)
    def has_reply(self, review: Review) -> bool:
        return review.has_reply

    @admin.action(description=gettext_lazy("Hide the selected reviews"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return reason_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="hide",
            title=_("Hide reviews"),
            submit_label=_("Hide"),
            transition=lambda review, actor, reason: review_hide(
                review=review, actor=actor, reason=reason
            ),
            reason_required=True,
        )

    @admin.action(description=gettext_lazy("Show the selected hidden reviews again"))
    def unhide(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return reason_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="unhide",
            title=_("Show reviews again"),
            submit_label=_("Show again"),
            transition=lambda review, actor, reason: review_unhide(
                review=review, actor=actor, reason=reason
            ),
            reason_required=True,
        )


@admin.register(WishlistItem)
class WishlistItemAdmin(admin.ModelAdmin):
    """Read-only: what shoppers saved, for support questions about price and stock alerts."""

    list_display = ["user", "product", "price_when_saved", "price_alerted_at", "created"]
    list_filter = ["created"]
    search_fields = ["user__email", "product__title"]
    list_select_related = ["user", "product"]
    raw_id_fields = ["user", "product"]
    date_hierarchy = "created"
    readonly_fields = [
        "user",
        "product",
        "price_when_saved",
        "had_stock_when_saved",
        "price_alerted_at",
        "restock_alerted_movement",
        "created",
    ]
    fields = tuple(readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyModelAdmin):
    """Every change of a variant's stock, with its reason and who made it (append-only)."""

    list_display = ["created", "variant", "delta", "reason", "reference", "actor"]
    list_filter = ["reason", "created"]
    list_select_related = ["variant__product", "actor"]
    search_fields = ["variant__sku", "variant__product__title", "reference"]
    date_hierarchy = "created"
