from typing import Any

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Address, User
from accounts.services import user_ban, user_deactivate, user_unban
from marketmate.admin_actions import service_action


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = [
        ("full_name", "phone"),
        ("line1", "line2"),
        ("city", "region", "postal_code", "country"),
        ("is_default_shipping", "is_default_billing"),
    ]


class BannedFilter(admin.SimpleListFilter):
    title = gettext_lazy("banned")
    parameter_name = "banned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() in ("yes", "no"):
            return queryset.filter(banned_at__isnull=self.value() == "no")
        return queryset


class EmailAddressInline(admin.TabularInline):
    """The user's e-mail addresses (allauth's records) on the user's page, so the admin home
    has one Accounts section instead of allauth's second one."""

    model = EmailAddress
    extra = 0
    fields = ["email", "primary", "verified"]


class EmailVerifiedFilter(admin.SimpleListFilter):
    """Verified or not, from allauth's e-mail addresses (where verification is kept)."""

    title = gettext_lazy("verified")
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() not in {"0", "1"}:
            return queryset
        verified = EmailAddress.objects.filter(
            user_id=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
        )
        return queryset.filter(Exists(verified) if self.value() == "1" else ~Exists(verified))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-created"]
    list_display = [
        "email",
        "name",
        "role",
        "email_verified",
        "is_active",
        "banned_at",
        "is_staff",
        "created",
    ]
    list_filter = ["role", EmailVerifiedFilter, BannedFilter, "is_active", "is_staff"]
    search_fields = ["email", "name"]
    readonly_fields = ["created", "updated", "last_login", "banned_at", "email_verified"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (gettext_lazy("Profile"), {"fields": ("name", "role", "email_verified", "avatar")}),
        (gettext_lazy("Preferences"), {"fields": ("language", "currency")}),
        (
            gettext_lazy("Permissions"),
            {
                "fields": (
                    "is_active",
                    "banned_at",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (gettext_lazy("Dates"), {"fields": ("last_login", "created", "updated")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    inlines = [EmailAddressInline, AddressInline]
    actions = ["ban_users", "unban_users"]

    def save_model(self, request: HttpRequest, obj: User, form: forms.Form, change: bool) -> None:
        switched_off = change and "is_active" in form.changed_data and not obj.is_active
        if switched_off:
            # Through the service, so the user's sessions, tokens and open sockets end too.
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if switched_off:
            user = request.user
            user_deactivate(
                user=obj, actor=user if isinstance(user, User) else None, reason="admin"
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        verified = EmailAddress.objects.filter(
            user_id=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
        )
        return super().get_queryset(request).annotate(is_email_verified=Exists(verified))

    @admin.display(boolean=True, description=gettext_lazy("verified"))
    def email_verified(self, user: User) -> bool:
        """From allauth's e-mail addresses: tick "verified" on the address to change it."""
        return user.verified

    ban_users = service_action(
        name="ban_users",
        description=gettext_lazy("Ban the selected users (ends their sessions)"),
        title=gettext_lazy("Ban users"),
        submit_label=gettext_lazy("Ban users"),
        service=user_ban,
        reason_required=True,
        target="user",
    )
    unban_users = service_action(
        name="unban_users",
        description=gettext_lazy("Unban the selected users"),
        title=gettext_lazy("Unban users"),
        submit_label=gettext_lazy("Unban users"),
        service=user_unban,
        reason_required=True,
        target="user",
    )


# allauth registers its e-mail addresses under a second "Accounts" section of the admin home;
# they are edited on the user's page instead (allauth's admin is loaded first: INSTALLED_APPS).
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)
