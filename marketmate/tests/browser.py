"""What every app's browser tests share, in one place: the chromium fixture, the artifacts
folder, the two viewports, a signed-in browser context and screenshots at both sizes.

Loaded for every test by the root conftest (`pytest_plugins`); tests import the helpers from
here, never from another app's test module."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

ARTIFACTS_DIR = Path(os.environ.get("MM_TEST_ARTIFACTS", "test-artifacts"))
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, headless; nothing is downloaded.

    Playwright's sync API keeps an event loop running in this thread, which makes Django
    refuse database calls from it; the browser tests' own thread is allowed them while the
    browser is open, and only then.
    """
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed (bin/test installs Debian's package)"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=BROWSER_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def signed_in_context(
    browser: Any, base_url: Any, user: Any, viewport: str = "desktop", **options: Any
) -> Any:
    """A browser context at `viewport` size with its own session of `user` (signed in without
    the login page, which is the accounts' browser test). `base_url` is a URL or the
    `live_server` fixture; `options` go to `new_context` (a `locale`, say)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS[viewport], **options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": getattr(base_url, "url", base_url),
            }
        ]
    )
    return context


def signed_in_page(
    browser: Any, base_url: Any, user: Any, viewport: str = "desktop", **options: Any
) -> Any:
    """A page of `signed_in_context`."""
    return signed_in_context(browser, base_url, user, viewport, **options).new_page()


def screenshots(page: Any, artifacts_dir: Path, name: str) -> None:
    """Full-page screenshots of `page` at every viewport (`<name>-<viewport>.png`), then back at
    desktop size."""
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(artifacts_dir / f"{name}-{viewport}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])
