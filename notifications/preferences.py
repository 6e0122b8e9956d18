"""The default of every kind on every channel, used when a user has not chosen."""

from notifications.models import Channel, Kind

ALL_CHANNELS: dict[str, bool] = {Channel.IN_APP: True, Channel.EMAIL: True, Channel.PUSH: True}

DEFAULTS: dict[str, dict[str, bool]] = {
    Kind.ORDER_PLACED: dict(ALL_CHANNELS),
    Kind.ORDER_PAID: dict(ALL_CHANNELS),
    Kind.ORDER_SHIPPED: dict(ALL_CHANNELS),
    Kind.ORDER_CANCELLED: dict(ALL_CHANNELS),
    Kind.ORDER_REFUNDED: dict(ALL_CHANNELS),
    Kind.CHAT_MESSAGE: dict(ALL_CHANNELS),
    Kind.SHOP_APPROVED: dict(ALL_CHANNELS),
    Kind.SHOP_SUSPENDED: dict(ALL_CHANNELS),
    # Reviews are many and small: on the site and by push, not by e-mail, unless asked for.
    Kind.REVIEW_RECEIVED: {Channel.IN_APP: True, Channel.EMAIL: False, Channel.PUSH: True},
    # Wishlist news is welcome but not urgent: on the site and by push; e-mail when asked for.
    Kind.WISHLIST_PRICE_DROP: {Channel.IN_APP: True, Channel.EMAIL: False, Channel.PUSH: True},
    Kind.WISHLIST_BACK_IN_STOCK: {Channel.IN_APP: True, Channel.EMAIL: False, Channel.PUSH: True},
    # A shop's integration stopped: the owner must hear of it, by e-mail too.
    Kind.WEBHOOK_DISABLED: dict(ALL_CHANNELS),
}
