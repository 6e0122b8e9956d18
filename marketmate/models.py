"""Cross-cutting records that every app writes through `marketmate.audit` and `marketmate.jobs`."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """An actor's action on an entity, with the fields it changed. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    entity_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("entity type")
    )
    entity_id = models.CharField(_("entity id"), max_length=64)
    entity_repr = models.CharField(_("entity"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    # Set when the actor acted through a credential of their shop (an API key), not in person.
    credential = models.CharField(_("acting through"), max_length=120, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "-created"])]

    def __str__(self) -> str:
        return f"{self.action} {self.entity_repr or self.entity_id}"


class JobRecord(models.Model):
    """One background job: what it is, with which arguments, and how its attempts went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Succeeded")
        DEAD = "dead", _("Dead")

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    name = models.CharField(_("type"), max_length=200, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} [{self.status}]"


class JobEffect(models.Model):
    """A side effect a job has already had, by key, so a re-run does not have it twice."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("job effect")
        verbose_name_plural = _("job effects")

    def __str__(self) -> str:
        return self.key


class BlockedNetwork(models.Model):
    """An address or network whose requests are refused with 403 before any other work."""

    network = models.CharField(
        _("address or network"),
        max_length=64,
        unique=True,
        help_text=_("An IP address (203.0.113.7) or a network (203.0.113.0/24, 2001:db8::/32)."),
    )
    reason = models.CharField(_("reason"), max_length=255)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: blocked until removed.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked address")
        verbose_name_plural = _("blocked addresses")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.network


class ExchangeRate(models.Model):
    """How many units of `quote` one unit of `base` buys, as last fetched. Used only to show
    shoppers approximate prices in their display currency; nothing is charged at these rates.
    Written by `marketmate.currency` (the refresh job and `manage.py load_exchange_rates`)."""

    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=12)
    fetched_at = models.DateTimeField(_("fetched at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["base", "quote"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote"], name="marketmate_exchange_rate_pair"),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0), name="marketmate_exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote}"
