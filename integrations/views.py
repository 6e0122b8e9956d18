"""Dashboard pages of a shop's integrations: API keys and webhook endpoints with their delivery
log. Owners and managers only (the shop's settings roles)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from accounts.models import User
from integrations import services
from integrations.exceptions import IntegrationNotFoundError
from integrations.forms import ApiKeyForm, WebhookEndpointForm
from integrations.models import WebhookEndpoint
from integrations.selectors import (
    api_key_get_for_shop,
    api_keys_list_for_shop,
    deliveries_list_for_endpoint,
    delivery_get_for_endpoint,
    endpoint_get_for_shop,
    endpoints_list_for_shop,
)
from marketmate.errors import ApplicationError
from marketmate.forms import form_errors_apply
from shops.permissions import ShopMemberRequiredMixin
from shops.roles import ROLES_SETTINGS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class IntegrationsMixin(ShopMemberRequiredMixin):
    shop_roles = ROLES_SETTINGS

    def endpoint_get(self, pk: int) -> WebhookEndpoint:
        try:
            return endpoint_get_for_shop(shop=self.shop, endpoint_id=pk)
        except IntegrationNotFoundError as exc:
            raise Http404(exc.message) from exc


class ShopApiKeyListView(IntegrationsMixin, TemplateView):
    template_name = "integrations/shopapikey_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["keys"] = api_keys_list_for_shop(shop=self.shop)
        context.setdefault("form", ApiKeyForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                key, raw_key = services.api_key_create(
                    shop=self.shop, actor=_user(request), **form.service_kwargs()
                )
            except ApplicationError as exc:
                form_errors_apply(form, exc)
            else:
                # Rendered, not redirected: the key must never pass through the session.
                context = self.get_context_data(form=ApiKeyForm(), new_key=key, raw_key=raw_key)
                return self.render_to_response(context, status=201)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ShopApiKeyDeleteView(IntegrationsMixin, View):
    """POST only: revoke a key at once."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            key = api_key_get_for_shop(shop=self.shop, key_id=pk)
        except IntegrationNotFoundError as exc:
            raise Http404(exc.message) from exc
        services.api_key_revoke(api_key=key, actor=_user(request), reason="revoked by the shop")
        messages.success(request, _("The key %(name)s was revoked.") % {"name": key.name})
        return redirect("dashboard_integrations:key_list")


class WebhookEndpointListView(IntegrationsMixin, TemplateView):
    template_name = "integrations/webhookendpoint_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["endpoints"] = endpoints_list_for_shop(shop=self.shop)
        context.setdefault("form", WebhookEndpointForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.webhook_endpoint_create(
                    shop=self.shop, actor=_user(request), **form.cleaned_data
                )
            except ApplicationError as exc:
                form_errors_apply(form, exc)
            else:
                context = self.get_context_data(form=WebhookEndpointForm(), new_endpoint=endpoint)
                return self.render_to_response(context, status=201)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WebhookEndpointDetailView(IntegrationsMixin, TemplateView):
    """An endpoint and its delivery log, newest first."""

    template_name = "integrations/webhookendpoint_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        endpoint = self.endpoint_get(int(self.kwargs["pk"]))
        paginator = Paginator(deliveries_list_for_endpoint(endpoint=endpoint), 20)
        context["endpoint"] = endpoint
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context


class WebhookEndpointActionView(IntegrationsMixin, View):
    """POST only: switch an endpoint on or off, send a test event, or delete it."""

    action = "toggle"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.endpoint_get(pk)
        actor = _user(request)
        if self.action == "delete":
            services.webhook_endpoint_delete(endpoint=endpoint, actor=actor)
            messages.success(request, _("The endpoint was deleted."))
            return redirect("dashboard_integrations:endpoint_list")
        if self.action == "test":
            services.webhook_test_send(endpoint=endpoint, actor=actor)
            messages.success(request, _("A test event is on its way."))
        else:
            try:
                services.webhook_endpoint_update(
                    endpoint=endpoint, actor=actor, data={"is_active": not endpoint.is_active}
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The endpoint was switched off.")
                    if endpoint.is_active
                    else _("The endpoint was switched on."),
                )
        return redirect("dashboard_integrations:endpoint_detail", pk=endpoint.pk)


class WebhookDeliveryRedeliverView(IntegrationsMixin, View):
    def post(self, request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
        endpoint = self.endpoint_get(pk)
        try:
            delivery = delivery_get_for_endpoint(endpoint=endpoint, delivery_id=delivery_pk)
        except IntegrationNotFoundError as exc:
            raise Http404(exc.message) from exc
        services.webhook_redeliver(delivery=delivery, actor=_user(request))
        messages.success(request, _("The delivery is being sent again."))
        return redirect("dashboard_integrations:endpoint_detail", pk=endpoint.pk)
