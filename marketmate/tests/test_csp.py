import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in (d.split() for d in directives if d)}


def test_pages_forbid_inline_scripts_and_styles_and_framing(client: Client) -> None:
    directives = policy(client.get("/"))

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def test_the_api_docs_allow_inline_styles_but_never_inline_scripts(client: Client) -> None:
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    assert policy(page)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy(page)["script-src"] == ["'self'"]
    assert b"<script>" not in page.content
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content


def test_the_other_security_headers_are_sent(client: Client) -> None:
    response = client.get("/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/", "/api/v1/docs/", "/x"]
)
def test_pages_run_without_a_single_policy_violation(browser, live_server, path: str) -> None:
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    assert violations == []
    if path == "/api/v1/docs/":
        assert page.locator(".opblock").count() > 5
    page.close()
