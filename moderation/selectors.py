"""Reads of the moderation app: what a user may report, and the staff's queue."""

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.selectors import product_get_visible, review_list_visible
from chat.selectors import conversation_get_for_user
from marketmate.errors import NotFoundError
from moderation.exceptions import ReportTargetNotFoundError
from moderation.models import TARGET_MODELS
from shops.selectors import shop_get_public

MAX_ID = 2**63 - 1  # the largest primary key PostgreSQL stores; larger ones match nothing


def report_target_type(*, kind: str) -> ContentType:
    """The content type of a reportable kind ("product", "shop", "review", "message")."""
    if kind not in TARGET_MODELS:
        raise ReportTargetNotFoundError(_("Nothing to report there."))
    app_label, model_name = TARGET_MODELS[kind]
    return ContentType.objects.get_for_model(apps.get_model(app_label, model_name))


def _target_visible(*, kind: str, target: models.Model, user: User | AnonymousUser) -> None:
    """Raise a NotFoundError unless `user` may see `target` where shoppers see it."""
    if kind == "product":
        product_get_visible(product_id=target.pk, user=user)
    elif kind == "shop":
        shop_get_public(shop_id=target.pk, user=user)
    elif kind == "review":
        product_id = target.product_id  # type: ignore[attr-defined]
        product_get_visible(product_id=product_id, user=user)
        if not review_list_visible(product_id=product_id).filter(pk=target.pk).exists():
            raise ReportTargetNotFoundError(_("Nothing to report there."))
    elif kind == "message":
        conversation_get_for_user(user=user, conversation_id=target.conversation_id)  # type: ignore[attr-defined]


def report_target_get_for_reporter(
    *, user: User | AnonymousUser, kind: str, target_id: int
) -> models.Model:
    """The product, shop, review or message `target_id` if `user` may see it: a draft product
    of another shop, a suspended shop, a hidden review or someone else's conversation is a 404,
    exactly like a missing one."""
    content_type = report_target_type(kind=kind)
    if not 0 < target_id <= MAX_ID:
        raise ReportTargetNotFoundError(_("Nothing to report there."))
    model = content_type.model_class()
    assert model is not None
    target = model._default_manager.filter(pk=target_id).first()
    if target is None:
        raise ReportTargetNotFoundError(_("Nothing to report there."))
    try:
        _target_visible(kind=kind, target=target, user=user)
    except NotFoundError as exc:
        raise ReportTargetNotFoundError(_("Nothing to report there.")) from exc
    return target
