import pytest

from shops.tests.team import Team, team_build


@pytest.fixture
def team(db: None) -> Team:
    return team_build()
