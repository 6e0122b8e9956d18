import ipaddress
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketmate.admin_actions import ReadOnlyModelAdmin
from marketmate.jobs import job_retry
from marketmate.models import AuditLog, BlockedNetwork, ExchangeRate, JobEffect, JobRecord
from marketmate.security import blocked_network_add, blocked_network_remove


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyModelAdmin):
    list_display = [
        "created",
        "actor",
        "credential",
        "action",
        "entity_type",
        "entity_repr",
        "reason",
    ]
    list_filter = ["action", "entity_type"]
    list_select_related = ["actor", "entity_type"]
    search_fields = [
        "action",
        "entity_id",
        "entity_repr",
        "actor__email",
        "request_id",
        "credential",
    ]
    date_hierarchy = "created"


@admin.register(JobRecord)
class JobRecordAdmin(ReadOnlyModelAdmin):
    list_display = ["created", "name", "status", "attempts", "short_error", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["task_id", "name", "last_error"]
    date_hierarchy = "created"
    actions = ["retry_jobs"]

    @admin.display(description=_("last error"))
    def short_error(self, job: JobRecord) -> str:
        return job.last_error.splitlines()[-1][:120] if job.last_error else ""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The retry action needs change permission; the form itself stays read-only.
        return bool(request.user.is_active and request.user.is_staff) and obj is None

    @admin.action(description=_("Retry the selected dead jobs"))
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[JobRecord]) -> None:
        dead = list(queryset.filter(status=JobRecord.Status.DEAD))
        for job in dead:
            job_retry(job=job)
        skipped = queryset.count() - len(dead)
        self.message_user(
            request,
            ngettext("%(count)d job queued again.", "%(count)d jobs queued again.", len(dead))
            % {"count": len(dead)},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d job was not dead and was left alone.",
                    "%(count)d jobs were not dead and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


class BlockedNetworkForm(forms.ModelForm):
    class Meta:
        model = BlockedNetwork
        fields = ["network", "reason", "expires_at"]

    def clean_network(self) -> str:
        value = self.cleaned_data["network"].strip()
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError as error:
            raise forms.ValidationError(_("Enter an IP address or a network.")) from error


@admin.register(BlockedNetwork)
class BlockedNetworkAdmin(admin.ModelAdmin):
    form = BlockedNetworkForm
    list_display = ["network", "reason", "expires_at", "created_by", "created"]
    list_select_related = ["created_by"]
    search_fields = ["network", "reason"]
    readonly_fields = ["created_by", "created"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A changed network would be a different block: remove this one and add another.
        return [*self.readonly_fields, "network"] if obj else list(self.readonly_fields)

    def save_model(
        self, request: HttpRequest, obj: BlockedNetwork, form: Any, change: bool
    ) -> None:
        saved = blocked_network_add(
            network=obj.network,
            reason=obj.reason,
            expires_at=obj.expires_at,
            actor=request.user if isinstance(request.user, AbstractBaseUser) else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: BlockedNetwork) -> None:
        blocked_network_remove(
            blocked=obj, actor=request.user if isinstance(request.user, AbstractBaseUser) else None
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BlockedNetwork]) -> None:
        for blocked in queryset:
            self.delete_model(request, blocked)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyModelAdmin):
    """The display-currency rates, as the refresh job or `load_exchange_rates` stored them."""

    list_display = ["base", "quote", "rate", "fetched_at"]
    list_filter = ["base"]
    search_fields = ["base", "quote"]


@admin.register(JobEffect)
class JobEffectAdmin(ReadOnlyModelAdmin):
    """Side effects jobs have done once (e-mails sent, invoices stored): a retry skips these."""

    list_display = ["key", "created"]
    search_fields = ["key"]
    date_hierarchy = "created"
