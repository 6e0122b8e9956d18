from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product
from catalog.services.categories import category_get_or_create_path
from catalog.services.products import product_create
from shops.models import Shop
from shops.tests.factories import ShopFactory
from shops.tests.team import Team, team_build


@pytest.fixture
def team(db: None) -> Team:
    return team_build()


@pytest.fixture(params=["ranked_index", "gin_index"])
def search_index(request: pytest.FixtureRequest, db: None) -> Iterator[str]:
    """Run the test with the ranked RUM index (skipped where the `rum` extension is missing)
    and again with the GIN index alone, as on a server without the extension (the index is
    dropped inside the test's transaction, which puts it back)."""
    from catalog import search

    search.ranked_index_forget()
    if request.param == "gin_index":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {search.RANKED_INDEX}")
    elif not search.ranked_index_available():
        pytest.skip("the rum extension is not installed on this PostgreSQL")
    search.ranked_index_forget()
    yield request.param
    search.ranked_index_forget()


@pytest.fixture
def gin_index_only(db: None) -> Iterator[None]:
    """Search as on a server without the `rum` extension (the GIN path)."""
    from catalog import search

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {search.RANKED_INDEX}")
    search.ranked_index_forget()
    yield
    search.ranked_index_forget()


@pytest.fixture
def catalog_shops() -> dict[str, Shop]:
    """Two shops and six products whose expected search order is known."""
    wool = ShopFactory(name="Wool Barn", slug="wool-barn", language="en")
    clay = ShopFactory(name="Clay Corner", slug="clay-corner", language="de")
    scarves = category_get_or_create_path(names=["Clothing", "Scarves"])
    kitchen = category_get_or_create_path(names=["Kitchen"])

    def make(shop: Shop, title: str, price: str, **kwargs: object) -> Product:
        return product_create(
            shop=shop,
            actor=None,
            title=title,
            price=Decimal(price),
            status=Product.Status.ACTIVE,
            inventory_count=kwargs.pop("stock", 5),  # type: ignore[arg-type]
            **kwargs,  # type: ignore[arg-type]
        )

    make(
        wool,
        "Merino wool scarf",
        "45.00",
        categories=[scarves],
        tags=["winter", "gift"],
        description="Soft merino scarf, knitted by hand.",
    )
    make(
        wool,
        "Striped scarf",
        "20.00",
        categories=[scarves],
        tags=["winter"],
        description="A cotton scarf with wool trim.",
    )
    make(wool, "Wool socks", "12.00", tags=["winter"], description="Warm socks.", stock=0)
    make(wool, "Knitting needles", "8.00", description="For knitting wool scarves.")
    make(
        clay,
        "Teekanne aus Ton",
        "60.00",
        categories=[kitchen],
        description="Handgemachte Teekannen.",
    )
    make(clay, "Mug", "150.00", categories=[kitchen], tags=["gift"], description="A big mug.")
    product_create(shop=wool, actor=None, title="Draft wool hat", price=Decimal("9"))
    return {"wool": wool, "clay": clay}
