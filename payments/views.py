"""Pages of the payments app: the payment page (test-mode card form, or Stripe's Payment
Element), invoice downloads, and the vendor's balance, ledger, statements and payouts."""

import csv
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from marketmate.errors import ApplicationError, NotFoundError
from marketmate.forms import form_errors_apply
from orders.models import Order
from orders.selectors import order_list_for_buyer
from payments.forms import CardForm, RefundForm
from payments.models import Payment
from payments.selectors import (
    connected_account_for,
    invoice_exists_for,
    invoice_get_for_viewer,
    ledger_entries_for_shop,
    order_get_for_refunder,
    payment_get_for_buyer,
    payouts_for_shop,
    refunds_for_order,
    shop_balances,
    shop_get_for_finance,
    shop_statement,
)
from payments.services.invoices import invoice_pdf
from payments.services.payments import payment_confirm_card, payment_sync, payments_create
from payments.services.payouts import connected_account_link
from payments.services.refunds import order_refundable_amount, refund_request
from shops.models import Shop
from shops.permissions import current_membership_get
from shops.roles import ROLES_SETTINGS


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# What Stripe's documentation asks of a Content Security Policy for Stripe.js and the Payment
# Element (including 3-D Secure frames); only the payment page with Stripe gets it.
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
    "img-src": ["https://*.stripe.com"],
}
# Replaced, not added to: the site-wide frame-src is 'none'.
STRIPE_CSP_FRAMES = {
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
}


def _payment_or_404(request: HttpRequest, pk: int) -> Payment:
    try:
        return payment_get_for_buyer(user=request.user, payment_id=pk)
    except NotFoundError:
        raise Http404 from None


def _order_links(payment: Payment) -> list[dict[str, Any]]:
    """Each order of the payment with its page (when the orders pages exist) and invoice."""
    links = []
    for order in payment.orders.select_related("shop").order_by("pk"):
        try:
            url = order.get_absolute_url()
        except NoReverseMatch:
            url = ""
        links.append(
            {
                "order": order,
                "url": url,
                "invoice_url": (
                    reverse("payments:invoice_download", kwargs={"number": order.number})
                    if invoice_exists_for(order=order)
                    else ""
                ),
            }
        )
    return links


class PaymentCheckoutView(LoginRequiredMixin, View):
    """Where checkout sends the shopper: start (or resume) paying the checkout's orders."""

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        buyer_orders = order_list_for_buyer(buyer=_user(request))
        if not buyer_orders.filter(checkout_reference=reference).exists():
            # Another shopper's checkout is not found, like on every other page.
            raise Http404(_("Order not found."))
        try:
            payments = payments_create(buyer=_user(request), checkout_reference=reference)
        except ApplicationError as exc:
            messages.info(request, exc.message)
            return redirect("home")
        if not payments:
            messages.success(request, _("Nothing to pay: your order is confirmed."))
            return redirect("orders:confirmation", reference=reference)
        unpaid = [payment for payment in payments if not payment.is_paid]
        return redirect((unpaid or payments)[0].get_absolute_url())


