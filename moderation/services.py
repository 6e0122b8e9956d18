"""Writes of the moderation app: users report, staff resolve, dismiss, or act on a report
through the owning app's own audited service (unpublish, suspend, hide, close)."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.services.products import product_unpublish
from catalog.services.reviews import review_hide
from chat.services import conversation_close
from marketmate.audit import audit_record
from moderation.exceptions import AlreadyReportedError, ReportHandledError, ReportInvalidError
from moderation.models import Report
from moderation.selectors import report_target_get_for_reporter, report_target_type
from shops.services import shop_suspend


def report_create(
    *, reporter: User, kind: str, target_id: int, reason: str, details: str = ""
) -> Report:
    """`reporter` reports the product, shop, review or message `target_id` (of `kind`).

    The target must be one the reporter may see (404 otherwise, like a missing one); one open
    report per reporter and target (409 for another). Audited.
    """
    details = details.strip()
    fields: dict[str, list[str]] = {}
    if reason not in Report.Reason.values:
        fields["reason"] = [_("Choose a reason.")]
    if len(details) > Report.DETAILS_MAX_LENGTH:
        fields["details"] = [
            _("Keep it under %(count)d characters.") % {"count": Report.DETAILS_MAX_LENGTH}
        ]
    if fields:
        raise ReportInvalidError(_("Check the report."), fields=fields)
    target = report_target_get_for_reporter(user=reporter, kind=kind, target_id=target_id)
    content_type = report_target_type(kind=kind)
    duplicate = AlreadyReportedError(_("You have already reported this; staff are looking at it."))
    open_reports = Report.objects.filter(
        reporter=reporter, target_type=content_type, target_id=target.pk, status=Report.Status.OPEN
    )
    if open_reports.exists():
        raise duplicate
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                target_type=content_type,
                target_id=target.pk,
                reason=reason,
                details=details,
            )
            audit_record(
                actor=reporter,
                action="moderation.report_create",
                entity=report,
                changes={"status": (None, Report.Status.OPEN)},
                reason=details,
            )
    except IntegrityError:  # the same report sent twice at once
        raise duplicate from None
    return report


def _handle(*, report: Report, actor: User | None, status: str, action: str, note: str) -> Report:
    note = note.strip()
    if not note:
        raise ReportInvalidError(
            _("Give a reason."), fields={"reason": [_("This field is required.")]}
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Report.Status.OPEN:
            raise ReportHandledError(
                _("This report is already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.status = status
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.resolution_note = note
        locked.save(update_fields=["status", "handled_by", "handled_at", "resolution_note"])
        audit_record(
            actor=actor,
            action=action,
            entity=locked,
            changes={"status": (Report.Status.OPEN, status)},
            reason=note,
        )
    return locked


def report_resolve(*, report: Report, actor: User | None, note: str) -> Report:
    """Staff close an open report as dealt with (audited with the note)."""
    return _handle(
        report=report,
        actor=actor,
        status=Report.Status.RESOLVED,
        action="moderation.report_resolve",
        note=note,
    )


def report_dismiss(*, report: Report, actor: User | None, note: str) -> Report:
    """Staff close an open report as unfounded (audited with the note)."""
    return _handle(
        report=report,
        actor=actor,
        status=Report.Status.DISMISSED,
        action="moderation.report_dismiss",
        note=note,
    )


def _act_on_product(target: models.Model, actor: User, reason: str) -> None:
    product_unpublish(product=target, actor=actor, reason=reason)  # type: ignore[arg-type]


def _act_on_shop(target: models.Model, actor: User, reason: str) -> None:
    shop_suspend(shop=target, actor=actor, reason=reason)  # type: ignore[arg-type]


def _act_on_review(target: models.Model, actor: User, reason: str) -> None:
    review_hide(review=target, actor=actor, reason=reason)  # type: ignore[arg-type]


def _act_on_message(target: models.Model, actor: User, reason: str) -> None:
    conversation_close(conversation=target.conversation, actor=actor, reason=reason)  # type: ignore[attr-defined]


ACTIONS: dict[str, Callable[[models.Model, User, str], None]] = {
    "product": _act_on_product,
    "shop": _act_on_shop,
    "review": _act_on_review,
    "message": _act_on_message,
}


def report_act(*, report: Report, actor: User, reason: str) -> list[Report]:
    """Deal with what `report` is about through its own app: unpublish the product, suspend
    the shop, hide the review, or close the message's conversation (each audited there), then
    resolve every open report of it. Returns the reports resolved."""
    reason = reason.strip()
    if not reason:
        raise ReportInvalidError(
            _("Give a reason."), fields={"reason": [_("This field is required.")]}
        )
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise ReportHandledError(
                _("This report is already %(status)s.")
                % {"status": report.get_status_display().lower()}
            )
        model = ContentType.objects.get_for_id(report.target_type_id).model_class()
        assert model is not None
        target = model._default_manager.filter(pk=report.target_id).first()
        if target is None:
            raise ReportHandledError(_("What was reported no longer exists; dismiss the report."))
        ACTIONS[report.target_kind](target, actor, reason)
        same_target = Report.objects.filter(
            target_type=report.target_type_id, target_id=report.target_id, status=Report.Status.OPEN
        ).order_by("pk")
        return [
            report_resolve(report=item, actor=actor, note=reason)
            for item in same_target.select_for_update()
        ]
