from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.signup import SignupView
from accounts.views import DisplayCurrencyUpdateView
from analytics import urls as analytics_urls
from catalog.urls import dashboard as catalog_dashboard_urls
from catalog.views.storefront import HomeView
from marketmate import health
from marketmate.i18n import JavaScriptCatalogView
from marketmate.media import media_urlpatterns
from marketmate.metrics import metrics_view
from notifications.views import service_worker
from shops import urls as shops_dashboard_urls

admin.site.site_header = _("MarketMate administration")
admin.site.site_title = _("MarketMate admin")
admin.site.index_title = _("Run the marketplace")
# The admin signs in through the site's sign-in page: the same rate limits, the same lock-out
# after failed passwords, and the second factor (accounts.middleware.StaffSecondFactorMiddleware).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# The vendor dashboard, one include: each area keeps its namespace (`dashboard_messages`,
# `dashboard_payouts`, `dashboard_orders`, `dashboard_reviews`, `dashboard_integrations`); the
# shop's pages, the catalog's pages (with the overview) and the analytics page share `dashboard`.
dashboard_urlpatterns = [
    path("messages/", include("chat.urls.dashboard")),
    path("payouts/", include(("payments.urls.dashboard", "dashboard_payouts"))),
    path("orders/", include(("orders.urls.dashboard", "dashboard_orders"))),
    path("reviews/", include(("catalog.urls.dashboard_reviews", "dashboard_reviews"))),
    path("integrations/", include("integrations.urls")),
    path(
        "",
        include(
            (
                [
                    *shops_dashboard_urls.urlpatterns,
                    *catalog_dashboard_urls.urlpatterns,
                    *analytics_urls.dashboard_urlpatterns,
                ],
                "dashboard",
            )
        ),
    ),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics_view, name="metrics"),
    # Before allauth's own sign-up page: the same without account enumeration.
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("dashboard/", include(dashboard_urlpatterns)),
    path("payments/", include("payments.urls.payments")),
    path("cart/", include("orders.urls.cart")),
    path("checkout/", include("orders.urls.checkout")),
    path("orders/", include("orders.urls.orders")),
    path("chat/", include("chat.urls.conversations")),
    path("report/", include("moderation.urls")),
    path("notifications/", include("notifications.urls")),
    path("sw.js", service_worker, name="service_worker"),
    # The sales reports and daily figures were in the admin's Orders section until they moved to
    # the analytics app: old links and bookmarks still arrive.
    *[
        path(
            f"{settings.ADMIN_URL}orders/{model}/{rest}",
            RedirectView.as_view(
                url=f"/{settings.ADMIN_URL}analytics/{model}/{target}", query_string=True
            ),
        )
        for model in ("salesreport", "shopdailystats", "productdailystats")
        for rest, target in (("", ""), ("<path:rest>", "%(rest)s"))
    ],
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include(("marketmate.api_router", "v1"), namespace="v1")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "jsi18n/<str:language>/",
        JavaScriptCatalogView.as_view(),
        name="javascript_catalog",
    ),
    path("currency/", DisplayCurrencyUpdateView.as_view(), name="set_display_currency"),
    # Uploads on the local disk (no S3): public images only, checked, cached (docs/deployment.md).
    *media_urlpatterns(),
    # Storefront last: its short prefixes (c/, s/, p/, search/, sitemap.xml) shadow nothing.
    path("", include("catalog.urls.storefront")),
]

handler400 = "marketmate.errors.bad_request"
handler403 = "marketmate.errors.permission_denied"
handler404 = "marketmate.errors.page_not_found"
handler500 = "marketmate.errors.server_error"
# allauth's own rate limits (e-mail management, password change) answer with this page too.
handler429 = "accounts.views.rate_limited"
