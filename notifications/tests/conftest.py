"""The people and things of the chat tests (a buyer, a shop with an owner and a staff member,
a stranger, their conversation and an order) serve the notification tests too."""

from chat.tests.conftest import (  # noqa: F401
    buyer,
    conversation,
    order,
    owner,
    shop,
    staff_member,
    stranger,
)
