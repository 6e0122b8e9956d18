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
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog.models import Attribute, Category, Product, ProductImage, ProductVariant, Tag
from catalog.selectors import image_urls
from catalog.services.products import product_unpublish
from shops.admin import moderation_action


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "slug", "is_featured"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "product_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=gettext_lazy("products"), ordering="product_total")
    def product_count(self, tag: Any) -> int:
        return int(tag.product_total)


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
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
        return moderation_action(
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
