from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Shop(models.Model):
    """A vendor's shop. Its status changes only through `shops.services`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_shops",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="shops/logos/", blank=True)
    banner = models.ImageField(_("banner"), upload_to="shops/banners/", blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    country = CountryField(_("country"), default="US")
    language = models.CharField(
        _("language"),
        max_length=8,
        default="en",
        help_text=_("The language the shop writes its products in; search uses it."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)
    shipping_policy = models.TextField(_("shipping policy"), blank=True)
    returns_policy = models.TextField(_("returns policy"), blank=True)
    stripe_account_id = models.CharField(_("Stripe account id"), max_length=64, blank=True)
    payouts_on_hold = models.BooleanField(_("payouts on hold"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ShopMember(models.Model):
    """A user who works for a shop, with a role that decides what they may do there."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="members", verbose_name=_("shop")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shop_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop member")
        verbose_name_plural = _("shop members")
        constraints = [
            models.UniqueConstraint(fields=["shop", "user"], name="shops_member_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) @ {self.shop}"


class ShopInvitation(models.Model):
    """An owner's invitation for someone without an account yet; accepting it makes a member."""

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("shop")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=16, choices=ShopMember.Role.choices, default=ShopMember.Role.STAFF
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop invitation")
        verbose_name_plural = _("shop invitations")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="shops_invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.shop}"
