"""PDF invoices: rendered by the job once, readable text, and only for the buyer and the shop."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from payments.models import Invoice
from payments.services.invoices import invoice_render
from payments.services.payments import payment_confirm_card, payments_create
from payments.tasks import invoice_render_task
from shops.models import ShopMember
from shops.tests.factories import ShopMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(buyer, order, django_capture_on_commit_callbacks):
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm_card(payment=payment, card_number="4242424242424242")
    order.refresh_from_db()
    return order


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_paying_renders_a_pdf_invoice_with_the_order_number(paid_order) -> None:
    invoice = Invoice.objects.get(order=paid_order)

    with invoice.file.open("rb") as stored:
        pdf = stored.read()

    text = _text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert invoice.number == f"INV-{paid_order.number}"
    assert paid_order.number in text
    assert "Harbour Books" in text
    assert "$80.00" in text and "80.00 USD" not in text
    assert "Invoice" in text


def test_the_invoice_is_in_the_buyers_language(buyer, paid_order) -> None:
    Invoice.objects.filter(order=paid_order).delete()
    buyer.language = "de"
    buyer.save(update_fields=["language"])

    invoice = invoice_render(order=paid_order)

    with invoice.file.open("rb") as stored:
        text = _text(stored.read())
    # Rendered with German formats (and German words once locale/de translates them).
    assert "80,00\xa0$" in text or "80,00 $" in text
    assert "$80.00" not in text
    assert paid_order.number in text


def test_a_spanish_invoice_names_the_built_in_shipping_method_in_spanish(buyer, paid_order) -> None:
    Invoice.objects.filter(order=paid_order).delete()
    buyer.language = "es"
    buyer.save(update_fields=["language"])

    invoice = invoice_render(order=paid_order)

    with invoice.file.open("rb") as stored:
        text = _text(stored.read())
    assert paid_order.shipping_method_name == "Standard"
    assert "Envío (Estándar)" in text
    assert "(Standard)" not in text


def test_rendering_again_keeps_the_first_invoice(paid_order) -> None:
    first = Invoice.objects.get(order=paid_order)

    invoice_render_task.apply(args=(paid_order.pk,))

    assert Invoice.objects.filter(order=paid_order).count() == 1
    assert Invoice.objects.get(order=paid_order).file.name == first.file.name


def test_the_buyer_and_shop_members_download_the_invoice(buyer, shop, paid_order) -> None:
    clerk = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    for user in (buyer, shop.owner, clerk):
        client = APIClient()
        client.force_authenticate(user=user)

        answer = client.get(f"/api/v1/orders/{paid_order.pk}/invoice")

        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/pdf"
        assert paid_order.number in _text(b"".join(answer.streaming_content))


def test_nobody_else_can_download_the_invoice(paid_order) -> None:
    stranger = APIClient()
    stranger.force_authenticate(user=UserFactory())
    other_vendor = APIClient()
    other_vendor.force_authenticate(user=ShopMemberFactory(role=ShopMember.Role.OWNER).user)
    page = Client()
    page.force_login(UserFactory())

    answers = [
        stranger.get(f"/api/v1/orders/{paid_order.pk}/invoice"),
        other_vendor.get(f"/api/v1/orders/{paid_order.pk}/invoice"),
        page.get(f"/payments/invoices/{paid_order.number}.pdf"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert answers[0].json()["error"]["code"] == "not_found"
    assert APIClient().get(f"/api/v1/orders/{paid_order.pk}/invoice").status_code == 401


def test_an_unpaid_order_has_no_invoice_yet(buyer, order) -> None:
    client = APIClient()
    client.force_authenticate(user=buyer)

    answer = client.get(f"/api/v1/orders/{order.pk}/invoice")

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "invoice_not_ready"


def test_the_buyer_downloads_the_invoice_from_the_page_link(buyer, paid_order) -> None:
    client = Client()
    client.force_login(buyer)

    answer = client.get(f"/payments/invoices/{paid_order.number}.pdf")

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="INV-{paid_order.number}.pdf"'
