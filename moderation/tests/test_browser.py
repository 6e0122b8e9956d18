"""A shopper reports a product from its page in a real chromium, and sees the thanks."""

from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from marketmate.tests.browser import VIEWPORTS, signed_in_page
from moderation.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shopper_reports_a_product_from_its_page(
    browser, live_server, artifacts_dir: Path
) -> None:
    shopper = UserFactory(name="Ada Shopper")
    product = ProductFactory(title="Miracle Pills")
    page = signed_in_page(browser, live_server, shopper, "desktop")

    page.goto(f"{live_server.url}/p/{product.pk}/{product.slug}/")
    page.get_by_role("link", name="Report this product").click()
    page.wait_for_url(f"**/report/product/{product.pk}/")
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(artifacts_dir / f"report-form-{viewport}.png"), full_page=True)
    page.get_by_label("Scam or fraud").check()
    page.get_by_label("Details (optional)").fill("Claims to cure everything.")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(f"**/p/{product.pk}/{product.slug}/")

    assert "Our team will look at your report." in page.content()
    report = Report.objects.get()
    assert (report.reporter, report.target, report.reason, report.details) == (
        shopper,
        product,
        "scam",
        "Claims to cure everything.",
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_dismiss_a_report_from_its_page(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    from accounts.tests.factories import StaffFactory
    from moderation.tests.factories import ReportFactory

    report = ReportFactory(target=ProductFactory(title="Plain mug"))
    page = signed_in_page(browser, live_server, StaffFactory(), viewport)
    url = f"{live_server.url}/admin/moderation/report/{report.pk}/change/"

    page.goto(url)
    page.screenshot(path=str(artifacts_dir / f"admin-report-{viewport}.png"), full_page=True)
    assert page.locator("input[name=_save]").count() == 0
    page.get_by_label("Reason").fill("An ordinary mug.")
    page.locator("[data-decision=dismiss]").click()
    page.wait_for_url(url)

    page.screenshot(path=str(artifacts_dir / f"admin-report-done-{viewport}.png"), full_page=True)
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (Report.Status.DISMISSED, "An ordinary mug.")
    assert page.locator("[data-decision]").count() == 0
    page.context.close()
