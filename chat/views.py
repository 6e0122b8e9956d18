"""The chat pages: a buyer's conversations and threads, "contact the shop", and the vendor's
inbox in the dashboard (every member of the shop sees it)."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from catalog.selectors import product_queryset_public
from chat import selectors, services
from chat.exceptions import ConversationNotFoundError
from chat.forms import MessageForm, ReportForm
from chat.models import Conversation, Side
from marketmate.errors import ApplicationError
from marketmate.flags import Switch, SwitchRequiredMixin
from marketmate.realtime.rooms import shop_room
from shops.exceptions import ShopNotFoundError
from shops.models import Shop
from shops.permissions import current_membership_get
from shops.selectors import shop_get_public, user_is_shop_member

THREAD_PAGE_SIZE = 30


class ChatEnabledMixin(SwitchRequiredMixin):
    """Every chat page answers 404 while the `chat` switch is off."""

    feature_switch = Switch.CHAT


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here requires one)."""
    return cast(User, request.user)


def _thread_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The newest messages (or those before `?before=<id>`), oldest first, and whether there
    are older ones."""
    queryset = selectors.message_list_for_conversation(conversation=conversation).select_related(
        "conversation__shop"
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(pk__lt=int(before))
    newest = list(queryset.order_by("-created", "-id")[: THREAD_PAGE_SIZE + 1])
    has_older = len(newest) > THREAD_PAGE_SIZE
    thread = list(reversed(newest[:THREAD_PAGE_SIZE]))
    return {
        "conversation": conversation,
        "thread": thread,
        "older_cursor": thread[0].pk if has_older and thread else None,
        "form": MessageForm(),
        "report_form": ReportForm(),
        "viewer_side": conversation.viewer_side,  # type: ignore[attr-defined]
    }


def _conversation_or_404(request: HttpRequest, pk: int) -> Conversation:
    try:
        return selectors.conversation_get_for_user(user=request.user, conversation_id=pk)
    except ConversationNotFoundError as exc:
        raise Http404(exc.message) from exc


def _message_post(request: HttpRequest, conversation: Conversation) -> bool:
    """Send the posted message; on failure, show why and return False."""
    form = MessageForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("body", []):
            messages.error(request, str(error))
        return False
    try:
        services.message_send(
            conversation=conversation, sender=_user(request), body=form.cleaned_data["body"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    return True


class ConversationListView(ChatEnabledMixin, LoginRequiredMixin, TemplateView):
    template_name = "chat/conversation_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["conversations"] = list(
            selectors.conversation_list_for_buyer(user=_user(self.request))[:100]
        )
        return context


class ConversationDetailView(ChatEnabledMixin, LoginRequiredMixin, TemplateView):
    """A buyer's thread with a shop. Shop members are sent to the same thread in the inbox."""

    template_name = "chat/conversation_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conversation = _conversation_or_404(request, kwargs["pk"])
        if conversation.viewer_side == Side.SHOP:  # type: ignore[attr-defined]
            return redirect("dashboard_messages:detail", pk=conversation.pk)
        services.conversation_mark_read(conversation=conversation, reader=_user(request))
        return self.render_to_response(
            {**self.get_context_data(**kwargs), **_thread_context(request, conversation)}
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conversation = _conversation_or_404(request, kwargs["pk"])
        _message_post(request, conversation)
        return redirect(request.path)


def _shop_public_or_404(request: HttpRequest, shop_id: int) -> Shop:
    try:
        return shop_get_public(shop_id=shop_id, user=request.user)
    except ShopNotFoundError as exc:
        raise Http404(exc.message) from exc


class ConversationStartView(ChatEnabledMixin, LoginRequiredMixin, TemplateView):
    """ "Contact the shop": `?product=<id>` or `?order=<id>` say what it is about. An existing
    thread about the same thing opens again; otherwise the first message starts one."""

    template_name = "chat/conversation_start.html"

    def _subject(self, request: HttpRequest) -> dict[str, int | None]:
        def number(name: str) -> int | None:
            value = request.GET.get(name) or request.POST.get(name) or ""
            return int(value) if value.isdigit() else None

        return {"product_id": number("product"), "order_id": number("order")}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        shop = _shop_public_or_404(request, kwargs["shop_id"])
        if user_is_shop_member(user=_user(request), shop_id=shop.pk):
            messages.info(request, _("This is your own shop: its messages are in your dashboard."))
            return redirect("dashboard_messages:list")
        product_id = self._subject(request)["product_id"]
        if (
            product_id is not None
            and not product_queryset_public().filter(pk=product_id, shop=shop).exists()
        ):
            raise Http404(_("Product not found."))
        existing = self._existing(_user(request), shop, self._subject(request))
        if existing is not None:
            return redirect("chat:detail", pk=existing.pk)
        context = self.get_context_data(**kwargs)
        context.update({"shop": shop, "form": MessageForm(), **self._subject(request)})
        return self.render_to_response(context)

    def _existing(
        self, user: User, shop: Shop, subject: dict[str, int | None]
    ) -> Conversation | None:
        return (
            selectors.conversation_list_for_buyer(user=user)
            .filter(shop=shop, **{"product_id": subject["product_id"]})
            .filter(**{"order_id": subject["order_id"]})
            .first()
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MessageForm(request.POST)
        subject = self._subject(request)
        shop = _shop_public_or_404(request, kwargs["shop_id"])
        if form.is_valid():
            try:
                conversation = services.conversation_start(
                    buyer=_user(request), shop_id=shop.pk, **subject
                )
                conversation.viewer_side = Side.BUYER  # type: ignore[attr-defined]
                services.message_send(
                    conversation=conversation, sender=_user(request), body=form.cleaned_data["body"]
                )
            except ApplicationError as exc:
                if exc.status_code == 404:
                    raise Http404(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                return redirect("chat:detail", pk=conversation.pk)
        context = self.get_context_data(**kwargs)
        context.update({"shop": shop, "form": form, **subject})
        return self.render_to_response(context, status=400)


class ConversationReportView(ChatEnabledMixin, LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        conversation = _conversation_or_404(request, pk)
        form = ReportForm(request.POST)
        if form.is_valid():
            services.conversation_report(
                conversation=conversation,
                reporter=_user(request),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Thank you. Our team will look at this conversation."))
        else:
            messages.error(request, _("Tell us what is wrong with this conversation."))
        if conversation.viewer_side == Side.SHOP:  # type: ignore[attr-defined]
            return redirect("dashboard_messages:detail", pk=pk)
        return redirect("chat:detail", pk=pk)


# --- The vendor's inbox ---------------------------------------------------------------------------
class ShopInboxMixin(ChatEnabledMixin, LoginRequiredMixin):
    """The dashboard's current shop (the one the member switched to, else their first)."""

    shop: Shop

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return cast(HttpResponse, self.handle_no_permission())
        current = current_membership_get(request)
        if current is None:
            return redirect("dashboard:overview")
        self.shop = current.shop
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["shop"] = self.shop
        context["realtime_rooms"] = [shop_room(self.shop.pk)]
        return context


class VendorInboxView(ShopInboxMixin, TemplateView):
    template_name = "chat/dashboard_inbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["conversations"] = list(
            selectors.conversation_list_for_shop(user=_user(self.request), shop=self.shop)[:100]
        )
        return context


class VendorConversationDetailView(ShopInboxMixin, TemplateView):
    template_name = "chat/dashboard_conversation.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conversation = self._conversation(request, kwargs["pk"])
        services.conversation_mark_read(conversation=conversation, reader=_user(request))
        return self.render_to_response(
            {**self.get_context_data(**kwargs), **_thread_context(request, conversation)}
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conversation = self._conversation(request, kwargs["pk"])
        _message_post(request, conversation)
        return redirect(reverse("dashboard_messages:detail", kwargs={"pk": conversation.pk}))

    def _conversation(self, request: HttpRequest, pk: int) -> Conversation:
        conversation = _conversation_or_404(request, pk)
        if conversation.viewer_side != Side.SHOP:  # type: ignore[attr-defined]
            raise Http404(_("Conversation not found."))
        if conversation.shop_id != self.shop.pk:
            # A thread of another shop of the member: show it under that shop.
            self.shop = conversation.shop
        return conversation


class VendorConversationStartView(ShopInboxMixin, View):
    """ "Message the customer" on the dashboard's order page: the thread about that order."""

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        try:
            conversation = services.conversation_start_about_order(
                member=_user(request), shop=self.shop, order_number=number
            )
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404(exc.message) from exc
            messages.error(request, exc.message)
            return redirect("dashboard_orders:detail", number=number)
        return redirect("dashboard_messages:detail", pk=conversation.pk)
