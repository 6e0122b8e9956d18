from collections.abc import Iterator

import pytest
from django.db import connection

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
