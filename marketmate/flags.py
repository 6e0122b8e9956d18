"""MarketMate's feature flags and switches (django-waffle), by name, with their defaults.

Switches are on or off for everyone and need no request, so the WebSocket consumer, services and
background jobs can check them: `chat`, `web_push`, `shop_approval_required`. Flags are decided
per visitor (everyone, staff, a group, a percentage of visitors remembered in a cookie), so they
need the request: `display_currency`, `new_checkout`, `reviews`. A data migration creates each
one with its default; staff change them in the admin (Waffle) or with `manage.py waffle_switch`
/ `waffle_flag`. docs/configuration.md lists them.

A switch or flag that is missing from the database (deleted in the admin, or a test database
that was flushed) keeps its default here rather than waffle's global "off", so deleting a row
never turns chat or reviews off by surprise.
"""

from enum import StrEnum
from typing import Any

import waffle
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from marketmate.errors import NotFoundError


class Switch(StrEnum):
    CHAT = "chat"
    WEB_PUSH = "web_push"
    SHOP_APPROVAL_REQUIRED = "shop_approval_required"


class Flag(StrEnum):
    DISPLAY_CURRENCY = "display_currency"
    NEW_CHECKOUT = "new_checkout"
    REVIEWS = "reviews"


# What MarketMate did before each switch existed; the data migration creates them so.
SWITCH_DEFAULTS: dict[Switch, bool] = {
    Switch.CHAT: True,
    Switch.WEB_PUSH: True,
    Switch.SHOP_APPROVAL_REQUIRED: False,
}


def switch_is_on(name: Switch) -> bool:
    """Whether switch `name` is on (its default while the switch is missing)."""
    switch = waffle.get_waffle_switch_model().get(str(name))
    if switch.pk is None:
        return SWITCH_DEFAULTS[name]
    return bool(switch.active)


# What a missing flag means (its data migration creates each one so).
FLAG_DEFAULTS: dict[Flag, bool] = {
    Flag.DISPLAY_CURRENCY: True,
    Flag.NEW_CHECKOUT: False,
    Flag.REVIEWS: True,
}


# Where flag_is_on keeps its answers for the rest of the request (the footer's currency picker
# and the pages' `features` ask for the same flag).
FLAGS_REQUEST_ATTRIBUTE = "_marketmate_flags"


def flag_is_on(request: HttpRequest, name: Flag) -> bool:
    """Whether flag `name` is on for the visitor of `request` (its default while missing),
    looked up once per request."""
    known: dict[str, bool] | None = getattr(request, FLAGS_REQUEST_ATTRIBUTE, None)
    if known is None:
        known = {}
        setattr(request, FLAGS_REQUEST_ATTRIBUTE, known)
    if name not in known:
        flag = waffle.get_waffle_flag_model().get(str(name))
        known[name] = FLAG_DEFAULTS[name] if flag.pk is None else bool(flag.is_active(request))
    return known[name]


class Features:
    """`{{ features.chat }}` in templates: each switch or flag, looked up once per request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.known: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self.known:
            if name in Switch.__members__.values():
                self.known[name] = switch_is_on(Switch(name))
            elif name in Flag.__members__.values():
                self.known[name] = flag_is_on(self.request, Flag(name))
            else:
                raise KeyError(name)
        return self.known[name]


def features(request: HttpRequest) -> dict[str, Features]:
    """Template context processor: `features`, lazily, so a page pays only for what it asks."""
    return {"features": Features(request)}


class SwitchRequiredMixin:
    """An HTML view that does not exist (404) while `feature_switch` is off."""

    feature_switch: Switch

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not switch_is_on(self.feature_switch):
            raise Http404(_("This page is not available."))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SwitchRequiredAPIMixin:
    """An API view that answers 404 `not_found` while `feature_switch` is off."""

    feature_switch: Switch

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if not switch_is_on(self.feature_switch):
            raise NotFoundError(_("This endpoint is not available."))
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
