"""Wishlist pages: the shopper's saved products, and the save / remove buttons (plain POST
forms that htmx enhances: with `HX-Request` the answer is the button itself)."""

from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from catalog.exceptions import ProductNotFoundError
from catalog.selectors import wishlist_entries, wishlist_list_for_user
from catalog.services.wishlists import wishlist_add, wishlist_remove

WISHLIST_PER_PAGE = 24


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("storefront:wishlist")


def _button(request: HttpRequest, product_id: int, saved: bool) -> HttpResponse:
    context: dict[str, Any] = {
        "product_id": product_id,
        "in_wishlist": saved,
        "next_url": _next_url(request),
    }
    return TemplateResponse(request, "catalog/wishlist_button.html", context)


class WishlistItemListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(wishlist_list_for_user(user=request.user), WISHLIST_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return TemplateResponse(
            request,
            "catalog/wishlistitem_list.html",
            {"page": page, "entries": wishlist_entries(page.object_list)},
        )


class WishlistItemCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            product_id = int(request.POST.get("product_id", ""))
        except ValueError as error:
            raise Http404(_("Product not found.")) from error
        assert isinstance(request.user, User)
        try:
            wishlist_add(user=request.user, product_id=product_id)
        except ProductNotFoundError as error:
            raise Http404(error.message) from error
        if request.headers.get("HX-Request"):
            return _button(request, product_id, saved=True)
        messages.success(request, _("Saved to your wishlist."))
        return redirect(_next_url(request))


class WishlistItemDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        assert isinstance(request.user, User)
        # Already gone (another tab, a double click): the wish is fulfilled all the same.
        with suppress(ProductNotFoundError):
            wishlist_remove(user=request.user, product_id=product_id)
        if request.headers.get("HX-Request"):
            return _button(request, product_id, saved=False)
        messages.success(request, _("Removed from your wishlist."))
        return redirect(_next_url(request))
