"""The cart page and the mini-cart. Plain forms that htmx enhances: each POST answers htmx with
the fragment to swap (and a `cart-changed` event for the header), everyone else with a redirect."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from marketmate.errors import ApplicationError
from orders.forms import CartAddForm, CartQuantityForm
from orders.selectors import cart_get, cart_item_count, cart_summarise
from orders.services.cart import (
    cart_get_or_create,
    cart_item_add,
    cart_item_remove,
    cart_item_update,
    cart_prices_acknowledge,
)

CART_CHANGED = "cart-changed"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def cart_context(request: HttpRequest) -> dict[str, Any]:
    summary = cart_summarise(cart=cart_get(user=request.user, session=request.session))
    return {"summary": summary}


class CartDetailView(TemplateView):
    template_name = "orders/cart_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **cart_context(self.request)}


class MiniCartView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "orders/includes/mini_cart.html",
            {"cart_count": cart_item_count(user=request.user, session=request.session)},
        )


def _answer(
    request: HttpRequest,
    *,
    message: str,
    level: int = messages.SUCCESS,
    variant_id: int | None = None,
) -> HttpResponse:
    """htmx: the cart body (on the cart page), the "added to your cart" panel (a product
    page's form) or the mini-cart; otherwise a redirect."""
    if request.htmx:  # type: ignore[attr-defined]
        if request.POST.get("fragment") == "added":
            summary = cart_summarise(cart=cart_get(user=request.user, session=request.session))
            line = next(
                (
                    (line, group)
                    for group in summary.groups
                    for line in group.lines
                    if line.variant.pk == variant_id
                ),
                (None, None),
            )
            response = render(
                request,
                "orders/includes/cart_added.html",
                {
                    "summary": summary,
                    "line": line[0],
                    "group": line[1],
                    "notice": message,
                    "notice_level": level,
                },
            )
        elif request.POST.get("fragment") == "cart":
            context = {**cart_context(request), "notice": message, "notice_level": level}
            response = render(request, "orders/includes/cart_body.html", context)
        else:
            response = render(
                request,
                "orders/includes/mini_cart.html",
                {
                    "cart_count": cart_item_count(user=request.user, session=request.session),
                    "notice": message,
                },
            )
        response["HX-Trigger"] = CART_CHANGED
        return response
    if message:
        messages.add_message(request, level, message)
    return HttpResponseRedirect(_safe_next(request, reverse("cart:detail")))


class CartItemAddView(View):
    """POST variant_id and quantity: the form a product page's "Add to cart" button submits."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CartAddForm(request.POST)
        if not form.is_valid():
            return _answer(
                request, message=_("Choose a quantity of at least 1."), level=messages.ERROR
            )
        cart = cart_get_or_create(user=request.user, session=request.session)
        variant_id = form.cleaned_data["variant_id"]
        try:
            change = cart_item_add(cart=cart, **form.cleaned_data)
        except ApplicationError as error:
            return _answer(request, message=error.message, level=messages.ERROR)
        if change.message:
            return _answer(
                request, message=change.message, level=messages.WARNING, variant_id=variant_id
            )
        return _answer(request, message=_("Added to your cart."), variant_id=variant_id)


class CartItemUpdateView(View):
    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        form = CartQuantityForm(request.POST)
        cart = cart_get(user=request.user, session=request.session)
        if not form.is_valid() or cart is None:
            return _answer(
                request, message=_("Choose a quantity of 0 or more."), level=messages.ERROR
            )
        try:
            change = cart_item_update(
                cart=cart, item_id=item_id, quantity=form.cleaned_data["quantity"]
            )
        except ApplicationError as error:
            return _answer(request, message=error.message, level=messages.ERROR)
        if change.message and change.item is not None:
            return _answer(request, message=change.message, level=messages.WARNING)
        return _answer(request, message=change.message or _("Your cart is updated."))


class CartItemDeleteView(View):
    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        cart = cart_get(user=request.user, session=request.session)
        try:
            if cart is None:
                raise ApplicationError(_("This item is not in your cart."))
            cart_item_remove(cart=cart, item_id=item_id)
        except ApplicationError as error:
            return _answer(request, message=error.message, level=messages.ERROR)
        return _answer(request, message=_("The item was removed from your cart."))


class CartPricesAcknowledgeView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        cart = cart_get(user=request.user, session=request.session)
        if cart is not None:
            cart_prices_acknowledge(cart=cart)
        return _answer(request, message="")
