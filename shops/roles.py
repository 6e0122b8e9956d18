"""Which member roles may do what in a shop: the one place the permission matrix is written.

| action                              | owner | manager | staff |
| ----------------------------------- | ----- | ------- | ----- |
| see the shop's dashboard and drafts | yes   | yes     | yes   |
| products, variants, images, stock   | yes   | yes     | yes   |
| shop settings                       | yes   | yes     | no    |
| members and invitations             | yes   | no      | no    |
"""

from django.utils.functional import Promise

from shops.models import ShopMember

Role = ShopMember.Role

ROLES_ANY: frozenset[str] = frozenset(Role.values)
ROLES_CATALOG: frozenset[str] = frozenset({Role.OWNER, Role.MANAGER, Role.STAFF})
ROLES_SETTINGS: frozenset[str] = frozenset({Role.OWNER, Role.MANAGER})
ROLES_MEMBERS: frozenset[str] = frozenset({Role.OWNER})

# The roles an owner can give; there is only ever one owner, the shop's creator.
ASSIGNABLE_ROLE_CHOICES: list[tuple[str, str | Promise]] = [
    (Role.MANAGER.value, Role.MANAGER.label),
    (Role.STAFF.value, Role.STAFF.label),
]
