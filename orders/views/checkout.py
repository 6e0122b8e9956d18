"""The checkout pages: address, shipping and coupon, review, place the orders.

What the shopper chose is kept in the session between steps; the orders are placed by the same
service as the API (`checkout_place`), with an Idempotency-Key from the review page, so a
double-submitted form places one checkout.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from accounts.selectors import address_book_has, address_default_for_user
from accounts.services import address_create
from catalog.exceptions import NotPurchasableError, OutOfStockError
from marketmate.errors import ApplicationError
from marketmate.flags import Flag, flag_is_on
from orders.exceptions import CheckoutError, NotVerifiedError, OrdersErrorCode
from orders.forms import AddressForm, ShippingForm, choice_value, shipping_field_name
from orders.selectors import (
    CartSummary,
    cart_get,
    cart_summarise,
    shipping_options_for,
)
from orders.services.checkout import (
    CheckoutQuote,
    address_as_shipping,
    address_clean,
    checkout_place,
    checkout_quote,
)

SESSION_KEY = "orders_checkout"
PLACED_KEY = "orders_checkout_placed"


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    return dict(state) if isinstance(state, dict) else {}


def _save_state(request: HttpRequest, **changes: Any) -> None:
    request.session[SESSION_KEY] = {**_state(request), **changes}


class CheckoutStepMixin(LoginRequiredMixin):
    """Every step needs a signed-in, verified shopper with something in the cart."""

    request: HttpRequest
    summary: CartSummary

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        assert isinstance(request.user, User)
        if not request.user.verified:
            return render(request, "orders/checkout_unverified.html", status=403)
        self.summary = cart_summarise(cart=cart_get(user=request.user, session=request.session))
        if self.summary.is_empty:
            messages.info(request, _("Your cart is empty."))
            return redirect("cart:detail")
        if self.summary.problems:
            messages.error(request, _("Some items in your cart need your attention first."))
            return redirect("cart:detail")
        return super().dispatch(request, *args, **kwargs)


class CheckoutAddressView(CheckoutStepMixin, View):
    template_name = "orders/checkout_address.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        assert isinstance(request.user, User)
        initial = _state(request).get("address")
        if not initial:
            saved = address_default_for_user(user=request.user, kind="shipping")
            initial = address_as_shipping(saved=saved) if saved is not None else {"country": ""}
        return self._render(AddressForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                address = address_clean(data=form.cleaned_data)
            except CheckoutError as error:
                nested: Any = error.fields.get("shipping_address")
                for name, errors in dict(nested or {}).items():
                    form.add_error(name, errors)
            else:
                _save_state(request, address=address)
                if form.cleaned_data.get("save_address"):
                    assert isinstance(request.user, User)
                    _address_book_add(request, request.user, address)
                return redirect("checkout:shipping")
        return self._render(form, status=400)

    def _render(self, form: AddressForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "summary": self.summary, "step": 1},
            status=status,
        )


def _address_book_add(request: HttpRequest, user: User, address: dict[str, str]) -> None:
    """Keep the address typed at checkout in the shopper's address book (once)."""
    if address_book_has(user=user, address=address):
        return
    try:
        address_create(user=user, data=address)
    except DjangoValidationError:
        messages.warning(request, _("The address could not be saved to your address book."))
    else:
        messages.success(request, _("The address is saved to your address book."))


