"""The membership reads every app asks: who works for which shop, in which role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from shops.exceptions import ShopNotFoundError, ShopRoleRequiredError
from shops.models import Shop
from shops.roles import ROLES_SETTINGS
from shops.selectors import (
    shop_get_for_member,
    shop_get_public,
    shop_ids_for_member,
    shop_member_users_active,
    shops_for_member,
    user_is_shop_member,
)
from shops.tests.factories import ShopFactory
from shops.tests.team import team_build

pytestmark = pytest.mark.django_db


def test_shop_ids_for_member_are_the_shops_of_the_asked_roles() -> None:
    team = team_build()
    second = ShopFactory(owner=team.staff)

    assert shop_ids_for_member(user=team.staff) == {team.shop.pk, second.pk}
    assert shop_ids_for_member(user=team.staff, roles=ROLES_SETTINGS) == {second.pk}
    assert shop_ids_for_member(user=team.buyer) == set()
    assert shop_ids_for_member(user=AnonymousUser()) == set()
    assert [shop.pk for shop in shops_for_member(user=team.manager, roles=ROLES_SETTINGS)] == [
        team.shop.pk
    ]


def test_user_is_shop_member_in_any_role_only() -> None:
    team = team_build()

    assert [
        user_is_shop_member(user=user, shop_id=team.shop.pk)
        for user in (team.owner, team.manager, team.staff, team.other_vendor, team.buyer)
    ] == [True, True, True, False, False]
    assert user_is_shop_member(user=AnonymousUser(), shop_id=team.shop.pk) is False


def test_a_shop_for_a_member_is_a_404_to_outsiders_and_a_403_to_a_weaker_role() -> None:
    team = team_build()

    assert shop_get_for_member(user=team.staff, shop_id=team.shop.pk) == team.shop
    with pytest.raises(ShopNotFoundError):
        shop_get_for_member(user=team.other_vendor, shop_id=team.shop.pk)
    with pytest.raises(ShopRoleRequiredError):
        shop_get_for_member(user=team.staff, shop_id=team.shop.pk, roles=ROLES_SETTINGS)


def test_a_pending_shop_is_public_to_its_members_only() -> None:
    team = team_build(status=Shop.Status.PENDING)

    assert shop_get_public(shop_id=team.shop.pk, user=team.staff) == team.shop
    with pytest.raises(ShopNotFoundError):
        shop_get_public(shop_id=team.shop.pk, user=team.buyer)


def test_shop_member_users_active_leaves_out_deactivated_members() -> None:
    team = team_build()
    team.staff.is_active = False
    team.staff.save(update_fields=["is_active"])

    assert shop_member_users_active(shop_id=team.shop.pk) == [team.owner, team.manager]
