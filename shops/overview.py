"""The figures on the dashboard's overview page, contributed by the apps that own them.

`shops` sits below orders, payments and chat, so it cannot ask them for their figures; each of
them registers a provider here when it starts (its `AppConfig.ready`), as the admin registry
does. A provider gets the viewer's membership of the current shop and answers the figures that
role may see, each with the address of the list behind it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from marketmate.registry import Registry
from shops.models import ShopMember


@dataclass(frozen=True)
class OverviewFigure:
    """One figure of the overview: `value` is already formatted; `url` lists what it counts."""

    key: str
    label: str | Promise
    value: str
    url: str
    position: int
    needs_attention: bool = False


OverviewProvider = Callable[[ShopMember], list[OverviewFigure]]

_providers: Registry[OverviewProvider] = Registry()
# Add a provider of figures to the overview (from an AppConfig.ready()).
overview_provider_register = _providers.register


def overview_figures(*, membership: ShopMember) -> list[OverviewFigure]:
    """Every registered figure for `membership`'s shop and role, in their order."""
    figures = [figure for provider in _providers for figure in provider(membership)]
    return sorted(figures, key=lambda figure: (figure.position, figure.key))
