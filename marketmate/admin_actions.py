"""Admin helpers of every app: actions that ask staff for a reason first, then apply an audited
service to each row (shops, catalog, orders, moderation), and a read-only model admin for
records only services write (stock movements, carts, job effects)."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from marketmate.errors import ApplicationError

Transition = Callable[..., Any]


def reason_action(
    *,
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    action: str,
    title: str,
    submit_label: str,
    transition: Transition,
    reason_required: bool,
) -> HttpResponse | None:
    """The one admin action that asks for a reason: it shows the selected rows and a reason
    field (`templates/admin/action_reason.html`), then calls `transition(row, actor, reason)`
    for each row; a row whose service refuses is named in an error message, the others change.
    """
    reason = request.POST.get("reason", "").strip()
    if "apply" in request.POST and (reason or not reason_required):
        user = request.user
        assert isinstance(user, AbstractBaseUser)
        done = 0
        for item in queryset:
            try:
                transition(item, user, reason)
            except ApplicationError as exc:
                modeladmin.message_user(request, f"{item}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request, _("%(count)d changed.") % {"count": done}, messages.SUCCESS
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
        "reason": reason,
        "reason_required": reason_required,
        "error": _("Give a reason.") if "apply" in request.POST else "",
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/action_reason.html", context)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A record staff read but never write here: it is written by its app's services only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def service_action(
    *,
    name: str,
    description: Any,
    title: Any,
    submit_label: Any,
    service: Callable[..., Any],
    reason_required: bool,
    target: str,
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Any]], HttpResponse | None]:
    """An admin action (assign it to the ModelAdmin attribute `name`) that asks for a reason,
    then calls `service(<target>=row, actor=..., reason=...)` for each selected row."""

    @admin.action(description=description)
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return reason_action(
            modeladmin=modeladmin,
            request=request,
            queryset=queryset,
            action=name,
            title=str(title),
            submit_label=str(submit_label),
            transition=lambda row, actor, reason: service(
                **{target: row}, actor=actor, reason=reason
            ),
            reason_required=reason_required,
        )

    action.__name__ = name
    return action
