"""The notification pages: the list, marking read, the preferences, the header bell fragment,
and the service worker for web push."""

from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from accounts.models import User
from marketmate.errors import NotFoundError
from notifications import selectors, services
from notifications.models import Channel, Kind


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here requires one)."""
    return cast(User, request.user)


SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "notifications/notification_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.notification_list_for_user(user=_user(self.request)), 20)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            {
                "page_obj": page,
                "notifications": page.object_list,
                "unread_count": selectors.notification_unread_count(user=_user(self.request)),
            }
        )
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notification read, then follow its link (or go back to the list)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            notification = selectors.notification_get_for_user(
                user=_user(request), notification_id=pk
            )
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        services.notification_mark_read(notification=notification)
        if request.POST.get("follow") and url_has_allowed_host_and_scheme(
            notification.link, allowed_hosts={request.get_host()}
        ):
            return redirect(notification.link)
        return redirect("notifications:list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.notification_mark_all_read(user=_user(request))
        if count:
            messages.success(request, _("All notifications are marked read."))
        return redirect("notifications:list")


class BellView(LoginRequiredMixin, TemplateView):
    """The header bell with its unread badge, as an htmx fragment."""

    template_name = "notifications/includes/bell.html"


class PreferencesView(LoginRequiredMixin, TemplateView):
    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        matrix = selectors.preference_matrix_for_user(user=_user(self.request))
        # Short column heads keep the table narrow on phones; each box is labelled in full.
        short: dict[str, str] = {
            Channel.IN_APP: _("Site"),
            Channel.EMAIL: _("E-mail"),
            Channel.PUSH: _("Push"),
        }
        context["channels"] = [(value, label) for value, label in Channel.choices]
        context["channel_heads"] = [(short[value], label) for value, label in Channel.choices]
        context["rows"] = [
            {
                "kind": kind,
                "label": label,
                "cells": [
                    {
                        "channel": channel,
                        "name": f"{kind}__{channel}",
                        "enabled": matrix[kind][channel],
                    }
                    for channel, _label in Channel.choices
                ],
            }
            for kind, label in Kind.choices
        ]
        context["vapid_public_key"] = settings.VAPID_PUBLIC_KEY
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        # Every checkbox of the table is posted when ticked; a missing one is switched off.
        matrix = {
            kind: {channel: f"{kind}__{channel}" in request.POST for channel in Channel.values}
            for kind in Kind.values
        }
        services.preferences_update(user=_user(request), matrix=matrix)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The web-push service worker, served from the site root so its scope is the whole site."""
    response = HttpResponse(
        SERVICE_WORKER.read_text(), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    return response
