from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketmate.jobs import job_retry
from marketmate.models import AuditLog, JobRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are written by services only: staff can look, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created", "actor", "action", "entity_type", "entity_repr", "reason"]
    list_filter = ["action", "entity_type"]
    list_select_related = ["actor", "entity_type"]
    search_fields = ["action", "entity_id", "entity_repr", "actor__email", "request_id"]
    date_hierarchy = "created"


@admin.register(JobRecord)
class JobRecordAdmin(ReadOnlyAdmin):
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
