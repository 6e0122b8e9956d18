import factory
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Address, User

DEFAULT_PASSWORD = "a-long-enough-password-42"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    class Params:
        # Kept on allauth's EmailAddress (User.verified reads it), made below.
        verified = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])

    # allauth's record of the address, as accounts.services.user_create makes it.
    email_address = factory.RelatedFactory(
        "accounts.tests.factories.EmailAddressFactory",
        factory_related_name="user",
        email=factory.SelfAttribute("..email"),
        verified=factory.SelfAttribute("..verified"),
    )


class EmailAddressFactory(factory.django.DjangoModelFactory[EmailAddress]):
    class Meta:
        model = EmailAddress
        django_get_or_create = ("user", "email")

    # A user of its own, without the address UserFactory would make for them.
    user = factory.SubFactory(UserFactory, email_address=None)
    email = factory.SelfAttribute("user.email")
    primary = True
    verified = True


class StaffFactory(UserFactory):
    """Staff as the admin lets them in: with an authenticator app and its recovery codes.
    `StaffFactory(second_factor="BASE32SECRET")` picks the app's secret;
    `StaffFactory(second_factor=False)` is staff who have not set one up yet."""

    is_staff = True
    is_superuser = True
    role = User.Role.ADMIN

    @factory.post_generation
    def second_factor(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            TOTP.activate(self, str(extracted or generate_totp_secret()))
            RecoveryCodes.activate(self)


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    postal_code = "10115"
    country = "DE"
    phone = "+49 30 1234567"
