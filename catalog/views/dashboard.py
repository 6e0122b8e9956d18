"""The vendor dashboard's catalog pages: the overview (the dashboard's home, with the figures
every app registers in `shops.overview`), products with variants and images, inventory, CSV.

Each view finds the current shop (ShopMemberRequiredMixin), checks the form and calls a
service; a product of another shop is a 404.
"""

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from catalog.exceptions import ProductInvalidError, ProductNotFoundError
from catalog.forms.products import (
    FirstPhotoForm,
    ImageUploadForm,
    OptionNameFormSet,
    ProductForm,
    ProductImportForm,
    StockAdjustForm,
    VariantFormSet,
    variant_rows_label,
    variant_rows_options,
)
from catalog.models import Product, ProductImage, ProductVariant
from catalog.selectors import (
    attributes_list,
    product_get_for_member,
    product_queryset_with_details,
    products_list_for_shop,
    shop_catalog_summary,
    variants_list_for_shop,
)
from catalog.services import images as image_services
from catalog.services import products as product_services
from catalog.services.imports import products_export_csv, products_import_csv
from catalog.services.products import VariantSpec
from catalog.services.stock import stock_adjust
from marketmate.errors import ApplicationError
from marketmate.forms import form_errors_apply
from marketmate.money import money_input
from marketmate.ratelimits import rate_limit_hit
from shops.overview import OverviewFigure, overview_figures
from shops.permissions import ShopMemberRequiredMixin, current_membership_get
from shops.roles import ROLES_CATALOG

PRODUCTS_PER_PAGE = 20


class _FormErrors(Exception):
    """Raised inside a transaction to roll it back once errors are on the forms."""


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class DashboardOverviewView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = current_membership_get(self.request)
        context["membership"] = membership
        if membership is not None:
            summary = shop_catalog_summary(shop=membership.shop)
            context["shop"] = membership.shop
            context["summary"] = summary
            context["figures"] = [
                *overview_figures(membership=membership),
                OverviewFigure(
                    key="low_stock",
                    label=_("Low on stock"),
                    value=str(summary["low_stock"]),
                    url=f"{reverse('dashboard:inventory')}?low=1",
                    position=50,
                    needs_attention=summary["low_stock"] > 0,
                ),
            ]
            context["figures"].sort(key=lambda figure: (figure.position, figure.key))
            context["low_stock"] = variants_list_for_shop(
                shop=membership.shop, low_stock_only=True
            )[:8]
        return context


class CatalogMixin(ShopMemberRequiredMixin):
    shop_roles = ROLES_CATALOG

    def product_get(self, pk: int) -> Product:
        try:
            product = product_get_for_member(user=self.request.user, product_id=pk)  # type: ignore[attr-defined]
        except ProductNotFoundError as exc:
            raise Http404 from exc
        if product.shop_id != self.shop.pk:
            # A product of another of the user's shops: switch there first.
            raise Http404
        return product


class ProductListView(CatalogMixin, TemplateView):
    template_name = "catalog/product_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        search = self.request.GET.get("q", "").strip()
        status = self.request.GET.get("status", "")
        if status not in Product.Status.values:
            status = ""
        products = product_queryset_with_details(
            products_list_for_shop(shop=self.shop, search=search, status=status)
        )
        page = Paginator(products, PRODUCTS_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            products=page.object_list,
            search=search,
            status=status,
            statuses=Product.Status.choices,
            is_filtered=bool(search or status),
            threshold=settings.CATALOG_LOW_STOCK_THRESHOLD,
        )
        return context


def _option_names_initial(variants: list[ProductVariant]) -> list[dict[str, str]]:
    """The option names of the product's variants with their values, in first-seen order."""
    names: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            values = names.setdefault(name, [])
            if value not in values:
                values.append(value)
    return [{"name": name, "values": ", ".join(values)} for name, values in names.items()]


def _variant_initial(variant: ProductVariant, names: list[str]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "id": variant.pk,
        "sku": variant.sku,
        "price": money_input(variant.price, variant.product.currency),
        "inventory_count": variant.inventory_count,
    }
    for slot, name in enumerate(names, start=1):
        initial[f"option_{slot}"] = variant.options.get(name, "")
    return initial


def _variant_context(context: dict[str, Any]) -> None:
    """Label the variant rows (and the row the script copies) with the option names."""
    names = context["option_formset"].names()
    empty = context["formset"].empty_form
    variant_rows_label([*context["formset"].forms, empty], names)
    context["empty_variant"] = empty
    context["option_names"] = names


