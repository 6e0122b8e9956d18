"""The shopper-facing pages: home, category, shop, product, sitemap and robots.txt."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category, Product, ProductImage
from catalog.services.category_counts import category_counts_refresh, category_listing_sync
from catalog.tests.factories import CategoryFactory, ProductFactory, TagFactory, VariantFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    """Queries of a request after a first one (which may fill caches and the session)."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _image(product: Product, alt: str = "") -> ProductImage:
    return ProductImage.objects.create(
        product=product,
        original=f"products/{product.pk}/original.jpg",
        alt_text=alt,
        width=1600,
        height=1200,
        thumbnails={
            size: {
                "webp": f"products/{product.pk}/{size}.webp",
                "jpeg": f"products/{product.pk}/{size}.jpg",
            }
            for size in ("200", "600", "1200")
        },
    )


def test_home_shows_new_arrivals_featured_categories_and_shops(client: Client) -> None:
    shop = ShopFactory(name="Linen House")
    CategoryFactory(name="Kitchen", slug="kitchen", is_featured=True)
    ProductFactory(shop=shop, title="Linen apron")
    ProductFactory(shop=shop, title="Hidden draft", status=Product.Status.DRAFT)
    ProductFactory(shop=ShopFactory(status=Shop.Status.SUSPENDED), title="Suspended mug")

    html = client.get("/").content.decode()

    assert "Linen apron" in html
    assert "Hidden draft" not in html
    assert "Suspended mug" not in html
    assert 'href="/c/kitchen/"' in html
    assert f'href="/s/{shop.slug}/"' in html
    assert "No products yet" not in html


def test_home_without_products_shows_the_empty_state(client: Client) -> None:
    assert "No products yet" in client.get("/").content.decode()


def test_home_query_count_does_not_grow_with_products(client: Client) -> None:
    ProductFactory()
    few = _queries(client, "/")
    for _ in range(7):
        _image(ProductFactory(shop=ShopFactory()))
    assert _queries(client, "/") == few


def test_product_card_shows_compare_at_price_struck_through_and_badges(client: Client) -> None:
    ProductFactory(title="On sale", price=Decimal("8.00"), compare_at_price=Decimal("12.00"))
    ProductFactory(title="Gone", default_variant__inventory_count=0)

    html = client.get("/").content.decode()

    assert re.search(r'<s class="price__compare">.*\$12\.00</s>', html)
    assert html.count('badge badge--sale">Sale<') == 1
    assert html.count('badge badge--warning">Sold out<') == 1


def test_a_product_card_shows_its_image_title_shop_price_and_stars_and_links_to_both(
    client: Client,
) -> None:
    shop = ShopFactory(name="Tom & Jerry's")
    pictured = ProductFactory(shop=shop, title="Blue <mug>", price=Decimal("8.50"), rating_count=3)
    Product.objects.filter(pk=pictured.pk).update(rating_average=Decimal("4.40"))
    _image(pictured, alt="A blue mug on a shelf")
    ProductFactory(title="plain jug")

    html = client.get("/").content.decode()

    card = re.search(
        r'<article class="product-card">((?:(?!</article>).)*Blue &lt;mug&gt;.*?)</article>',
        html,
        re.S,
    )
    assert card is not None
    card_html = card.group(1)
    assert f'href="/p/{pictured.pk}/{pictured.slug}/"' in card_html
    assert f'href="/s/{shop.slug}/">Tom &amp; Jerry&#x27;s</a>' in card_html
    assert (
        f'<source srcset="/media/products/{pictured.pk}/600.webp" type="image/webp">' in card_html
    )
    assert 'width="600" height="450" alt="A blue mug on a shelf" loading="lazy"' in card_html
    assert '<span class="price">$8.50</span>' in card_html
    assert 'aria-label="Rated 4.4 out of 5">★★★★☆</span>' in card_html
    assert "4.4 (3 reviews)" in card_html
    # Without an image, the title's initial stands in for it.
    assert '<span class="product-card__placeholder" aria-hidden="true">P</span>' in html