class PaymentDetailView(LoginRequiredMixin, View):
    """The payment page: what is being paid, and the form to pay it."""

    template_name = "payments/payment_detail.html"

    def _render(
        self, request: HttpRequest, payment: Payment, form: CardForm, status: int = 200
    ) -> HttpResponse:
        others = Payment.objects.filter(
            buyer=payment.buyer, checkout_reference=payment.checkout_reference
        ).exclude(pk=payment.pk)
        context = {
            "payment": payment,
            "orders": list(payment.orders.select_related("shop").order_by("pk")),
            "form": form,
            "test_mode": payment.provider == "dummy",
            "stripe_publishable_key": (
                settings.STRIPE_PUBLISHABLE_KEY if payment.provider == "stripe" else ""
            ),
            "return_url": request.build_absolute_uri(
                reverse("payments:return", kwargs={"pk": payment.pk})
            ),
            "other_payments": list(others),
            "order_links": _order_links(payment),
        }
        response = render(request, self.template_name, context, status=status)
        if context["stripe_publishable_key"]:
            # django-csp widens this page's policy for Stripe.js and its Payment Element.
            response._csp_update = STRIPE_CSP  # type: ignore[attr-defined]
            response._csp_replace = STRIPE_CSP_FRAMES  # type: ignore[attr-defined]
        return response

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = _payment_or_404(request, pk)
        return self._render(request, payment, CardForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = _payment_or_404(request, pk)
        form = CardForm(request.POST)
        if not form.is_valid():
            return self._render(request, payment, form, status=400)
        try:
            payment = payment_confirm_card(
                payment=payment, card_number=form.cleaned_data["card_number"]
            )
        except ApplicationError as exc:
            for message in exc.fields.get("card_number", []):
                form.add_error("card_number", message)
            payment.refresh_from_db()
            if payment.status != Payment.Status.FAILED:
                # A failed payment shows its own message above the form.
                form.add_error(None, exc.message)
            return self._render(request, payment, form, status=exc.status_code)
        messages.success(request, _("Thank you: your payment went through."))
        return redirect(payment.get_absolute_url())


class PaymentReturnView(LoginRequiredMixin, View):
    """Stripe sends the shopper back here: ask Stripe how the payment stands, then show it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = _payment_or_404(request, pk)
        try:
            payment = payment_sync(payment=payment)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        return redirect(payment.get_absolute_url())


class InvoiceDownloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, number: str) -> FileResponse:
        try:
            invoice = invoice_get_for_viewer(user=request.user, number=number)
        except NotFoundError:
            raise Http404 from None
        return FileResponse(
            invoice.file.open("rb"),
            as_attachment=True,
            filename=f"{invoice.number}.pdf",
            content_type="application/pdf",
        )


# --- Vendor dashboard -----------------------------------------------------------------------------
class FinanceShopMixin(LoginRequiredMixin):
    """The dashboard's current shop, if the user's role there may see its money."""

    def finance_shop(self, request: HttpRequest) -> Shop | None:
        wanted = request.GET.get("shop", "")
        if wanted.isdigit():
            try:
                return shop_get_for_finance(user=request.user, shop_id=int(wanted))
            except ApplicationError:
                raise Http404 from None
        membership = current_membership_get(request)
        if membership is None or membership.role not in ROLES_SETTINGS:
            return None
        return membership.shop


class BalanceDetailView(FinanceShopMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.finance_shop(request)
        context: dict[str, Any] = {"shop": shop}
        if shop is not None:
            today = timezone.now().date()
            context.update(
                balances=shop_balances(shop=shop),
                entries=list(ledger_entries_for_shop(shop=shop)[:10]),
                payouts=list(payouts_for_shop(shop=shop)[:10]),
                account=connected_account_for(shop=shop),
                stripe_enabled=bool(settings.STRIPE_SECRET_KEY),
                months=_recent_months(today, 6),
                minimum=settings.PAYMENTS_PAYOUT_MINIMUM,
                hold_days=settings.PAYMENTS_HOLD_DAYS,
            )
        return render(request, "payments/dashboard/balance_detail.html", context)


def _recent_months(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class LedgerEntryListView(FinanceShopMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.finance_shop(request)
        if shop is None:
            return redirect("dashboard_payouts:balance")
        page = Paginator(ledger_entries_for_shop(shop=shop), 50).get_page(request.GET.get("page"))
        return render(
            request, "payments/dashboard/ledgerentry_list.html", {"shop": shop, "page": page}
        )


STATEMENT_FIRST_YEAR = 2000
STATEMENT_LAST_YEAR = 9998


class StatementView(FinanceShopMixin, View):
    """A month's statement of the shop's ledger, as CSV or PDF."""

    def get(self, request: HttpRequest, year: int, month: int, fmt: str) -> HttpResponse:
        shop = self.finance_shop(request)
        if shop is None or fmt not in ("csv", "pdf") or not 1 <= month <= 12:
            raise Http404
        # A year outside the ledger's life has no statement (and past 9998 no month end).
        if not STATEMENT_FIRST_YEAR <= year <= STATEMENT_LAST_YEAR:
            raise Http404
        statements = shop_statement(shop=shop, year=year, month=month)
        filename = f"statement-{shop.slug}-{year}-{month:02d}"
        if fmt == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            writer = csv.writer(response)
            writer.writerow(
                [
                    _("Date"),
                    _("Kind"),
                    _("Description"),
                    _("Order"),
                    _("Amount"),
                    _("Currency"),
                    _("Balance"),
                ]
            )
            for statement in statements:
                writer.writerow(
                    ["", _("Opening balance"), "", "", statement.opening, statement.currency]
                )
                for entry in statement.entries:
                    writer.writerow(
                        [
                            entry.created.date().isoformat(),
                            entry.get_kind_display(),
                            entry.description,
                            entry.order.number if entry.order else "",
                            entry.amount,
                            entry.currency,
                            entry.running_balance,  # type: ignore[attr-defined]
                        ]
                    )
                writer.writerow(
                    ["", _("Closing balance"), "", "", statement.closing, statement.currency]
                )
            return response
        pdf = invoice_pdf(
            template="payments/statement.html",
            context={"shop": shop, "statements": statements, "month": date(year, month, 1)},
            language=request.LANGUAGE_CODE,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


class ConnectAccountView(FinanceShopMixin, View):
    """Send the shop's owner or manager to Stripe to set up where payouts go."""

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.finance_shop(request)
        if shop is None:
            raise Http404
        try:
            url = connected_account_link(
                shop=shop, actor=_user(request), base_url=request.build_absolute_uri("/")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("dashboard_payouts:balance") + f"?shop={shop.pk}")
        return HttpResponseRedirect(url)


class RefundCreateView(LoginRequiredMixin, View):
    """Refund an order from the vendor dashboard (owner, manager, or staff)."""

    template_name = "payments/dashboard/refund_create.html"

    def _order(self, request: HttpRequest, number: str) -> Order:
        try:
            return order_get_for_refunder(user=request.user, number=number)
        except NotFoundError:
            raise Http404 from None
        except ApplicationError as exc:
            raise PermissionDenied(exc.message) from None

    def _render(
        self, request: HttpRequest, order: Order, form: RefundForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "order": order,
            "form": form,
            "refundable": order_refundable_amount(order=order),
            "refunds": list(refunds_for_order(order=order)),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        order = self._order(request, number)
        return self._render(request, order, RefundForm(lines=list(order.lines.all())))

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = self._order(request, number)
        form = RefundForm(request.POST, lines=list(order.lines.all()))
        if not form.is_valid():
            return self._render(request, order, form, status=400)
        lines = form.refund_lines()
        try:
            refund = refund_request(
                actor=_user(request),
                order=order,
                amount=None if lines else form.cleaned_data["amount"],
                lines=lines or None,
                restock=form.cleaned_data["restock"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_errors_apply(form, exc)
            return self._render(request, order, form, status=exc.status_code)
        if refund.status == refund.Status.SUCCEEDED:
            messages.success(request, _("The refund went through."))
        else:
            messages.info(request, _("The refund is on its way; the payment provider confirms it."))
        return redirect("dashboard_payouts:refund", number=order.number)