def _variant_rows(formset: Any, option_formset: Any) -> list[tuple[Any, dict[str, Any]]] | None:
    """The rows to save with their options checked against the option names; None on errors."""
    rows = [
        variant_form
        for variant_form in formset.forms
        if variant_form.cleaned_data and not variant_form.cleaned_data.get("DELETE")
    ]
    options = option_formset.options()
    if any(options) and not rows and formset.forms:
        # Options named but no row filled in: the first row asks for its values.
        rows = [formset.forms[0]]
    chosen = variant_rows_options(rows, options)
    if chosen is None:
        return None
    return [
        (variant_form, {**variant_form.cleaned_data, "options": options})
        for variant_form, options in zip(rows, chosen, strict=True)
    ]


def _product_data(form: ProductForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["categories"] = list(data["categories"])
    return data


class ProductCreateView(CatalogMixin, TemplateView):
    template_name = "catalog/product_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["attributes"] = attributes_list()
        context.setdefault("form", ProductForm(initial={"status": Product.Status.DRAFT}))
        context.setdefault("formset", VariantFormSet(prefix="variants"))
        context.setdefault("option_formset", OptionNameFormSet(prefix="options"))
        context.setdefault("photo_form", FirstPhotoForm(prefix="photo"))
        _variant_context(context)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProductForm(request.POST)
        formset = VariantFormSet(request.POST, prefix="variants")
        option_formset = OptionNameFormSet(request.POST, prefix="options")
        photo_form = FirstPhotoForm(request.POST, request.FILES, prefix="photo")
        valid = [f.is_valid() for f in (form, formset, option_formset, photo_form)]
        rows = _variant_rows(formset, option_formset) if all(valid) else None
        if rows is not None:
            product = self._create(form, rows)
            if product is not None:
                self._first_photo_add(product, photo_form)
                url = reverse("dashboard:product_update", args=[product.pk])
                if _wants_fragment(request):
                    # The upload with a progress bar: the script goes there itself, so the
                    # messages are still waiting for that page.
                    return JsonResponse({"redirect": url})
                return redirect(url)
        return self.render_to_response(
            self.get_context_data(
                form=form, formset=formset, option_formset=option_formset, photo_form=photo_form
            )
        )

    def _first_photo_add(self, product: Product, photo_form: FirstPhotoForm) -> None:
        """Store the photo chosen with the new product. The product is saved already: a refused
        photo is said on its page, where another one can be uploaded."""
        upload = photo_form.cleaned_data.get("image")
        if not upload:
            messages.success(self.request, _("Product created. Now add photos."))
            return
        try:
            image_services.image_add(
                product=product,
                actor=_actor(self.request),
                upload=upload,
                alt_text=photo_form.cleaned_data.get("alt_text") or "",
            )
        except ApplicationError as exc:
            messages.error(
                self.request,
                _("Product created, but its photo was refused: %(reason)s")
                % {"reason": exc.message},
            )
        else:
            messages.success(self.request, _("Product created with its photo."))

    def _create(self, form: ProductForm, rows: list[tuple[Any, dict[str, Any]]]) -> Product | None:
        """The product with a variant per row, or None once the errors are on the forms."""
        specs = [
            VariantSpec(
                sku=data.get("sku") or "",
                options=data["options"],
                price=data.get("price"),
                inventory_count=data.get("inventory_count") or 0,
            )
            for _variant_form, data in rows
        ]
        try:
            return product_services.product_create(
                shop=self.shop, actor=_actor(self.request), variants=specs, **_product_data(form)
            )
        except ProductInvalidError as exc:
            index = exc.variant_index
            form_errors_apply(form if index is None else rows[index][0], exc)
        except ApplicationError as exc:
            form_errors_apply(form, exc)
        return None


class ProductUpdateView(CatalogMixin, TemplateView):
    template_name = "catalog/product_update.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["attributes"] = attributes_list()
        product = kwargs.get("product") or self.product_get(self.kwargs["pk"])
        context["product"] = product
        context.setdefault(
            "form",
            ProductForm(
                initial={
                    "title": product.title,
                    "description": product.description,
                    "price": money_input(product.price, product.currency),
                    "compare_at_price": money_input(product.compare_at_price, product.currency),
                    "status": product.status,
                    "track_inventory": product.track_inventory,
                    "categories": list(product.categories.all()),
                    "tags": ", ".join(tag.name for tag in product.tags.all()),
                }
            ),
        )
        variants = list(product.variants.all())
        option_names = _option_names_initial(variants)
        names = [option["name"] for option in option_names]
        context.setdefault(
            "option_formset", OptionNameFormSet(prefix="options", initial=option_names)
        )
        context.setdefault(
            "formset",
            VariantFormSet(
                prefix="variants",
                initial=[_variant_initial(variant, names) for variant in variants],
            ),
        )
        _variant_context(context)
        context["images"] = product.images.all()
        context["images_pending"] = any(not image.thumbnails for image in product.images.all())
        context["image_form"] = kwargs.get("image_form") or ImageUploadForm()
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self.product_get(pk)
        form = ProductForm(request.POST)
        formset = VariantFormSet(request.POST, prefix="variants")
        option_formset = OptionNameFormSet(request.POST, prefix="options")
        valid = [f.is_valid() for f in (form, formset, option_formset)]
        rows = _variant_rows(formset, option_formset) if all(valid) else None
        if rows is not None:
            try:
                with transaction.atomic():
                    self._update(product, form, formset, rows)
            except _FormErrors:
                pass
            else:
                messages.success(request, _("Product saved."))
                return redirect("dashboard:product_update", pk=product.pk)
        return self.render_to_response(
            self.get_context_data(
                product=product, form=form, formset=formset, option_formset=option_formset
            )
        )

    def _update(
        self,
        product: Product,
        form: ProductForm,
        formset: Any,
        rows: list[tuple[Any, dict[str, Any]]],
    ) -> None:
        actor = _actor(self.request)
        try:
            product_services.product_update(product=product, actor=actor, data=_product_data(form))
        except ApplicationError as exc:
            form_errors_apply(form, exc)
            raise _FormErrors from exc
        variants = {variant.pk: variant for variant in product.variants.all()}
        deleted = [
            variant_form
            for variant_form in formset.forms
            if variant_form.cleaned_data.get("DELETE") and variant_form.cleaned_data.get("id")
        ]
        # Deletions first, so a kept row may take the options of a deleted one.
        for variant_form in deleted:
            variant = variants.get(variant_form.cleaned_data["id"])
            if variant is None:
                raise Http404
            try:
                product_services.variant_delete(variant=variant, actor=actor)
            except ApplicationError as exc:
                form_errors_apply(variant_form, exc)
                raise _FormErrors from exc
        for variant_form, data in rows:
            try:
                variant_id = data.get("id")
                if variant_id:
                    variant = variants.get(variant_id)
                    if variant is None:
                        raise Http404
                    product_services.variant_update(
                        variant=variant,
                        actor=actor,
                        data={
                            "sku": data.get("sku") or variant.sku,
                            "options": data["options"],
                            "price": data.get("price"),
                        },
                    )
                else:
                    product_services.variant_create(
                        product=product,
                        actor=actor,
                        spec={
                            "sku": data.get("sku") or "",
                            "options": data["options"],
                            "price": data.get("price"),
                            "inventory_count": data.get("inventory_count") or 0,
                        },
                    )
            except ApplicationError as exc:
                form_errors_apply(variant_form, exc)
                raise _FormErrors from exc


class ProductDeleteView(CatalogMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self.product_get(pk)
        deleted = product_services.product_delete(product=product, actor=_actor(request))
        if deleted:
            messages.success(request, _("%(title)s was deleted.") % {"title": product.title})
        else:
            messages.info(
                request,
                _("%(title)s has orders, so it was archived instead of deleted.")
                % {"title": product.title},
            )
        return redirect("dashboard:product_list")


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or bool(
        getattr(request, "htmx", False)
    )


class ProductImagesView(CatalogMixin, View):
    """The images card of a product: GET renders it (for refreshes), POST uploads one."""

    fragment = "catalog/includes/product_images.html"

    def _render(self, request: HttpRequest, product: Product, **extra: Any) -> HttpResponse:
        images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
        context = {
            "product": product,
            "images": images,
            "images_pending": any(not image.thumbnails for image in images),
            "image_form": ImageUploadForm(),
            **extra,
        }
        return render(request, self.fragment, context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self.product_get(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self.product_get(pk)
        form = ImageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                image_services.image_add(
                    product=product,
                    actor=_actor(request),
                    upload=form.cleaned_data["image"],
                    alt_text=form.cleaned_data["alt_text"],
                )
            except ApplicationError as exc:
                form_errors_apply(form, exc)
            else:
                if _wants_fragment(request):
                    return self._render(request, product)
                messages.success(request, _("Image added."))
                return redirect(reverse("dashboard:product_update", args=[pk]) + "#images")
        if _wants_fragment(request):
            texts = [str(error) for errors in form.errors.values() for error in errors]
            return JsonResponse({"errors": texts}, status=400)
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
        return redirect(reverse("dashboard:product_update", args=[pk]) + "#images")


class ProductImageOrderView(CatalogMixin, View):
    """New image order: `image_ids` in order (drag and drop), or `image` + `move` up/down."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self.product_get(pk)
        current = list(
            ProductImage.objects.filter(product=product)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        try:
            if request.POST.getlist("image_ids"):
                order = [int(value) for value in request.POST.getlist("image_ids")]
            else:
                image_id = int(request.POST.get("image", ""))
                index = current.index(image_id)
                step = -1 if request.POST.get("move") == "up" else 1
                target = min(max(index + step, 0), len(current) - 1)
                order = list(current)
                order.insert(target, order.pop(index))
            image_services.images_reorder(product=product, actor=_actor(request), image_ids=order)
        except (ValueError, ApplicationError):
            if _wants_fragment(request):
                return JsonResponse(
                    {"errors": [_("The images could not be reordered.")]}, status=400
                )
            messages.error(request, _("The images could not be reordered."))
        if _wants_fragment(request):
            return JsonResponse({"ok": True})
        return redirect(reverse("dashboard:product_update", args=[pk]) + "#images")


class ProductImageActionView(CatalogMixin, View):
    action = "update"

    def post(self, request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
        product = self.product_get(pk)
        image = ProductImage.objects.filter(product=product, pk=image_pk).first()
        if image is None:
            raise Http404
        try:
            if self.action == "delete":
                image_services.image_delete(image=image, actor=_actor(request))
                messages.success(request, _("Image removed."))
            else:
                image_services.image_update(
                    image=image, actor=_actor(request), alt_text=request.POST.get("alt_text", "")
                )
                messages.success(request, _("Alt text saved."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("dashboard:product_update", args=[pk]) + "#images")


class InventoryListView(CatalogMixin, TemplateView):
    template_name = "catalog/productvariant_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        low_only = self.request.GET.get("low") == "1"
        variants = variants_list_for_shop(shop=self.shop, low_stock_only=low_only)
        page = Paginator(variants, 50).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            variants=page.object_list,
            low_only=low_only,
            threshold=settings.CATALOG_LOW_STOCK_THRESHOLD,
            adjust_form=StockAdjustForm(),
        )
        return context


class InventoryAdjustView(CatalogMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        variant = (
            ProductVariant.objects.select_related("product").filter(pk=pk, shop=self.shop).first()
        )
        if variant is None:
            raise Http404
        form = StockAdjustForm(request.POST)
        if not form.is_valid():
            for field_errors in form.errors.values():
                for error in field_errors:
                    messages.error(request, str(error))
            return redirect("dashboard:inventory")
        try:
            variant = stock_adjust(variant=variant, actor=_actor(request), **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, f"{variant.sku}: {exc.message}")
        else:
            messages.success(
                request,
                _("%(sku)s now has %(count)d in stock.")
                % {"sku": variant.sku, "count": variant.inventory_count},
            )
        return redirect("dashboard:inventory")


class ProductExportView(CatalogMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        buffer = io.StringIO()
        products_export_csv(shop=self.shop, out=buffer)
        filename = f"{self.shop.slug}-products-{timezone.now():%Y%m%d}.csv"
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ProductImportView(CatalogMixin, TemplateView):
    template_name = "catalog/product_import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ProductImportForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProductImportForm(request.POST, request.FILES)
        report = None
        retry_after = rate_limit_hit(
            key=f"catalog:import:{request.user.pk}", rate=settings.CATALOG_IMPORT_RATE_LIMIT
        )
        if retry_after is not None:
            form.add_error(
                None,
                _("Too many imports. Try again in %(minutes)d minutes.")
                % {"minutes": max(1, round(retry_after / 60))},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            report = products_import_csv(
                shop=self.shop, actor=_actor(request), source=form.cleaned_data["file"]
            )
            if report.is_success:
                messages.success(
                    request,
                    _("Imported %(rows)d rows: %(created)d products created, %(updated)d updated.")
                    % {
                        "rows": report.rows,
                        "created": report.products_created,
                        "updated": report.products_updated,
                    },
                )
                return redirect("dashboard:product_list")
        return self.render_to_response(self.get_context_data(form=form, report=report), status=400)
