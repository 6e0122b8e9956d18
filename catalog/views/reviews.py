"""Review pages: the reviews on a product page, writing one, and the shop's reviews in the
dashboard with its replies. All of them are gone (404) while the `reviews` flag is off."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from catalog.exceptions import ReviewExistsError, ReviewNotAllowedError
from catalog.forms.reviews import ReviewForm, ReviewReplyForm
from catalog.models import Product, Review
from catalog.selectors import (
    product_queryset_public,
    review_get_for_buyer,
    review_get_for_member,
    review_list_for_shop,
    review_list_visible,
)
from catalog.services.reviews import (
    review_can_write,
    review_check_allowed,
    review_create,
    review_reply,
)
from marketmate.errors import ApplicationError
from marketmate.flags import Flag, flag_is_on
from shops.permissions import ShopMemberRequiredMixin
from shops.roles import ROLES_CATALOG

REVIEWS_PER_PAGE = 10
DASHBOARD_REVIEWS_PER_PAGE = 20


def reviews_enabled(request: HttpRequest) -> bool:
    return flag_is_on(request, Flag.REVIEWS)


def product_reviews_context(request: HttpRequest, product: Product) -> dict[str, Any]:
    """What the product page shows of reviews: a page of visible ones, the visitor's own
    review, and the form when the visitor may write one."""
    if not reviews_enabled(request):
        return {"reviews_on": False}
    page = Paginator(review_list_visible(product_id=product.pk), REVIEWS_PER_PAGE).get_page(
        request.GET.get("reviews_page")
    )
    own = review_get_for_buyer(buyer=request.user, product_id=product.pk)
    can_write = own is None and review_can_write(buyer=request.user, product=product)
    return {
        "reviews_on": True,
        "reviews_page": page,
        "own_review": own,
        "review_form": ReviewForm() if can_write else None,
    }


class ReviewsFlagRequiredMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not reviews_enabled(request):
            raise Http404(_("This page is not available."))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _product_url(product: Product) -> str:
    from catalog.views.storefront import product_url

    return product_url(product)


class ReviewCreateView(ReviewsFlagRequiredMixin, LoginRequiredMixin, View):
    """A verified buyer reviews a product they received (the product page embeds the form)."""

    def _product(self, pk: int) -> Product:
        product = product_queryset_public().select_related("shop").filter(pk=pk).first()
        if product is None:
            raise Http404(_("Product not found."))
        return product

    def _render(
        self, request: HttpRequest, product: Product, form: ReviewForm | None, status: int = 200
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "catalog/reviews/review_create.html",
            {"product": product, "form": form, "product_url": _product_url(product)},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self._product(pk)
        try:
            review_check_allowed(buyer=request.user, product=product)
        except ReviewExistsError as error:
            messages.info(request, error.message)
            return redirect(_product_url(product) + "#reviews")
        except ReviewNotAllowedError as error:
            messages.error(request, error.message)
            return self._render(request, product, None, status=error.status_code)
        return self._render(request, product, ReviewForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self._product(pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self._render(request, product, form, status=400)
        assert isinstance(request.user, User)
        try:
            review_create(buyer=request.user, product=product, **form.cleaned_data)
        except ReviewExistsError as error:
            messages.info(request, error.message)
            return redirect(_product_url(product) + "#reviews")
        except ApplicationError as error:
            messages.error(request, error.message)
            for field, errors in error.fields.items():
                if field in form.fields:
                    for message in errors:
                        form.add_error(field, message)
            return self._render(request, product, form, status=error.status_code)
        messages.success(request, _("Thank you: your review is published."))
        return redirect(_product_url(product) + "#reviews")


class DashboardReviewListView(ReviewsFlagRequiredMixin, ShopMemberRequiredMixin, View):
    """The current shop's reviews, newest first (or only those awaiting a reply)."""

    shop_roles = ROLES_CATALOG

    def get(self, request: HttpRequest) -> HttpResponse:
        awaiting = request.GET.get("awaiting") == "1"
        reviews = review_list_for_shop(shop=self.shop, awaiting_reply=awaiting)
        page = Paginator(reviews, DASHBOARD_REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "catalog/reviews/review_dashboard_list.html",
            {
                "shop": self.shop,
                "page_obj": page,
                "reviews": page.object_list,
                "awaiting": awaiting,
                "reply_form": ReviewReplyForm(),
            },
        )


class DashboardReviewReplyView(ReviewsFlagRequiredMixin, ShopMemberRequiredMixin, View):
    """A shop member answers a review of one of the shop's products, once."""

    shop_roles = ROLES_CATALOG

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            review = review_get_for_member(user=request.user, review_id=pk)
        except ApplicationError as error:
            raise Http404(error.message) from error
        form = ReviewReplyForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Write a reply of at most %(count)d characters.")
                % {"count": Review.REPLY_MAX_LENGTH},
            )
            return redirect("dashboard_reviews:list")
        assert isinstance(request.user, User)
        try:
            review_reply(review=review, actor=request.user, body=form.cleaned_data["body"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your reply is published under the review."))
        return redirect("dashboard_reviews:list")
