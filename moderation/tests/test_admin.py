"""The staff's moderation queue: filters, resolve and dismiss with a reason, and acting on what
is reported through its own app, every step audited with actor and reason."""

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from chat.models import Conversation
from chat.tests.factories import MessageFactory
from marketmate.models import AuditLog
from moderation.models import Report
from moderation.tests.factories import ReportFactory, ReviewFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/report/"


@pytest.fixture
def staff():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _apply(client: Client, action: str, reports: list[Report], reason: str):
    return client.post(
        QUEUE,
        {
            "action": action,
            "_selected_action": [report.pk for report in reports],
            "apply": "1",
            "reason": reason,
        },
    )


def test_the_queue_filters_by_status_and_by_what_is_reported(staff_client: Client) -> None:
    product_report = ReportFactory()
    shop_report = ReportFactory(target=ShopFactory(name="Shady Deals"))
    ReportFactory(target=MessageFactory(body="Pay me by wire"), status=Report.Status.DISMISSED)

    everything = staff_client.get(QUEUE)
    shops = staff_client.get(QUEUE, {"target": "shop"})
    open_ones = staff_client.get(QUEUE, {"status__exact": "open"})

    assert everything.status_code == 200
    assert "Shady Deals" in everything.text and "Pay me by wire" in everything.text
    assert list(shops.context["cl"].result_list) == [shop_report]
    assert set(open_ones.context["cl"].result_list) == {product_report, shop_report}


def test_resolving_asks_for_a_reason_then_audits(staff_client: Client, staff) -> None:
    report = ReportFactory()
    data = {"action": "resolve", "_selected_action": [report.pk]}

    asked = staff_client.post(QUEUE, data)
    refused = staff_client.post(QUEUE, {**data, "apply": "1", "reason": " "})
    done = _apply(staff_client, "resolve", [report], "Seller warned")

    assert "Reason (kept in the audit log)" in asked.text
    assert "Give a reason." in refused.text
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.resolution_note) == (
        "resolved",
        staff,
        "Seller warned",
    )
    assert report.handled_at is not None
    log = AuditLog.objects.get(action="moderation.report_resolve")
    assert (log.actor, log.changes, log.reason) == (
        staff,
        {"status": ["open", "resolved"]},
        "Seller warned",
    )


def test_dismissing_leaves_the_target_alone_and_audits(staff_client: Client, staff) -> None:
    product = ProductFactory()
    report = ReportFactory(target=product)

    _apply(staff_client, "dismiss", [report], "Not a scam")

    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("dismissed", staff)
    assert Product.objects.get(pk=product.pk).status == Product.Status.ACTIVE
    assert AuditLog.objects.get(action="moderation.report_dismiss").reason == "Not a scam"


def test_a_handled_report_is_not_handled_again(staff_client: Client) -> None:
    report = ReportFactory(status=Report.Status.DISMISSED)

    _apply(staff_client, "resolve", [report], "Again")

    assert Report.objects.get(pk=report.pk).status == "dismissed"
    assert not AuditLog.objects.filter(action="moderation.report_resolve").exists()


def test_acting_on_a_product_report_unpublishes_it_and_resolves_its_reports(
    staff_client: Client, staff
) -> None:
    product = ProductFactory()
    first, second = ReportFactory(target=product), ReportFactory(target=product)
    other = ReportFactory()

    response = _apply(staff_client, "act", [first], "Counterfeit")

    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT
    statuses = {report.pk: report.status for report in Report.objects.all()}
    assert statuses == {first.pk: "resolved", second.pk: "resolved", other.pk: "open"}
    unpublished = AuditLog.objects.get(action="product.unpublish")
    assert (unpublished.actor, unpublished.reason) == (staff, "Counterfeit")
    assert AuditLog.objects.filter(action="moderation.report_resolve").count() == 2


def test_acting_on_a_shop_report_suspends_the_shop(staff_client: Client, staff) -> None:
    shop = ShopFactory()
    report = ReportFactory(target=shop)

    _apply(staff_client, "act", [report], "Fraud ring")

    assert Shop.objects.get(pk=shop.pk).status == Shop.Status.SUSPENDED
    log = AuditLog.objects.get(action="shop.suspend")
    assert (log.actor, log.reason) == (staff, "Fraud ring")
    assert Report.objects.get(pk=report.pk).status == "resolved"


def test_acting_on_a_message_report_closes_the_conversation(staff_client: Client, staff) -> None:
    message = MessageFactory()
    report = ReportFactory(target=message)

    _apply(staff_client, "act", [report], "Harassment")

    assert Conversation.objects.get(pk=message.conversation_id).is_closed is True
    log = AuditLog.objects.get(action="chat.conversation_close")
    assert (log.actor, log.reason) == (staff, "Harassment")


def test_acting_on_a_review_report_hides_the_review(staff_client: Client, staff) -> None:
    review = ReviewFactory()
    report = ReportFactory(target=review)

    _apply(staff_client, "act", [report], "Insults")

    review.refresh_from_db()
    assert (review.is_hidden, review.hidden_by) == (True, staff)
    assert Report.objects.get(pk=report.pk).status == "resolved"


def test_an_action_the_owning_app_refuses_is_shown_and_the_report_stays_open(
    staff_client: Client,
) -> None:
    report = ReportFactory(target=ProductFactory(status=Product.Status.DRAFT))

    response = staff_client.post(
        QUEUE,
        {"action": "act", "_selected_action": [report.pk], "apply": "1", "reason": "Spam"},
        follow=True,
    )

    assert "Only active products can be unpublished." in response.text
    assert Report.objects.get(pk=report.pk).status == "open"


def test_a_report_is_read_only_in_the_admin(staff_client: Client) -> None:
    report = ReportFactory()

    page = staff_client.get(f"{QUEUE}{report.pk}/change/")

    assert page.status_code == 200
    assert list(page.context["adminform"].form.fields) == []
    assert staff_client.get(f"{QUEUE}add/").status_code == 403


def test_a_reports_page_decides_it_with_a_note_instead_of_saving(staff_client: Client) -> None:
    report = ReportFactory()
    page_url = f"{QUEUE}{report.pk}/change/"

    page = staff_client.get(page_url).text
    no_note = staff_client.post(f"{QUEUE}{report.pk}/decide/", {"decision": "dismiss"})
    report.refresh_from_db()
    still_open = report.status
    decided = staff_client.post(
        f"{QUEUE}{report.pk}/decide/", {"decision": "dismiss", "note": "Not a fake"}
    )

    assert 'name="_save"' not in page
    assert 'data-decision="resolve"' in page and 'data-decision="dismiss"' in page
    assert 'data-decision="act"' in page
    assert no_note["Location"] == decided["Location"] == page_url
    assert still_open == Report.Status.OPEN
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (Report.Status.DISMISSED, "Not a fake")
    assert 'data-decision="resolve"' not in staff_client.get(page_url).text


def test_acting_from_the_reports_page_unpublishes_the_product(staff_client: Client) -> None:
    product = ProductFactory()
    report = ReportFactory(target=product)

    staff_client.post(f"{QUEUE}{report.pk}/decide/", {"decision": "act", "note": "Counterfeit"})

    report.refresh_from_db()
    product.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert product.status != Product.Status.ACTIVE


def test_staff_without_the_moderation_permission_cannot_decide() -> None:
    report = ReportFactory()
    client = Client()
    client.force_login(StaffFactory(is_superuser=False))

    response = client.post(f"{QUEUE}{report.pk}/decide/", {"decision": "resolve", "note": "x"})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
