import pytest
from django.core import mail
from waffle.testutils import override_switch

from accounts.models import User
from accounts.tests.factories import UserFactory
from marketmate.models import AuditLog
from shops import services
from shops.exceptions import (
    ShopApplicantNotVerifiedError,
    ShopInvitationInvalidError,
    ShopMemberConflictError,
    ShopTransitionError,
)
from shops.models import Shop, ShopInvitation, ShopMember
from shops.tests.factories import ShopFactory, ShopInvitationFactory

pytestmark = pytest.mark.django_db


def test_a_verified_buyer_opens_an_active_shop_and_becomes_its_owning_vendor() -> None:
    user = UserFactory(role=User.Role.BUYER)

    shop = services.shop_apply(user=user, name="  Green Leaf Tea ", currency="eur", country="DE")

    assert (shop.name, shop.slug, shop.currency, shop.status) == (
        "Green Leaf Tea",
        "green-leaf-tea",
        "EUR",
        Shop.Status.ACTIVE,
    )
    assert list(shop.members.values_list("user_id", "role")) == [(user.pk, "owner")]
    user.refresh_from_db()
    assert user.role == User.Role.VENDOR
    assert AuditLog.objects.filter(action="shop.apply", entity_id=str(shop.pk)).count() == 1


@override_switch("shop_approval_required", active=True)
def test_with_the_approval_switch_on_a_new_shop_waits_for_staff() -> None:
    shop = services.shop_apply(user=UserFactory(), name="Pending Pots")

    assert shop.status == Shop.Status.PENDING


def test_the_approval_switch_exists_and_is_off_by_default() -> None:
    from waffle.models import Switch

    assert Switch.objects.get(name="shop_approval_required").active is False


def test_an_unverified_user_cannot_open_a_shop() -> None:
    with pytest.raises(ShopApplicantNotVerifiedError):
        services.shop_apply(user=UserFactory(verified=False), name="Nope")

    assert not Shop.objects.exists()


def test_shop_slugs_stay_unique() -> None:
    ShopFactory(slug="tea")

    shop = services.shop_apply(user=UserFactory(), name="Tea")

    assert shop.slug == "tea-2"


def test_an_unknown_currency_is_refused_with_a_field_error() -> None:
    with pytest.raises(Exception) as error:
        services.shop_apply(user=UserFactory(), name="Coins", currency="XYZ")

    assert error.value.fields == {"currency": ["Not an ISO 4217 currency code."]}


def test_staff_approve_suspend_and_reinstate_each_audited_with_the_reason() -> None:
    staff = UserFactory(is_staff=True)
    shop = ShopFactory(status=Shop.Status.PENDING)

    services.shop_approve(shop=shop, actor=staff, reason="Documents checked")
    services.shop_suspend(shop=shop, actor=staff, reason="Counterfeit goods")
    services.shop_reinstate(shop=shop, actor=staff, reason="Appeal upheld")

    shop.refresh_from_db()
    assert shop.status == Shop.Status.ACTIVE
    log = AuditLog.objects.filter(entity_id=str(shop.pk)).order_by("id")
    assert [(entry.action, entry.changes["status"], entry.reason) for entry in log] == [
        ("shop.approve", ["pending", "active"], "Documents checked"),
        ("shop.suspend", ["active", "suspended"], "Counterfeit goods"),
        ("shop.reinstate", ["suspended", "active"], "Appeal upheld"),
    ]


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        (Shop.Status.ACTIVE, "shop_approve"),
        (Shop.Status.SUSPENDED, "shop_approve"),
        (Shop.Status.SUSPENDED, "shop_suspend"),
        (Shop.Status.ACTIVE, "shop_reinstate"),
        (Shop.Status.PENDING, "shop_reinstate"),
    ],
)
def test_a_transition_from_the_wrong_status_is_a_conflict(status: str, transition: str) -> None:
    shop = ShopFactory(status=status)

    with pytest.raises(ShopTransitionError):
        getattr(services, transition)(shop=shop, actor=None, reason="because")

    shop.refresh_from_db()
    assert shop.status == status


def test_a_suspension_needs_a_reason() -> None:
    shop = ShopFactory()

    with pytest.raises(Exception) as error:
        services.shop_suspend(shop=shop, actor=None, reason="  ")

    assert error.value.fields == {"reason": ["This field is required."]}


def test_inviting_an_existing_user_adds_them_at_once() -> None:
    shop = ShopFactory()
    colleague = UserFactory(email="pat@example.com")

    member = services.member_invite(
        shop=shop, actor=shop.owner, email="PAT@example.com", role="manager"
    )

    assert isinstance(member, ShopMember)
    assert (member.user, member.role) == (colleague, "manager")


def test_inviting_an_unknown_address_emails_an_invitation_that_the_new_user_accepts(
    django_capture_on_commit_callbacks,
) -> None:
    shop = ShopFactory(name="Clay & Co")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.member_invite(
            shop=shop, actor=shop.owner, email="newbie@example.com", role="staff"
        )

    assert isinstance(invitation, ShopInvitation)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@example.com"]
    assert f"/dashboard/invitations/{invitation.token}/" in mail.outbox[0].body
    newbie = UserFactory(email="newbie@example.com", role=User.Role.BUYER)

    member = services.invitation_accept(invitation=invitation, user=newbie)

    assert (member.shop, member.role) == (shop, "staff")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    newbie.refresh_from_db()
    assert newbie.role == User.Role.VENDOR


def test_an_invitation_cannot_be_accepted_by_another_address_or_twice() -> None:
    invitation = ShopInvitationFactory(email="right@example.com")

    with pytest.raises(ShopInvitationInvalidError):
        services.invitation_accept(invitation=invitation, user=UserFactory())
    services.invitation_accept(invitation=invitation, user=UserFactory(email="right@example.com"))
    with pytest.raises(ShopInvitationInvalidError):
        services.invitation_accept(
            invitation=invitation, user=UserFactory(email="right@example.com")
        )


def test_inviting_a_member_twice_is_a_conflict() -> None:
    shop = ShopFactory()

    with pytest.raises(ShopMemberConflictError):
        services.member_invite(shop=shop, actor=shop.owner, email=shop.owner.email, role="staff")


def test_the_owner_cannot_be_demoted_or_removed_others_can() -> None:
    shop = ShopFactory()
    owner_member = shop.members.get(user=shop.owner)
    staff = services.member_invite(
        shop=shop, actor=shop.owner, email=UserFactory().email, role="staff"
    )
    assert isinstance(staff, ShopMember)

    with pytest.raises(ShopMemberConflictError):
        services.member_role_set(member=owner_member, actor=shop.owner, role="staff")
    with pytest.raises(ShopMemberConflictError):
        services.member_remove(member=owner_member, actor=shop.owner)
    services.member_role_set(member=staff, actor=shop.owner, role="manager")
    assert ShopMember.objects.get(pk=staff.pk).role == "manager"
    services.member_remove(member=staff, actor=shop.owner)
    assert list(shop.members.values_list("role", flat=True)) == ["owner"]


def test_nobody_can_be_made_an_owner_by_role_change() -> None:
    shop = ShopFactory()

    with pytest.raises(Exception) as error:
        services.member_invite(shop=shop, actor=shop.owner, email="x@example.com", role="owner")

    assert error.value.fields == {"role": ["Choose manager or staff."]}