class CheckoutShippingView(CheckoutStepMixin, View):
    template_name = "orders/checkout_shipping.html"

    def _groups(self, address: dict[str, str]) -> list[Any]:
        return [
            (group, shipping_options_for(group=group, country=address["country"]))
            for group in self.summary.groups
        ]

    def get(self, request: HttpRequest) -> HttpResponse:
        state = _state(request)
        address = state.get("address")
        if not address:
            return redirect("checkout:address")
        initial = {"coupon": state.get("coupon", "")}
        for shop_id, method_id in (state.get("shipping_methods") or {}).items():
            initial[shipping_field_name(int(shop_id))] = (
                str(method_id) if method_id is not None else "standard"
            )
        form = ShippingForm(groups=self._groups(address), initial=initial)
        return self._render(form, address)

    def post(self, request: HttpRequest) -> HttpResponse:
        address = _state(request).get("address")
        if not address:
            return redirect("checkout:address")
        form = ShippingForm(request.POST, groups=self._groups(address))
        if form.is_valid():
            methods = form.shipping_methods()
            coupon = form.cleaned_data["coupon"].strip()
            try:
                assert isinstance(request.user, User)
                checkout_quote(
                    buyer=request.user,
                    summary=self.summary,
                    address=address,
                    shipping_methods=methods,
                    coupon_code=coupon,
                )
            except CheckoutError as error:
                _form_errors(form, error)
            else:
                _save_state(
                    request,
                    shipping_methods={str(k): v for k, v in methods.items()},
                    coupon=coupon,
                )
                return redirect("checkout:review")
        return self._render(form, address, status=400)

    def _render(
        self, form: ShippingForm, address: dict[str, str], status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "summary": self.summary, "address": address, "step": 2},
            status=status,
        )


def _form_errors(form: ShippingForm, error: CheckoutError) -> None:
    if error.code == OrdersErrorCode.INVALID_COUPON:
        form.add_error("coupon", error.message)
        return
    shipping = error.fields.get("shipping_methods")
    if isinstance(shipping, dict):
        for shop_id, errors in shipping.items():
            name = shipping_field_name(int(shop_id))
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(None, error.message)


def _chosen(request: HttpRequest) -> tuple[dict[str, str] | None, dict[int, int | None], str]:
    state = _state(request)
    methods = {int(k): v for k, v in (state.get("shipping_methods") or {}).items()}
    return state.get("address"), methods, state.get("coupon", "")


class CheckoutReviewView(CheckoutStepMixin, View):
    template_name = "orders/checkout_review.html"
    # The `new_checkout` experiment: the same quote and place form, laid out as one column.
    onepage_template_name = "orders/checkout_review_onepage.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        address, methods, coupon = _chosen(request)
        if not address:
            return redirect("checkout:address")
        assert isinstance(request.user, User)
        try:
            quote: CheckoutQuote = checkout_quote(
                buyer=request.user,
                summary=self.summary,
                address=address,
                shipping_methods=methods,
                coupon_code=coupon,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("checkout:shipping")
        onepage = flag_is_on(request, Flag.NEW_CHECKOUT)
        return render(
            request,
            self.onepage_template_name if onepage else self.template_name,
            {
                "quote": quote,
                "summary": self.summary,
                "address": address,
                "step": 3,
                "idempotency_key": uuid.uuid4().hex,
                "choice_value": choice_value,
            },
        )


class CheckoutPlaceView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        key = request.POST.get("idempotency_key", "")[:255]
        placed = request.session.get(PLACED_KEY) or {}
        if key and key in placed:
            # The same form submitted again (double click, back button): its orders, once.
            return _to_payment(placed[key])
        address, methods, coupon = _chosen(request)
        if not address:
            return redirect("checkout:address")
        assert isinstance(request.user, User)
        cart = cart_get(user=request.user, session=request.session)
        if cart is None:
            return redirect("cart:detail")
        try:
            result = checkout_place(
                buyer=request.user,
                cart=cart,
                address=address,
                shipping_methods=methods,
                coupon_code=coupon,
                idempotency_key=key,
            )
        except (OutOfStockError, NotPurchasableError) as error:
            messages.error(request, error.message)
            return redirect("cart:detail")
        except NotVerifiedError:
            return render(request, "orders/checkout_unverified.html", status=403)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("checkout:review")
        request.session.pop(SESSION_KEY, None)
        if key:
            request.session[PLACED_KEY] = {key: str(result.checkout_reference)}
        return _to_payment(str(result.checkout_reference))


def _to_payment(reference: str) -> HttpResponse:
    """Placed orders go straight to paying them; thanks come once the payment went through."""
    return HttpResponseRedirect(reverse("payments:checkout", kwargs={"reference": reference}))
