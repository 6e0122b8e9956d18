"""A shop with a member of every role, and the outsiders that attack it, for permission tests."""

from dataclasses import dataclass

from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from shops.models import Shop, ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

ACTORS = ["owner", "manager", "staff", "other_vendor", "buyer", "anonymous"]


@dataclass
class Team:
    shop: Shop
    owner: User
    manager: User
    staff: User
    other_vendor: User
    buyer: User

    def user(self, actor: str) -> User | None:
        return None if actor == "anonymous" else getattr(self, actor)

    def client(self, actor: str) -> APIClient:
        client = APIClient()
        user = self.user(actor)
        if user is not None:
            client.force_authenticate(user=user)
        return client


def team_build(**shop_fields: object) -> Team:
    shop = ShopFactory(**shop_fields)
    manager = ShopMemberFactory(shop=shop, role=ShopMember.Role.MANAGER).user
    staff = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    other_vendor = ShopFactory().owner
    buyer = UserFactory()
    return Team(
        shop=shop,
        owner=shop.owner,
        manager=manager,
        staff=staff,
        other_vendor=other_vendor,
        buyer=buyer,
    )
