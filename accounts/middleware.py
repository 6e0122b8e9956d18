from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.exceptions import RateLimitedError
from accounts.models import User
from accounts.ratelimits import rate_limit_consume
from accounts.selectors import user_has_second_factor
from accounts.services import user_language_set
from accounts.views import rate_limited

# allauth's pages (url names) whose POSTs count toward a rate limit of accounts.ratelimits.
RATE_LIMITED_PAGES = {
    "account_login": "login",
    "account_signup": "register",
    "account_reset_password": "forgot_password",
    "account_reset_password_from_key": "reset_password",
    # The second factor's step of signing in counts as signing in.
    "mfa_authenticate": "login",
}


class UserLanguageMiddleware:
    """Pages speak the signed-in user's preferred language; LocaleMiddleware has already picked
    the cookie's or the browser's for everybody else. Choosing a language in the switcher
    while signed in becomes the user's preference."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User):
            if request.method == "POST" and request.path == reverse("set_language"):
                user_language_set(user=user, language=request.POST.get("language", ""))
            elif user.language and user.language in dict(settings.LANGUAGES):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class AuthRateLimitMiddleware:
    """Rate limits of allauth's sign-in, sign-up and password reset pages, and the friendly
    429 page for every `RateLimitedError` a page raises."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        match = request.resolver_match
        scope = RATE_LIMITED_PAGES.get(match.url_name or "") if match else None
        if scope is None or request.method != "POST":
            return None
        try:
            rate_limit_consume(request=request, scope=scope)
        except RateLimitedError as error:
            return rate_limited(request, error)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimitedError) and not request.path.startswith("/api/"):
            return rate_limited(request, exception)
        return None


class StaffSecondFactorMiddleware:
    """Staff reach the admin only with a second factor set up: without one, every admin page
    sends them to the page where they set one up. Signing in then always asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_staff
            and request.path.startswith("/" + settings.ADMIN_URL)
            and not user_has_second_factor(user=user)
        ):
            messages.warning(
                request,
                _("Set up a second factor for your account before you open the administration."),
            )
            return redirect("mfa_index")
        return self.get_response(request)
