"""The report page: a signed-in shopper tells staff what is wrong with a product, shop,
review or message, then goes back to where they were."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from marketmate.errors import ApplicationError, NotFoundError
from moderation.forms import ReportForm
from moderation.selectors import report_target_get_for_reporter
from moderation.services import report_create


def _target_url(kind: str, target: models.Model) -> str:
    """Where the reported thing is shown to the reporter."""
    if kind == "product":
        return reverse("storefront:product", args=[target.pk, target.slug])  # type: ignore[attr-defined]
    if kind == "shop":
        return reverse("storefront:shop", args=[target.slug])  # type: ignore[attr-defined]
    if kind == "review":
        product = target.product  # type: ignore[attr-defined]
        return reverse("storefront:product", args=[product.pk, product.slug])
    return reverse("chat:detail", args=[target.conversation_id])  # type: ignore[attr-defined]


def _target_label(kind: str, target: models.Model) -> str:
    """What the reporter sees they are reporting (never another user's e-mail address)."""
    if kind == "product":
        return str(target.title)  # type: ignore[attr-defined]
    if kind == "shop":
        return str(target.name)  # type: ignore[attr-defined]
    if kind == "review":
        return _("A review of %(product)s") % {"product": target.product.title}  # type: ignore[attr-defined]
    return _("A message: %(excerpt)s") % {"excerpt": Truncator(target.body).chars(80)}  # type: ignore[attr-defined]


class ReportCreateView(LoginRequiredMixin, View):
    template_name = "moderation/report_form.html"

    def _target(self, request: HttpRequest, kind: str, pk: int) -> models.Model:
        try:
            return report_target_get_for_reporter(user=request.user, kind=kind, target_id=pk)
        except NotFoundError:
            raise Http404 from None

    def _render(
        self, request: HttpRequest, kind: str, target: models.Model, form: ReportForm, status: int
    ) -> HttpResponse:
        context = {
            "form": form,
            "kind": kind,
            "target_label": _target_label(kind, target),
            "back": _target_url(kind, target),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        target = self._target(request, kind, pk)
        return self._render(request, kind, target, ReportForm(), 200)

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        target = self._target(request, kind, pk)
        form = ReportForm(request.POST)
        if not form.is_valid():
            return self._render(request, kind, target, form, 400)
        try:
            report_create(
                reporter=cast(User, request.user),
                kind=kind,
                target_id=target.pk,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self._render(request, kind, target, form, exc.status_code)
        messages.success(request, _("Thank you. Our team will look at your report."))
        return redirect(_target_url(kind, target))
