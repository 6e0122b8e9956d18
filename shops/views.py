"""The vendor dashboard's shop pages: opening a shop, switching, settings, members (the
overview, which shows the catalog's figures, is `catalog.views.DashboardOverviewView`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.models import User
from marketmate.errors import ApplicationError
from marketmate.forms import form_errors_apply
from shops import services
from shops.forms import MemberInviteForm, MemberRoleForm, ShopApplyForm, ShopSettingsForm
from shops.models import Shop, ShopMember
from shops.permissions import (
    SESSION_SHOP_KEY,
    ShopMemberRequiredMixin,
    current_shop_set,
)
from shops.roles import ASSIGNABLE_ROLE_CHOICES, ROLES_MEMBERS, ROLES_SETTINGS
from shops.selectors import invitation_get_open, shop_invitations_open, shop_members_list


class ShopCreateView(LoginRequiredMixin, FormView):
    template_name = "shops/shop_create.html"
    form_class = ShopApplyForm

    def form_valid(self, form: ShopApplyForm) -> HttpResponse:
        user = self.request.user
        assert isinstance(user, User)
        try:
            shop = services.shop_apply(user=user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_apply(form, exc)
            return self.form_invalid(form)
        self.request.session[SESSION_SHOP_KEY] = shop.pk
        if shop.status == Shop.Status.PENDING:
            messages.info(
                self.request,
                _("Your shop is waiting for approval. You can add products in the meantime."),
            )
        else:
            messages.success(self.request, _("Your shop is open. Add your first product."))
        return redirect("dashboard:overview")


class ShopSwitchView(LoginRequiredMixin, View):
    """Make another of the user's shops the dashboard's current one."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            shop_id = int(request.POST.get("shop", ""))
        except ValueError as exc:
            raise Http404 from exc
        shop = current_shop_set(request, shop_id=shop_id)
        messages.success(request, _("Now working on %(shop)s.") % {"shop": shop.name})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("dashboard:overview")
        return HttpResponseRedirect(target)


class ShopUpdateView(ShopMemberRequiredMixin, TemplateView):
    template_name = "shops/shop_update.html"
    shop_roles = ROLES_SETTINGS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ShopSettingsForm(instance=Shop.objects.get(pk=self.shop.pk)))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        # The form works on its own copy, so the service sees the shop as it was.
        form = ShopSettingsForm(
            request.POST, request.FILES, instance=Shop.objects.get(pk=self.shop.pk)
        )
        if form.is_valid():
            user = request.user
            assert isinstance(user, User)
            try:
                services.shop_update(
                    shop=self.shop,
                    actor=user,
                    data={field: form.cleaned_data[field] for field in form.changed_data},
                )
            except ApplicationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, _("Shop settings saved."))
                return redirect("dashboard:shop_update")
        return self.render_to_response(self.get_context_data(form=form))


class ShopMemberListView(ShopMemberRequiredMixin, TemplateView):
    template_name = "shops/shopmember_list.html"
    shop_roles = ROLES_MEMBERS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = shop_members_list(shop=self.shop)
        context["invitations"] = shop_invitations_open(shop=self.shop)
        context.setdefault("form", MemberInviteForm())
        context["role_choices"] = ASSIGNABLE_ROLE_CHOICES
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MemberInviteForm(request.POST)
        if form.is_valid():
            user = request.user
            assert isinstance(user, User)
            try:
                result = services.member_invite(shop=self.shop, actor=user, **form.cleaned_data)
            except ApplicationError as exc:
                form_errors_apply(form, exc)
            else:
                if isinstance(result, ShopMember):
                    messages.success(
                        request, _("%(email)s joined the shop.") % {"email": result.user.email}
                    )
                else:
                    messages.success(
                        request,
                        _("We sent an invitation to %(email)s.") % {"email": result.email},
                    )
                return redirect("dashboard:member_list")
        return self.render_to_response(self.get_context_data(form=form))


class ShopMemberActionView(ShopMemberRequiredMixin, View):
    """POST-only changes to one member: a new role, or removal."""

    shop_roles = ROLES_MEMBERS
    action = "update"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = shop_members_list(shop=self.shop).filter(pk=pk).first()
        if member is None:
            raise Http404
        user = request.user
        assert isinstance(user, User)
        try:
            if self.action == "delete":
                services.member_remove(member=member, actor=user)
                messages.success(
                    request, _("%(email)s was removed.") % {"email": member.user.email}
                )
            else:
                form = MemberRoleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choose a role."))
                    return redirect("dashboard:member_list")
                services.member_role_set(member=member, actor=user, role=form.cleaned_data["role"])
                messages.success(request, _("Role changed."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("dashboard:member_list")


class InvitationAcceptView(LoginRequiredMixin, View):
    template_name = "shops/shopinvitation_accept.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_get_open(token=token)
        if invitation is None:
            raise Http404
        return render(request, self.template_name, {"invitation": invitation})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_get_open(token=token)
        if invitation is None:
            raise Http404
        user = request.user
        assert isinstance(user, User)
        try:
            with transaction.atomic():
                member = services.invitation_accept(invitation=invitation, user=user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return render(
                request, self.template_name, {"invitation": invitation, "error": exc.message}
            )
        request.session[SESSION_SHOP_KEY] = member.shop_id
        messages.success(request, _("Welcome to %(shop)s.") % {"shop": member.shop.name})
        return redirect("dashboard:overview")
