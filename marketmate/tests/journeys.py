"""What the end-to-end journeys share: numbered screenshots, signed-in browser contexts, the
store they shop in, and the ASGI application their WebSocket server process runs.

The journeys pick elements by role, URL, form field and data attribute, never by English text,
so the same steps run in every language. Their WebSocket server process runs
`marketmate.tests.asgi_media:application`.
"""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from demo.services import catalog_demo_seed
from orders.models import Promotion
from orders.services.promotions import promotion_save

VIEWPORT = {"width": 1366, "height": 900}
LIVE_TIMEOUT = 15_000
COUPON_CODE = "WELCOME10"
CARD_NUMBER = "4242 4242 4242 4242"
T = TypeVar("T")
CONFIRM_LINK = re.compile(r"http://\S+/accounts/confirm-email/\S+/")


# Every step is photographed at both sizes of issue 19's "Done when": a phone and a desktop.
SHOT_VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Resolves once the page is still: web fonts loaded, no htmx request or swap under way, and two
# frames painted after the last resize (a full-page shot taken mid-layout shows a strip of the
# old layout at the top).
SETTLED = """() => document.fonts.ready.then(() => new Promise((resolve) => {
  const still = () => !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling");
  const check = () => still()
    ? requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))
    : setTimeout(check, 50);
  check();
}))"""


@dataclass
class Shots:
    """Numbered full-page screenshots of one journey, each step at a phone's and a desktop's
    size: `<artifacts>/journeys/<name>/NN-step-phone.png` and `NN-step-desktop.png`."""

    directory: Path
    taken: list[Path] = field(default_factory=list)

    @classmethod
    def of(cls, artifacts_dir: Path, journey: str) -> "Shots":
        directory = artifacts_dir / "journeys" / journey
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.png"):
            old.unlink()
        return cls(directory=directory)

    def take(self, page: Any, step: str) -> Path:
        """Photograph `page` at each size in turn (the same page, resized: the journey runs
        once), then give it back its own size. Returns the desktop shot; `taken` holds one
        entry per step."""
        own_size = page.viewport_size
        number = len(self.taken) + 1
        path = self.directory
        for size_name, size in SHOT_VIEWPORTS.items():
            page.set_viewport_size(size)
            page.evaluate("window.scrollTo(0, 0)")
            page.evaluate(SETTLED)
            path = self.directory / f"{number:02d}-{step}-{size_name}.png"
            page.screenshot(path=str(path), full_page=True)
        if own_size is not None and own_size != page.viewport_size:
            page.set_viewport_size(own_size)
        self.taken.append(path)
        return path


def signed_in(new_context: Any, base_url: str, user: User, **options: Any) -> Any:
    """A browser context (from the `new_context` fixture) with its own session of `user`;
    signing in through the form is the accounts' own browser test."""
    client = Client()
    client.force_login(user)
    context = new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context


def csrf_token(context: Any) -> str:
    return str(
        next(c["value"] for c in context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    )


def confirmation_link(*, email: str) -> str:
    """The e-mail confirmation link last sent to `email` (the live server runs in-process)."""
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    found = CONFIRM_LINK.search(str(message.body))
    assert found, message.body
    return found.group(0)


def outside_the_browser_loop(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run `function` in a thread of its own and wait for it.

    Playwright keeps an event loop running in the test's thread, where the services'
    after-commit pushes to the channel layer (`async_to_sync`) refuse to run.
    """

    def run() -> T:
        try:
            return function(**kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result()


@dataclass
class Store:
    vendor: User
    staff: User
    coupon: Promotion


def store_with_three_shops() -> Store:
    """The demo catalog (three shops, a dozen products with photos) and a 10 % welcome coupon."""
    vendor: User = UserFactory(name="Vera Vendor", verified=True)  # type: ignore[assignment]
    staff: User = StaffFactory(name="Stella Staff", verified=True)  # type: ignore[assignment]
    catalog_demo_seed(owner=vendor, photo_size=480)
    coupon = promotion_save(
        actor=staff,
        shop=None,
        name="Welcome",
        code=COUPON_CODE,
        kind=Promotion.Kind.PERCENTAGE,
        value=Decimal("10"),
    )
    return Store(vendor=vendor, staff=staff, coupon=coupon)
