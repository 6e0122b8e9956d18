from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.signup import SignupView
from marketmate import health, views
from marketmate.currency_views import DisplayCurrencyUpdateView
from marketmate.i18n import JavaScriptCatalogView
from marketmate.media import media_urlpatterns
from marketmate.metrics import metrics_view
from notifications.views import service_worker

admin.site.site_header = _("MarketMate administration")
admin.site.site_title = _("MarketMate admin")
admin.site.index_title = _("Run the marketplace")
# The admin signs in through the site's sign-in page: the same rate limits, the same lock-out
# after failed passwords, and the second factor (accounts.middleware.StaffSecondFactorMiddleware).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics_view, name="metrics"),
    # Before allauth's own sign-up page: the same without account enumeration.
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("dashboard/messages/", include("chat.dashboard_urls")),
    path("dashboard/payouts/", include(("payments.dashboard_urls", "dashboard_payouts"))),
    path("payments/", include("payments.urls")),
    path("cart/", include("orders.cart_urls")),
    path("checkout/", include("orders.checkout_urls")),
    path("orders/", include("orders.urls")),
    path("dashboard/orders/", include(("orders.dashboard_urls", "dashboard_orders"))),
    path("dashboard/reviews/", include(("catalog.urls.dashboard_reviews", "dashboard_reviews"))),
    path("dashboard/integrations/", include("integrations.dashboard_urls")),
    path("dashboard/", include("shops.urls")),
    path("chat/", include("chat.urls")),
    path("report/", include("moderation.urls")),
    path("notifications/", include("notifications.urls")),
    path("sw.js", service_worker, name="service_worker"),
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
