from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from marketmate.errors import ApplicationError, ConflictError, NotFoundError


class ShopErrorCode(models.TextChoices):
    NOT_FOUND = "shop_not_found", _("Shop not found")
    ROLE_REQUIRED = "shop_role_required", _("Your role in the shop does not allow this")
    NOT_VERIFIED = "not_verified", _("Confirm your e-mail address first")
    INVALID_TRANSITION = "invalid_transition", _("The shop's status does not allow this")
    MEMBER_CONFLICT = "member_conflict", _("Membership conflict")
    INVITATION_INVALID = "invitation_invalid", _("Invitation not valid")


class ShopNotFoundError(NotFoundError):
    default_code: ClassVar[str] = ShopErrorCode.NOT_FOUND


class ShopRoleRequiredError(ApplicationError):
    """The user works for the shop, but their role does not allow the action."""

    status_code: ClassVar[int] = status.HTTP_403_FORBIDDEN
    default_code: ClassVar[str] = ShopErrorCode.ROLE_REQUIRED


class ShopApplicantNotVerifiedError(ApplicationError):
    status_code: ClassVar[int] = status.HTTP_403_FORBIDDEN
    default_code: ClassVar[str] = ShopErrorCode.NOT_VERIFIED


class ShopTransitionError(ConflictError):
    default_code: ClassVar[str] = ShopErrorCode.INVALID_TRANSITION


class ShopMemberConflictError(ConflictError):
    default_code: ClassVar[str] = ShopErrorCode.MEMBER_CONFLICT


class ShopInvitationInvalidError(ApplicationError):
    default_code: ClassVar[str] = ShopErrorCode.INVITATION_INVALID