def test_a_card_links_a_slug_the_url_converter_refuses_through_the_url_resolver() -> None:
    from django.urls import NoReverseMatch

    from catalog.templatetags.catalog import CardLinks

    product = ProductFactory()
    links = CardLinks()
    assert links.product(product) == reverse("storefront:product", args=[product.pk, product.slug])
    assert links.shop(product.shop.slug) == f"/s/{product.shop.slug}/"
    # Not formatted into the link: the resolver refuses it, as it did before the links were
    # formatted once per list.
    product.slug = "mug/../../admin"
    with pytest.raises(NoReverseMatch):
        links.product(product)


def test_category_page_lists_products_of_descendants_with_breadcrumbs_and_children(
    client: Client,
) -> None:
    home = CategoryFactory(name="Home", slug="home-goods")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen", child_of=home)
    CategoryFactory(name="Garden", slug="garden")
    in_child = ProductFactory(title="Teapot")
    in_child.categories.add(kitchen)
    elsewhere = ProductFactory(title="Spade")
    elsewhere.categories.add(Category.objects.get(slug="garden"))
    # The factories skip the services that keep the listing: do as they would.
    category_listing_sync(product_ids=[in_child.pk, elsewhere.pk])

    response = client.get("/c/home-goods/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Teapot" in html and "Spade" not in html
    assert 'href="/c/kitchen/"' in html
    child_html = client.get("/c/kitchen/").content.decode()
    assert '<a href="/c/home-goods/">Home</a>' in child_html
    assert '<li aria-current="page">Kitchen</li>' in child_html
    assert client.get("/c/missing/").status_code == 404


def test_category_page_paginates_and_keeps_a_flat_query_count(client: Client) -> None:
    category = CategoryFactory(slug="mugs")
    for _ in range(3):
        ProductFactory().categories.add(category)
    few = _queries(client, "/c/mugs/")
    for _ in range(24):
        product = ProductFactory()
        product.categories.add(category)
        _image(product)
    # The factories skip the services that keep the listing and the count: do as they would.
    category_listing_sync(product_ids=Product.objects.values_list("pk", flat=True))
    category_counts_refresh(category_ids=[category.pk])

    assert _queries(client, "/c/mugs/") == few
    page_two = client.get("/c/mugs/?page=2").content.decode()
    assert "Page 2 of 2" in page_two
    assert page_two.count('class="product-card"') == 3


def test_shop_page_shows_about_policies_and_only_public_products(client: Client) -> None:
    shop = ShopFactory(
        name="Clay Works",
        description="Hand-thrown pots.",
        shipping_policy="Ships in 3 days.",
        returns_policy="30 days.",
    )
    ProductFactory(shop=shop, title="Bowl")
    ProductFactory(shop=shop, title="Secret", status=Product.Status.ARCHIVED)

    html = client.get(f"/s/{shop.slug}/").content.decode()

    assert "Hand-thrown pots." in html and "Ships in 3 days." in html and "30 days." in html
    assert "Bowl" in html and "Secret" not in html
    assert f'href="/chat/start/{shop.pk}/"' in html


@pytest.mark.parametrize("status", [Shop.Status.PENDING, Shop.Status.SUSPENDED])
def test_shop_page_of_a_shop_that_is_not_active_is_404(client: Client, status: str) -> None:
    shop = ShopFactory(status=status)
    assert client.get(f"/s/{shop.slug}/").status_code == 404


def test_shop_page_query_count_does_not_grow(client: Client) -> None:
    shop = ShopFactory()
    ProductFactory(shop=shop)
    few = _queries(client, f"/s/{shop.slug}/")
    for _ in range(10):
        _image(ProductFactory(shop=shop))
    assert _queries(client, f"/s/{shop.slug}/") == few


def _product_with_variants() -> Product:
    product = ProductFactory(
        title="Wool scarf",
        slug="wool-scarf",
        price=Decimal("30.00"),
        description="<p>Warm &amp; soft.</p>",
        default_variant__options={"colour": "Red"},
        default_variant__inventory_count=4,
    )
    VariantFactory(
        product=product, options={"colour": "Blue"}, price=Decimal("35.00"), inventory_count=0
    )
    product.tags.add(TagFactory(name="winter"))
    _image(product, alt="A red wool scarf")
    return product


def test_product_page_has_variant_picker_cart_form_contact_link_and_gallery(
    client: Client,
) -> None:
    product = _product_with_variants()
    red, blue = product.variants.order_by("position", "id")

    response = client.get(f"/p/{product.pk}/wool-scarf/")
    html = response.content.decode()

    assert response.status_code == 200
    assert f'action="{reverse("cart:add")}"' in html
    assert [
        (g.name, [(v.value, v.variant_id, v.is_selected, v.is_available) for v in g.values])
        for g in response.context["picker"]
    ] == [("Colour", [("Red", red.pk, True, True), ("Blue", blue.pk, False, False)])]
    assert f'name="variant_id" value="{red.pk}"' in html
    assert f'href="?variant={blue.pk}"' in html and "variant-chip--unavailable" in html
    assert "data-variant-price>$30.00<" in html
    assert "4 in stock" in html
    assert 'hx-post="/cart/add/"' in html and 'id="cart-added"' in html
    assert f'href="/chat/start/{product.shop_id}/?product={product.pk}"' in html
    assert 'width="1200" height="900" alt="A red wool scarf"' in html
    assert "/media/products/" in html and "1200.webp" in html


def test_the_product_page_url_holds_the_chosen_variant(client: Client) -> None:
    product = _product_with_variants()
    red, blue = product.variants.order_by("position", "id")

    response = client.get(f"/p/{product.pk}/wool-scarf/?variant={blue.pk}")
    elsewhere = client.get(f"/p/{product.pk}/wool-scarf/?variant=999999")

    html = response.content.decode()
    assert response.context["selected"] == blue
    assert "data-variant-price>$35.00<" in html
    assert "Sold out" in html
    assert "data-add-button disabled" in html
    assert elsewhere.context["selected"] == red


def test_product_page_seo_json_ld_open_graph_and_canonical(client: Client) -> None:
    product = _product_with_variants()

    html = client.get(f"/p/{product.pk}/wool-scarf/").content.decode()

    canonical = f"http://testserver/p/{product.pk}/wool-scarf/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:title" content="Wool scarf">' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="og:image" content="http://testserver/media/products/' in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Product"
    assert data["name"] == "Wool scarf"
    assert data["description"] == "Warm & soft."
    assert [(o["price"], o["availability"]) for o in data["offers"]] == [
        ("30.00", "https://schema.org/InStock"),
        ("35.00", "https://schema.org/OutOfStock"),
    ]
    assert data["offers"][0]["priceCurrency"] == "USD"


def test_json_ld_cannot_close_its_script_element(client: Client) -> None:
    product = ProductFactory(title="</script><script>alert(1)</script>", slug="evil")
    html = client.get(f"/p/{product.pk}/evil/").content.decode()
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/script\\u003e" in html


def test_product_page_redirects_a_wrong_slug_to_the_canonical_url(client: Client) -> None:
    product = ProductFactory(slug="right")
    response = client.get(f"/p/{product.pk}/wrong/")
    assert response.status_code == 301
    assert response["Location"] == f"/p/{product.pk}/right/"


@pytest.mark.parametrize(
    ("product_status", "shop_status"),
    [
        (Product.Status.DRAFT, Shop.Status.ACTIVE),
        (Product.Status.ARCHIVED, Shop.Status.ACTIVE),
        (Product.Status.ACTIVE, Shop.Status.PENDING),
        (Product.Status.ACTIVE, Shop.Status.SUSPENDED),
    ],
)
def test_product_page_is_404_unless_public(
    client: Client, product_status: str, shop_status: str
) -> None:
    product = ProductFactory(status=product_status, shop=ShopFactory(status=shop_status), slug="x")
    # Even the shop's owner sees a 404 on the public page (the dashboard shows drafts).
    client.force_login(product.shop.owner)
    assert client.get(f"/p/{product.pk}/x/").status_code == 404


def test_product_page_related_products_share_a_category(client: Client) -> None:
    category = CategoryFactory()
    product = ProductFactory(slug="main")
    product.categories.add(category)
    ProductFactory(title="Sibling").categories.add(category)
    ProductFactory(title="Stranger")

    html = client.get(f"/p/{product.pk}/main/").content.decode()

    assert "Sibling" in html and "Stranger" not in html


def test_product_page_query_count_does_not_grow_with_variants_and_images(client: Client) -> None:
    product = ProductFactory(slug="p")
    few = _queries(client, f"/p/{product.pk}/p/")
    for index in range(5):
        VariantFactory(product=product, options={"size": str(index)})
        _image(product)
    assert _queries(client, f"/p/{product.pk}/p/") == few


def test_add_to_cart_form_posts_to_the_cart(client: Client) -> None:
    product = _product_with_variants()
    red = product.variants.get(is_default=True)

    response = client.post(
        reverse("cart:add"),
        {"variant_id": red.pk, "quantity": 2, "next": f"/p/{product.pk}/wool-scarf/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/p/{product.pk}/wool-scarf/"


def test_sitemap_lists_public_pages_only(client: Client) -> None:
    shop = ShopFactory(slug="clay")
    ShopFactory(slug="pending-shop", status=Shop.Status.PENDING)
    CategoryFactory(slug="mugs")
    public = ProductFactory(shop=shop, slug="mug")
    draft = ProductFactory(shop=shop, slug="draft", status=Product.Status.DRAFT)

    response = client.get("/sitemap.xml")
    xml = response.content.decode()

    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert "<loc>http://testserver/</loc>" in xml
    assert "<loc>http://testserver/c/mugs/</loc>" in xml
    assert "<loc>http://testserver/s/clay/</loc>" in xml
    assert f"<loc>http://testserver/p/{public.pk}/mug/</loc><lastmod>" in xml
    assert f"/p/{draft.pk}/" not in xml
    assert "pending-shop" not in xml


def test_robots_txt_points_to_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /dashboard/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_the_headers_categories_menu_links_each_department_in_the_shoppers_language(
    client: Client,
) -> None:
    ceramics = CategoryFactory(name="Ceramics", name_es="Cerámica", slug="ceramics")
    CategoryFactory(name="Mugs", slug="mugs", child_of=ceramics)

    english = client.get("/").content.decode()
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    menu = re.compile(r"categories-menu__panel.*?</nav>", re.S)
    assert '<li><a href="/c/ceramics/">Ceramics</a></li>' in menu.search(english).group(0)
    assert '<li><a href="/c/ceramics/">Cerámica</a></li>' in menu.search(spanish).group(0)
    assert "/c/mugs/" not in menu.search(english).group(0)  # departments only


def test_a_list_of_cards_reads_only_the_columns_the_cards_show(client: Client) -> None:
    _image(ProductFactory(title="Linen apron", description="Long words " * 50))

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()

    assert "Linen apron" in html
    # New arrivals and popular products.
    lists = [q["sql"] for q in queries if q["sql"].startswith('SELECT "catalog_product"."id"')]
    assert len(lists) == 2
    for cards in lists:
        for column in ("search_vector", "description", "facet_categories", "shipping_policy"):
            assert f'."{column}"' not in cards


def test_a_cached_page_of_cards_keeps_its_images_as_lists_not_querysets(client: Client) -> None:
    import pickle

    product = ProductFactory(title="Linen apron")
    image = _image(product)

    products = client.get(f"/s/{product.shop.slug}/").context["page"].object_list

    assert products[0].card_images == [image]
    # Pickled into the cache without the query of each product's prefetched images.
    assert b"QuerySet" not in pickle.dumps(list(products))
