"""Names that staff manage (categories, option kinds) are kept per language, edited in the
admin and shown on the storefront in the shopper's language; the shop window's "Sale" and the
checkout's countries speak the shopper's language too."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from accounts.tests.factories import StaffFactory
from catalog.models import Category
from catalog.search import search_vector_update
from catalog.services.categories import category_get_or_create_path
from catalog.tests.factories import CategoryFactory, ProductFactory
from marketmate.tests.browser import VIEWPORTS
from orders.forms import AddressForm
from payments.models import LedgerEntry


@pytest.mark.django_db
def test_a_category_name_comes_in_the_shoppers_language_or_else_in_english() -> None:
    category = CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")
    untranslated = CategoryFactory(name="Textiles", slug="textiles")

    with translation.override("es"):
        names = (category.name, untranslated.name)
    with translation.override("de"):
        german = category.name

    assert names == ("Cerámica", "Textiles")
    assert german == "Ceramics"


@pytest.mark.django_db
def test_a_category_path_is_found_by_its_english_names_in_any_language() -> None:
    from catalog.services.categories import category_get_or_create_path

    ceramics = CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")

    with translation.override("es"):
        found = category_get_or_create_path(names=["Ceramics"])
        created = category_get_or_create_path(names=["Ceramics", "Mugs"])

    assert found == ceramics
    assert (created.name_en, created.name_es, Category.objects.get_parent(created)) == (
        "Mugs",
        None,
        ceramics,
    )
    assert Category.objects.count() == 2


@pytest.mark.django_db
def test_autocomplete_finds_categories_by_the_shoppers_name_or_the_english_one(
    client: Client,
) -> None:
    CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")
    CategoryFactory(name="Textiles", slug="textiles")

    def categories(text: str) -> list[dict[str, str]]:
        answer = client.get("/api/v1/search/suggest", {"q": text}, HTTP_ACCEPT_LANGUAGE="es")
        return [{"slug": c["slug"], "name": c["name"]} for c in answer.json()["categories"]]

    assert categories("Cerám") == [{"slug": "ceramics", "name": "Cerámica"}]
    assert categories("Ceram") == [{"slug": "ceramics", "name": "Cerámica"}]
    assert categories("Texti") == [{"slug": "textiles", "name": "Textiles"}]


@pytest.mark.django_db
def test_the_category_page_speaks_the_shoppers_language(client: Client) -> None:
    category = CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")
    ProductFactory().categories.add(category)

    spanish = client.get("/c/ceramics/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/c/ceramics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>Cerámica</h1>" in spanish.replace("\n", "")
    assert "<h1>Ceramics</h1>" in english.replace("\n", "")


@pytest.mark.django_db
def test_search_facets_and_filter_chips_name_categories_in_the_shoppers_language(
    client: Client,
) -> None:
    category = CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")
    untranslated = CategoryFactory(name="Textiles", slug="textiles")
    mugs = [ProductFactory(title="Stoneware mug"), ProductFactory(title="Linen mug")]
    mugs[0].categories.add(category)
    mugs[1].categories.add(untranslated)
    search_vector_update(product_ids=[mug.pk for mug in mugs])

    def facet_names(language: str) -> dict[str, str]:
        answer = client.get("/api/v1/products/facets", {"q": "mug"}, HTTP_ACCEPT_LANGUAGE=language)
        return {c["slug"]: c["name"] for c in answer.json()["categories"]}

    page = client.get(
        "/search/", {"q": "mug", "category": "ceramics"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert facet_names("es") == {"ceramics": "Cerámica", "textiles": "Textiles"}
    assert facet_names("en") == {"ceramics": "Ceramics", "textiles": "Textiles"}
    assert "Cerámica" in page and "Ceramics" not in page


@pytest.mark.django_db
def test_the_chip_of_a_department_names_it_though_its_products_are_in_its_sub_categories(
    client: Client,
) -> None:
    mugs = category_get_or_create_path(names=["Home", "Mugs"])
    home = Category.objects.get(pk=Category.objects.get_parent(mugs).pk)
    Category.objects.filter(pk=home.pk).update(name_es="Hogar")
    mug = ProductFactory(title="Stoneware mug")
    mug.categories.add(mugs)
    search_vector_update(product_ids=[mug.pk])

    response = client.get(
        "/search/", {"q": "mug", "category": home.slug}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.context["page"].paginator.count == 1
    assert [chip["value"] for chip in response.context["chips"]] == ["Hogar"]


@pytest.mark.django_db
def test_staff_write_each_language_of_a_category_in_the_admin() -> None:
    category = CategoryFactory(name="Ceramics", slug="ceramics")
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    url = f"/admin/catalog/category/{category.pk}/change/"

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name_en": "Ceramics",
            "name_es": "Cerámica",
            "name_de": "Keramik",
            "slug": "ceramics",
            "description_en": "",
            "description_es": "",
            "description_de": "",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": "",
        },
    )

    assert 'name="name_es"' in form and 'name="name_de"' in form
    assert response.status_code == 302
    category = Category.objects.get()
    assert (category.name_en, category.name_es, category.name_de) == (
        "Ceramics",
        "Cerámica",
        "Keramik",
    )


def test_the_shop_windows_sale_is_an_offer_in_spanish_while_the_ledger_keeps_its_sale() -> None:
    with translation.override("es"):
        badge = translation.gettext("Sale")
        ledger = str(LedgerEntry.Kind.SALE.label)

    assert (badge, ledger) == ("Oferta", "Venta")


def test_the_checkouts_countries_come_in_the_shoppers_language() -> None:
    with translation.override("es"):
        choices = dict(AddressForm().fields["country"].choices)
    with translation.override("en"):
        english = dict(AddressForm().fields["country"].choices)

    assert (choices[""], choices["DE"], choices["ES"]) == ("Elige un país", "Alemania", "España")
    assert english["DE"] == "Germany"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_category_page_in_spanish_in_a_browser(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    category = CategoryFactory(
        name="Ceramics", name_es="Cerámica", slug=f"ceramics-{viewport}", description_es="Tazas"
    )
    ProductFactory(title="Taza moteada").categories.add(category)
    context = browser.new_context(locale="es", viewport=VIEWPORTS[viewport])
    page = context.new_page()

    page.goto(live_server.url + f"/c/{category.slug}/")

    page.screenshot(path=str(artifacts_dir / f"category-es-{viewport}.png"), full_page=True)
    assert page.locator("h1").inner_text() == "Cerámica"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
