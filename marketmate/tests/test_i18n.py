"""MarketMate in Spanish and German: pages, the API's errors, the language choice, the
JavaScript catalogue and the shipped catalogues themselves."""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from marketmate.emails import email_message_build
from marketmate.tests.browser import VIEWPORTS
from shops.tests.factories import ShopFactory

PAGE_TEXTS = {
    # url name -> language -> texts the page shows in that language
    "home": {
        "es": ["Tiendas independientes, un solo pago", "Buscar productos"],
        "de": ["Unabhängige Shops, eine Kasse", "Produkte suchen"],
    },
    "product": {
        "es": ["Añadir al carrito", "La tienda"],
        "de": ["In den Warenkorb", "Der Shop"],
    },
    "cart": {
        "es": ["Tu carrito", "Tu carrito está vacío"],
        "de": ["Ihr Warenkorb", "Ihr Warenkorb ist leer"],
    },
    "login": {
        "es": ["Iniciar sesión", "Crea una cuenta"],
        "de": ["Anmelden", "Konto erstellen"],
    },
}
ENGLISH_TEXTS = {
    "home": "Independent shops, one checkout",
    "product": "Add to cart",
    "cart": "Your cart is empty",
    "login": "Create an account",
}
# Placeholders and markup a translation must keep exactly: %(name)s, %s, %%, {name}, tags.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|%%|\{\w*\}|</?[a-z][^>]*>|__\w+__")


@pytest.fixture
def product(db: None) -> Product:
    return ProductFactory(shop=ShopFactory(name="Linen House"), title="Linen apron")


def _url(name: str, product: Product) -> str:
    return {
        "home": "/",
        "product": f"/p/{product.pk}/{product.slug}/",
        "cart": "/cart/",
        "login": "/accounts/login/",
    }[name]


@pytest.mark.parametrize("language", ["es", "de"])
@pytest.mark.parametrize("page", PAGE_TEXTS)
def test_key_pages_speak_the_browsers_language(
    client: Client, product: Product, page: str, language: str
) -> None:
    response = client.get(_url(page, product), HTTP_ACCEPT_LANGUAGE=language)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in html
    for text in PAGE_TEXTS[page][language]:
        assert text in html
    assert ENGLISH_TEXTS[page] not in html


def test_english_stays_the_default(client: Client, product: Product) -> None:
    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "Independent shops, one checkout" in html


@pytest.mark.parametrize(
    ("language", "message", "required"),
    [
        ("es", "La solicitud tiene campos no válidos.", "Este campo es obligatorio."),
        ("de", "Die Anfrage enthält ungültige Felder.", "Dieses Feld ist erforderlich."),
    ],
)
def test_api_validation_errors_come_in_the_requests_language(
    api_client: APIClient, db: None, language: str, message: str, required: str
) -> None:
    response = api_client.post(
        "/api/v1/auth/login", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    assert response["Content-Language"] == language
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("validation_error", message)
    assert error["fields"]["email"] == [required]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "La dirección de correo electrónico o la contraseña no son correctas."),
        ("de", "Die E-Mail-Adresse oder das Passwort ist nicht korrekt."),
    ],
)
def test_api_application_errors_come_in_the_requests_language(
    api_client: APIClient, user: User, language: str, message: str
) -> None:
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": "not-the-password-1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 401
    assert response.json()["error"]["message"] == message


def test_the_users_preference_beats_the_cookie_and_the_browser(db: None) -> None:
    user = UserFactory(language="de")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.force_login(user)

    html = client.get("/").content.decode()

    assert '<html lang="de">' in html
    assert "Unabhängige Shops, eine Kasse" in html


def test_the_cookie_beats_the_browser(client: Client, db: None) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<html lang="es">' in html


def test_a_signed_in_user_without_a_preference_gets_the_browsers_language(db: None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    client.force_login(UserFactory(language=""))

    assert '<html lang="de">' in client.get("/").content.decode()


def test_the_switcher_sets_the_language_for_a_visitor(client: Client, db: None) -> None:
    response = client.post(
        "/i18n/setlang/", {"language": "de", "next": "/"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert '<html lang="de">' in client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_every_page_loads_the_javascript_catalogue_of_its_language_before_the_scripts(
    client: Client, db: None
) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    catalogue = html.index('<script src="/jsi18n/es/" defer></script>')
    assert catalogue < html.index("js/marketmate")


@pytest.mark.parametrize("language", ["en", "es", "de"])
def test_the_javascript_catalogue_is_served_per_language_and_cacheable(
    client: Client, db: None, language: str
) -> None:
    response = client.get(f"/jsi18n/{language}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext = function" in response.content.decode()
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]


def test_the_javascript_catalogue_of_an_unknown_language_is_not_found(
    client: Client, db: None
) -> None:
    assert client.get("/jsi18n/xx/").status_code == 404


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "closing"),
    [
        ("es", "Te damos la bienvenida a MarketMate", "Hola, Ann:", "¡Felices compras!"),
        ("de", "Willkommen bei MarketMate", "Hallo Ann,", "Viel Spaß beim Einkaufen!"),
    ],
)
def test_emails_are_written_in_the_recipients_language(
    language: str, subject: str, greeting: str, closing: str
) -> None:
    message = email_message_build(
        to="ann@example.com", template="account_welcome", context={"name": "Ann"}, language=language
    )

    html = message.alternatives[0][0]
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert closing in message.body
    assert f'<html lang="{language}">' in str(html)
    assert closing in str(html)


def _catalogues() -> list[Path]:
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"))


def test_spanish_and_german_catalogues_ship() -> None:
    languages = {path.parts[-3] for path in _catalogues()}

    assert {"es", "de"} <= languages


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda path: path.parts[-3])
def test_translations_keep_the_placeholders_and_markup_of_the_english(po_path: Path) -> None:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            # Plural forms: each needs the plural's placeholders (a singular may spell out "1").
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            strings = [text for text in message.string[1:] if text]
            if any(set(PLACEHOLDER.findall(text)) != wanted for text in strings):
                broken.append(message.id[1])
        elif Counter(PLACEHOLDER.findall(message.string)) != Counter(
            PLACEHOLDER.findall(message.id)
        ):
            broken.append(message.id)

    assert broken == []


BROWSER_PAGES = {
    "home": {"es": "Tiendas independientes, un solo pago", "de": "Unabhängige Shops, eine Kasse"},
    "product": {"es": "Añadir al carrito", "de": "In den Warenkorb"},
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["es", "de"])
def test_home_and_product_pages_in_spanish_and_german_in_a_browser(
    browser, live_server, artifacts_dir: Path, language: str, viewport: str
) -> None:
    product = ProductFactory(
        shop=ShopFactory(name="Taller de Cerámica"),
        title="Taza de gres moteada",
        default_variant__inventory_count=3,
    )
    context = browser.new_context(locale=language, viewport=VIEWPORTS[viewport])
    page = context.new_page()

    for name, url in (("home", "/"), ("product", f"/p/{product.pk}/{product.slug}/")):
        page.goto(live_server.url + url)

        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_text(BROWSER_PAGES[name][language]).first.is_visible()
        # Longer German and Spanish words must wrap, not push the page sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.screenshot(
            path=str(artifacts_dir / f"i18n-{name}-{language}-{viewport}.png"), full_page=True
        )
    context.close()
