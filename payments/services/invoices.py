"""PDF invoices: an HTML template rendered with WeasyPrint in the buyer's language, stored in
the default storage (local media, or S3 through django-storages) and linked to the order."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from orders.models import Order
from orders.selectors import order_get_with_lines
from payments.models import Invoice

logger = logging.getLogger(__name__)


def invoice_number_for(order: Order) -> str:
    return f"INV-{order.number}"


def invoice_pdf(*, template: str, context: dict[str, object], language: str) -> bytes:
    """`template` rendered to PDF bytes in `language`."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, context)
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def invoice_render(*, order: Order) -> Invoice:
    """The order's invoice, rendered and stored the first time (a paid order only)."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    order = order_get_with_lines(order_id=order.pk)
    number = invoice_number_for(order)
    language = getattr(order.buyer, "language", "") or settings.LANGUAGE_CODE
    pdf = invoice_pdf(
        template="payments/invoice.html",
        context={
            "order": order,
            "lines": list(order.lines.all()),
            "shop": order.shop,
            "buyer": order.buyer,
            "address": order.shipping_address,
            "invoice_number": number,
        },
        language=language,
    )
    try:
        with transaction.atomic():
            invoice = Invoice(order=order, number=number)
            invoice.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
            invoice.save()
    except IntegrityError:
        # Rendered meanwhile by another worker: theirs is the invoice.
        return Invoice.objects.get(order=order)
    return invoice
