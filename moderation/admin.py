"""The staff's moderation queue: user reports, filtered by status and what they are about,
resolved, dismissed or acted on (unpublish, suspend, hide, close), each audited with a reason."""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from marketmate.admin_actions import reason_action
from marketmate.errors import ApplicationError
from moderation import services
from moderation.models import TARGET_MODELS, Report


class TargetTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("reported")
    parameter_name = "target"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (kind, str(apps.get_model(*model)._meta.verbose_name))
            for kind, model in TARGET_MODELS.items()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in TARGET_MODELS:
            app_label, model = TARGET_MODELS[str(self.value())]
            return queryset.filter(target_type__app_label=app_label, target_type__model=model)
        return queryset


def _target_querysets() -> list[QuerySet[Any]]:
    """How each kind of target is loaded for the queue: one query per kind, whatever the rows."""
    related = {"review": ["product"], "message": ["conversation"]}
    return [
        apps.get_model(*model)._default_manager.select_related(*related.get(kind, []))
        for kind, model in TARGET_MODELS.items()
    ]


def _target_summary(report: Report) -> str:
    target = report.target
    if target is None:
        return _("(deleted)")
    kind = report.target_kind
    if kind == "product":
        return str(target.title)
    if kind == "shop":
        return str(target.name)
    if kind == "review":
        return _("%(rating)d/5 on %(product)s") % {
            "rating": target.rating,
            "product": target.product.title,
        }
    return Truncator(target.body).chars(60)


def _target_admin_url(report: Report) -> str | None:
    target = report.target
    if target is None:
        return None
    if report.target_kind == "message":
        name, pk = "admin:chat_conversation_change", target.conversation_id
    else:
        meta = target._meta
        name, pk = f"admin:{meta.app_label}_{meta.model_name}_change", target.pk
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created",
        "kind",
        "target_link",
        "reason",
        "reporter",
        "status",
        "handled_by",
    ]
    list_filter = ["status", TargetTypeFilter, "reason", "created"]
    list_select_related = ["reporter", "target_type", "handled_by"]
    search_fields = ["details", "resolution_note", "reporter__email"]
    date_hierarchy = "created"
    ordering = ["-created", "-id"]
    actions = ["resolve", "dismiss", "act"]
    # The page of one report has no Save (every field is read-only) but the decisions of the
    # queue's actions, each with its note: templates/admin/moderation/report/change_form.html.
    change_form_template = "admin/moderation/report/change_form.html"
    fields = readonly_fields = (
        "reporter",
        "kind",
        "target_link",
        "reason",
        "details",
        "status",
        "handled_by",
        "handled_at",
        "resolution_note",
        "created",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(GenericPrefetch("target", _target_querysets()))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="moderation_report_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        report = self.get_object(request, object_id)
        can_decide = (
            report is not None
            and report.status == Report.Status.OPEN
            and super().has_change_permission(request, report)
        )
        extra = {
            **(extra_context or {}),
            "can_decide": can_decide,
            # Read-only fields need no Save: the decisions below are the page's actions.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_close": not can_decide,
            "decisions": [
                ("resolve", _("Resolve")),
                ("dismiss", _("Dismiss")),
                ("act", _("Act on what is reported")),
            ],
        }
        return super().change_view(request, object_id, form_url, extra)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Resolve, dismiss or act on one open report from its page, with a note."""
        report = self.get_object(request, str(pk))
        if report is None:
            raise Http404(_("Report not found."))
        if request.method != "POST" or not super().has_change_permission(request, report):
            raise PermissionDenied
        actor = request.user
        assert isinstance(actor, User)
        decision = request.POST.get("decision", "")
        note = request.POST.get("note", "").strip()
        page = reverse("admin:moderation_report_change", args=[report.pk])
        if decision not in ("resolve", "dismiss", "act"):
            self.message_user(request, _("Choose what to do with the report."), messages.ERROR)
            return HttpResponseRedirect(page)
        if not note:
            self.message_user(request, _("Give a reason."), messages.ERROR)
            return HttpResponseRedirect(page)
        try:
            if decision == "resolve":
                services.report_resolve(report=report, actor=actor, note=note)
            elif decision == "dismiss":
                services.report_dismiss(report=report, actor=actor, note=note)
            else:
                services.report_act(report=report, actor=actor, reason=note)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, _("The report is closed."), messages.SUCCESS)
        return HttpResponseRedirect(page)

    @admin.display(description=gettext_lazy("type"), ordering="target_type")
    def kind(self, report: Report) -> str:
        return report.target_kind

    @admin.display(description=gettext_lazy("reported"))
    def target_link(self, report: Report) -> str:
        summary = _target_summary(report)
        url = _target_admin_url(report)
        return format_html('<a href="{}">{}</a>', url, summary) if url else summary

    def _handle(
        self,
        request: HttpRequest,
        queryset: QuerySet[Report],
        *,
        action: str,
        title: str,
        transition: Callable[..., Any],
    ) -> HttpResponse | None:
        return reason_action(
            modeladmin=self,
            request=request,
            queryset=queryset.filter(status=Report.Status.OPEN),
            action=action,
            title=title,
            submit_label=title,
            transition=transition,
            reason_required=True,
        )

    @admin.action(description=gettext_lazy("Resolve the selected reports"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse | None:
        return self._handle(
            request,
            queryset,
            action="resolve",
            title=_("Resolve reports"),
            transition=lambda report, actor, reason: services.report_resolve(
                report=report, actor=actor, note=reason
            ),
        )

    @admin.action(description=gettext_lazy("Dismiss the selected reports"))
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse | None:
        return self._handle(
            request,
            queryset,
            action="dismiss",
            title=_("Dismiss reports"),
            transition=lambda report, actor, reason: services.report_dismiss(
                report=report, actor=actor, note=reason
            ),
        )

    @admin.action(
        description=gettext_lazy(
            "Act on what is reported: unpublish the product, suspend the shop, hide the review, "
            "close the conversation"
        )
    )
    def act(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse | None:
        return self._handle(
            request,
            queryset,
            action="act",
            title=_("Act on reports"),
            transition=lambda report, actor, reason: services.report_act(
                report=report, actor=actor, reason=reason
            ),
        )
