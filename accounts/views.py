from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import RedirectView, TemplateView

from accounts.exceptions import RateLimitedError
from accounts.forms import AddressForm, DisplayCurrencyForm, ProfileForm
from accounts.models import Address, User
from accounts.selectors import address_get_for_user, address_list_for_user
from accounts.services import address_create, address_delete, address_update, user_profile_update
from marketmate.currency import DISPLAY_CURRENCY_COOKIE
from marketmate.errors import NotFoundError
from marketmate.flags import Flag, flag_is_on
from marketmate.forms import form_validation_errors_apply

# How long the display-currency cookie lasts: a year.
DISPLAY_CURRENCY_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def rate_limited(request: HttpRequest, error: RateLimitedError | None = None) -> HttpResponse:
    """The friendly page for too many attempts (HTTP 429 with Retry-After)."""
    retry_after = error.retry_after if error else 60
    response = render(
        request,
        "accounts/rate_limited.html",
        {
            "message": error.message if error else _("Too many attempts."),
            "retry_minutes": max(1, (retry_after + 59) // 60),
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _address_or_404(user: User, address_id: int) -> Address:
    try:
        return address_get_for_user(user=user, address_id=address_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


class AccountPageMixin(LoginRequiredMixin):
    """The account pages: signed-in users only; `section` marks the current menu entry."""

    section = ""
    request: HttpRequest

    def account_user(self) -> User:
        assert isinstance(self.request.user, User)
        return self.request.user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["account_section"] = self.section
        return context


class UserUpdateView(AccountPageMixin, TemplateView):
    template_name = "accounts/user_update.html"
    section = "profile"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ProfileForm(instance=self._fresh_user()))
        return context

    def _fresh_user(self) -> User:
        # The form works on its own copy, so a rejected change never shows up elsewhere.
        return User.objects.get(pk=self.account_user().pk)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST, request.FILES, instance=self._fresh_user())
        if form.is_valid():
            try:
                user_profile_update(user=self.account_user(), data=form.changed_values())
            except ValidationError as error:
                form_validation_errors_apply(form, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AddressListView(AccountPageMixin, TemplateView):
    template_name = "accounts/address_list.html"
    section = "addresses"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["addresses"] = address_list_for_user(user=self.account_user())
        return context


class AddressCreateView(AccountPageMixin, TemplateView):
    template_name = "accounts/address_form.html"
    section = "addresses"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AddressForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                address_create(user=self.account_user(), data=form.cleaned_data)
            except ValidationError as error:
                form_validation_errors_apply(form, error)
            else:
                messages.success(request, _("The address has been added."))
                return redirect("accounts:address_list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AddressUpdateView(AccountPageMixin, TemplateView):
    template_name = "accounts/address_form.html"
    section = "addresses"

    def address(self) -> Address:
        return _address_or_404(self.account_user(), self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AddressForm(instance=self.address()))
        context["address"] = self.address()
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        address = self.address()
        # The form works on its own copy; the service saves the address.
        form = AddressForm(request.POST, instance=self.address())
        if form.is_valid():
            try:
                address_update(address=address, data=form.cleaned_data)
            except ValidationError as error:
                form_validation_errors_apply(form, error)
            else:
                messages.success(request, _("The address has been saved."))
                return redirect("accounts:address_list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AddressDeleteView(AccountPageMixin, TemplateView):
    template_name = "accounts/address_confirm_delete.html"
    section = "addresses"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["address"] = _address_or_404(self.account_user(), self.kwargs["pk"])
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponseRedirect:
        address_delete(address=_address_or_404(self.account_user(), pk))
        messages.success(request, _("The address has been deleted."))
        return redirect("accounts:address_list")


class NotificationPreferencesView(LoginRequiredMixin, RedirectView):
    """The account's notification settings live with the notifications themselves."""

    pattern_name = "notifications:preferences"


class AccountIndexView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("accounts:profile"))


class DisplayCurrencyUpdateView(View):
    """Remember the shopper's display currency in a cookie and, when signed in, as their
    preferred currency; then go back where they were. A plain POST form in the footer (works
    without JavaScript)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not flag_is_on(request, Flag.DISPLAY_CURRENCY):
            raise Http404(_("This page is not available."))
        form = DisplayCurrencyForm(request.POST)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        response = HttpResponseRedirect(target)
        if not form.is_valid():
            return response
        code = form.cleaned_data["currency"]
        response.set_cookie(
            DISPLAY_CURRENCY_COOKIE,
            code,
            max_age=DISPLAY_CURRENCY_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
        user = request.user
        if code and user.is_authenticated and getattr(user, "currency", code) != code:
            user_profile_update(user=user, data={"currency": code})
        return response
