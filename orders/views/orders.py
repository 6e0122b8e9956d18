"""The shopper's orders: confirmation, history and detail with the status timeline."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from marketmate.errors import ApplicationError
from orders.forms import OrderCancelForm
from orders.models import Order
from orders.selectors import (
    order_get_for_buyer,
    order_list_for_buyer,
    orders_for_checkout,
    payment_summary,
)
from orders.services.lifecycle import order_cancel

BUYER_CANCELLABLE = (Order.Status.PENDING, Order.Status.PAID)


class OrderConfirmationView(LoginRequiredMixin, TemplateView):
    template_name = "orders/order_confirmation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        assert isinstance(self.request.user, User)
        orders = orders_for_checkout(
            buyer=self.request.user, checkout_reference=str(self.kwargs["reference"])
        )
        if not orders:
            raise Http404(_("Order not found."))
        return {
            **super().get_context_data(**kwargs),
            "orders": orders,
            "payment": payment_summary(orders=orders),
        }


class OrderListView(LoginRequiredMixin, TemplateView):
    template_name = "orders/order_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        assert isinstance(self.request.user, User)
        paginator = Paginator(order_list_for_buyer(buyer=self.request.user), 20)
        page = paginator.get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "page_obj": page, "orders": page.object_list}


def _buyer_order_or_404(request: HttpRequest, number: str) -> Order:
    assert isinstance(request.user, User)
    order = order_get_for_buyer(buyer=request.user, number=number)
    if order is None:
        raise Http404(_("Order not found."))
    return order


class OrderDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _buyer_order_or_404(request, number)
        return render(
            request,
            "orders/order_detail.html",
            {
                "order": order,
                "can_cancel": order.status in BUYER_CANCELLABLE,
                "cancel_form": OrderCancelForm(),
            },
        )


class OrderCancelView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = _buyer_order_or_404(request, number)
        form = OrderCancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            assert isinstance(request.user, User)
            order_cancel(order=order, actor=request.user, reason=reason)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your order is cancelled."))
        return redirect("orders:detail", number=order.number)
