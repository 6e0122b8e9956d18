import factory

from accounts.tests.factories import UserFactory
from notifications.models import Kind, Notification, NotificationPreference, PushSubscription


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = Kind.ORDER_SHIPPED
    title = factory.Sequence(lambda n: f"Order MM-{n} has shipped")
    body = "Your order is on its way."
    link = "/orders/"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory[NotificationPreference]):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = Kind.ORDER_SHIPPED
    channel = "email"
    enabled = False


class PushSubscriptionFactory(factory.django.DjangoModelFactory[PushSubscription]):
    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example/{n}")
    p256dh = (
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    )
    auth = "tBHItJI5svbpez7KI4CCXg"
