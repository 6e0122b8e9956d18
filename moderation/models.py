"""Reports from users about a product, shop, review or message, and how staff handled them."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# What may be reported, by the name clients use: (app label, model name).
TARGET_MODELS: dict[str, tuple[str, str]] = {
    "product": ("catalog", "product"),
    "shop": ("shops", "shop"),
    "review": ("catalog", "review"),
    "message": ("chat", "message"),
}

TARGET_CHOICES = Q()
for _app_label, _model in TARGET_MODELS.values():
    TARGET_CHOICES |= Q(app_label=_app_label, model=_model)


class Report(models.Model):
    """A user's report of something on the marketplace; staff resolve or dismiss it."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        SCAM = "scam", _("Scam or fraud")
        PROHIBITED = "prohibited", _("Counterfeit or prohibited goods")
        OFFENSIVE = "offensive", _("Offensive or abusive")
        MISLEADING = "misleading", _("Misleading or wrong information")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    DETAILS_MAX_LENGTH = 2000

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reporter"),
    )
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=TARGET_CHOICES,
        verbose_name=_("target type"),
    )
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["status", "-created"], name="moderation_status_created"),
            models.Index(fields=["target_type", "target_id"], name="moderation_target"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=Q(status="open"),
                name="moderation_one_open_report_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} ({self.status})"

    @property
    def target_kind(self) -> str:
        """The client-facing name of the target's type ("product", "shop", ...)."""
        content_type = ContentType.objects.get_for_id(self.target_type_id)  # cached
        key = (content_type.app_label, content_type.model)
        return next((kind for kind, model in TARGET_MODELS.items() if model == key), "")
