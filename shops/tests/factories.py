import factory

from accounts.tests.factories import UserFactory
from shops.models import Shop, ShopInvitation, ShopMember


class ShopFactory(factory.django.DjangoModelFactory[Shop]):
    """An active shop with its owner as an owner member."""

    class Meta:
        model = Shop
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    currency = "USD"
    country = "US"
    status = Shop.Status.ACTIVE

    @factory.post_generation
    def owner_membership(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            ShopMember.objects.get_or_create(
                shop=self, user=self.owner, defaults={"role": ShopMember.Role.OWNER}
            )


class ShopMemberFactory(factory.django.DjangoModelFactory[ShopMember]):
    class Meta:
        model = ShopMember

    shop = factory.SubFactory(ShopFactory)
    user = factory.SubFactory(UserFactory)
    role = ShopMember.Role.STAFF


class ShopInvitationFactory(factory.django.DjangoModelFactory[ShopInvitation]):
    class Meta:
        model = ShopInvitation

    shop = factory.SubFactory(ShopFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = ShopMember.Role.STAFF
    token = factory.Sequence(lambda n: f"invitation-token-{n:06d}")
    invited_by = factory.SelfAttribute("shop.owner")
