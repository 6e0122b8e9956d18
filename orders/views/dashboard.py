"""The vendor's order pages and coupons, in the dashboard of the current shop."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from marketmate.errors import ApplicationError
from marketmate.forms import form_validation_errors_apply
from orders.forms import (
    DashboardOrderFilterForm,
    OrderCancelForm,
    OrderShipForm,
    PromotionForm,
    ShippingMethodForm,
    WeightBandFormSet,
)
from orders.models import Order, Promotion, ShippingMethod
from orders.selectors import (
    CANCEL_ROLES,
    order_get_for_shop,
    order_list_for_shop,
    promotions_for_shop,
    shipping_methods_for_shop,
)
from orders.services.lifecycle import order_cancel, order_complete, order_ship
from orders.services.promotions import promotion_save
from orders.services.shipping import shipping_method_save
from shops.models import Shop
from shops.permissions import ShopMemberRequiredMixin
from shops.roles import ROLES_SETTINGS


class DashboardOrderListView(ShopMemberRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = DashboardOrderFilterForm(request.GET)
        orders = order_list_for_shop(shop=self.shop)
        if form.is_valid():
            if form.cleaned_data["status"]:
                orders = orders.filter(status=form.cleaned_data["status"])
            if form.cleaned_data["q"]:
                orders = orders.filter(number__icontains=form.cleaned_data["q"].strip())
        page = Paginator(orders, 25).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "orders/dashboard/order_list.html",
            {
                "shop": self.shop,
                "form": form,
                "page_obj": page,
                "orders": page.object_list,
                "query": query.urlencode(),
                "is_filtered": bool(request.GET.get("status") or request.GET.get("q")),
            },
        )


def _shop_order_or_404(shop: Shop, number: str) -> Order:
    order = order_get_for_shop(shop=shop, number=number)
    if order is None:
        raise Http404(_("Order not found."))
    return order


class DashboardOrderDetailView(ShopMemberRequiredMixin, View):
    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _shop_order_or_404(self.shop, number)
        return self.render_page(request, order)

    def render_page(
        self,
        request: HttpRequest,
        order: Order,
        *,
        ship_form: OrderShipForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "orders/dashboard/order_detail.html",
            {
                "shop": self.shop,
                "order": order,
                "ship_form": ship_form or OrderShipForm(),
                "cancel_form": OrderCancelForm(),
                "can_ship": order.status == Order.Status.PAID,
                "can_complete": order.status == Order.Status.SHIPPED,
                "can_cancel": order.status in (Order.Status.PENDING, Order.Status.PAID)
                and self.membership.role in CANCEL_ROLES,
            },
            status=status,
        )


class DashboardOrderShipView(DashboardOrderDetailView):
    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _shop_order_or_404(self.shop, number)
        form = OrderShipForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, order, ship_form=form, status=400)
        try:
            assert isinstance(request.user, User)
            order_ship(order=order, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The order is marked shipped."))
        return redirect("dashboard_orders:detail", number=order.number)


class DashboardOrderCompleteView(DashboardOrderDetailView):
    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _shop_order_or_404(self.shop, number)
        try:
            assert isinstance(request.user, User)
            order_complete(order=order, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The order is complete."))
        return redirect("dashboard_orders:detail", number=order.number)


class DashboardOrderCancelView(DashboardOrderDetailView):
    shop_roles = CANCEL_ROLES

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _shop_order_or_404(self.shop, number)
        form = OrderCancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            assert isinstance(request.user, User)
            order_cancel(order=order, actor=request.user, reason=reason)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The order is cancelled and its stock is back on sale."))
        return redirect("dashboard_orders:detail", number=order.number)


# --- Coupons --------------------------------------------------------------------------------------
class DashboardCouponListView(ShopMemberRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "orders/dashboard/promotion_list.html",
            {
                "shop": self.shop,
                "promotions": promotions_for_shop(shop=self.shop),
                "can_edit": self.membership.role in ROLES_SETTINGS,
            },
        )


class DashboardCouponEditView(ShopMemberRequiredMixin, View):
    """Create (no pk) or change a promotion of the current shop: owners and managers."""

    shop_roles = ROLES_SETTINGS

    def _promotion(self, pk: int | None) -> Promotion | None:
        if pk is None:
            return None
        promotion = promotions_for_shop(shop=self.shop).filter(pk=pk).first()
        if promotion is None:
            raise Http404(_("Promotion not found."))
        return promotion

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        promotion = self._promotion(pk)
        return self._render(request, PromotionForm(instance=promotion), promotion)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        promotion = self._promotion(pk)
        # A new coupon is the shop's, in its currency, already while the form checks it.
        instance = promotion or Promotion(shop=self.shop, currency=self.shop.currency)
        form = PromotionForm(request.POST, instance=instance)
        if form.is_valid():
            if not isinstance(request.user, User):
                raise PermissionDenied
            fields = {name: form.cleaned_data[name] for name in PromotionForm.Meta.fields}
            try:
                promotion_save(
                    actor=request.user,
                    shop=self.shop,
                    promotion=Promotion.objects.get(pk=promotion.pk) if promotion else None,
                    **fields,
                )
            except DjangoValidationError as error:
                form_validation_errors_apply(form, error)
            else:
                messages.success(request, _("The promotion is saved."))
                return redirect("dashboard_orders:coupons")
        return self._render(request, form, promotion, status=400)

    def _render(
        self,
        request: HttpRequest,
        form: PromotionForm,
        promotion: Promotion | None,
        status: int = 200,
    ) -> HttpResponse:
        context: dict[str, Any] = {"shop": self.shop, "form": form, "promotion": promotion}
        return render(request, "orders/dashboard/promotion_form.html", context, status=status)


# --- Shipping methods -----------------------------------------------------------------------------
BLANK_BANDS = 3


class DashboardShippingListView(ShopMemberRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "orders/dashboard/shippingmethod_list.html",
            {
                "shop": self.shop,
                "methods": shipping_methods_for_shop(shop=self.shop),
                "can_edit": self.membership.role in ROLES_SETTINGS,
            },
        )


class DashboardShippingEditView(ShopMemberRequiredMixin, View):
    """Create (no pk) or change a shipping method of the current shop: owners and managers."""

    shop_roles = ROLES_SETTINGS

    def _method(self, pk: int | None) -> ShippingMethod | None:
        if pk is None:
            return None
        method = shipping_methods_for_shop(shop=self.shop).filter(pk=pk).first()
        if method is None:
            raise Http404(_("Shipping method not found."))
        return method

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        method = self._method(pk)
        bands = [
            {"up_to_grams": band.up_to_grams, "price": band.price}
            for band in (method.bands.all() if method else [])
        ]
        formset = WeightBandFormSet(initial=bands + [{}] * BLANK_BANDS, prefix="bands")
        return self._render(request, ShippingMethodForm(instance=method), formset, method)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        method = self._method(pk)
        form = ShippingMethodForm(request.POST, instance=method)
        formset = WeightBandFormSet(request.POST, prefix="bands")
        if form.is_valid() and formset.is_valid():
            if not isinstance(request.user, User):
                raise PermissionDenied
            bands = [
                (row["up_to_grams"], row["price"])
                for row in formset.cleaned_data
                if row.get("up_to_grams") is not None
            ]
            fields = {name: form.cleaned_data[name] for name in ShippingMethodForm.Meta.fields}
            try:
                shipping_method_save(
                    actor=request.user,
                    shop=self.shop,
                    method=ShippingMethod.objects.get(pk=method.pk) if method else None,
                    bands=bands,
                    **fields,
                )
            except DjangoValidationError as error:
                form_validation_errors_apply(form, error)
            else:
                messages.success(request, _("The shipping method is saved."))
                return redirect("dashboard_orders:shipping")
        return self._render(request, form, formset, method, status=400)

    def _render(
        self,
        request: HttpRequest,
        form: ShippingMethodForm,
        formset: Any,
        method: ShippingMethod | None,
        status: int = 200,
    ) -> HttpResponse:
        context: dict[str, Any] = {
            "shop": self.shop,
            "form": form,
            "formset": formset,
            "method": method,
        }
        return render(request, "orders/dashboard/shippingmethod_form.html", context, status=status)
