from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from marketmate.currency import Currency


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, read when a form or the admin asks, not at import time."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        verified = fields.pop("verified", None)
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        if verified is not None:
            # Verification lives on allauth's record of the address, nowhere else.
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=user,
                email=user.email,
                defaults={"primary": True, "verified": bool(verified)},
            )
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("role", User.Role.ADMIN)
        fields.setdefault("verified", True)
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who uses MarketMate; they log in with their e-mail address."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        VENDOR = "vendor", _("Vendor")
        ADMIN = "admin", _("Admin")

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BUYER)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May log into the admin site.")
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        blank=True,
        choices=language_choices,
        help_text=_("Pages and e-mails use this language."),
    )
    currency = models.CharField(
        _("preferred currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    banned_at = models.DateTimeField(_("banned at"), null=True, blank=True)
    # Part of the session hash and of every JWT: raising it ends every session and token at once.
    auth_version = models.PositiveIntegerField(_("sign-in version"), default=0, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks this hash on every request: mixing in `auth_version` lets a ban end
        # every session of the user at once, and keeps them ended after an unban.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.auth_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    @property
    def verified(self) -> bool:
        """Whether the user has confirmed their e-mail address, read from allauth's record of
        it (the only place verification is kept: confirming the link, a password reset or
        staff ticking "verified" on the address in the admin all take effect at once)."""
        if self.pk is None:
            return False
        if "is_email_verified" in self.__dict__:  # annotated by a list (one query for all)
            return bool(self.__dict__["is_email_verified"])
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(
            user_id=self.pk, email__iexact=self.email, verified=True
        ).exists()

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Address(models.Model):
    """A postal address in a user's address book."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("user"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = CountryField(_("country"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_default_shipping = models.BooleanField(_("default shipping address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default_shipping", "-is_default_billing", "-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_shipping=True),
                name="accounts_address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_billing=True),
                name="accounts_address_one_default_billing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.city}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:address_update", kwargs={"pk": self.pk})

    @property
    def lines(self) -> list[str]:
        """The address as the lines of a label."""
        locality = " ".join(part for part in [self.postal_code, self.city] if part)
        parts = [self.full_name, self.line1, self.line2, locality, self.region]
        return [part for part in parts if part] + [str(countries.name(self.country))]
