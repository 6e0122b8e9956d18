"""The category tree, which staff manage (the admin uses treebeard's forms; seeds use these)."""

from django.db import transaction
from django.utils.text import slugify

from catalog.models import Category


@transaction.atomic
def category_get_or_create_path(*, names: list[str]) -> Category:
    """The category at the end of `names` (root first), creating the missing nodes."""
    parent: Category | None = None
    for name in names:
        children = (
            Category.objects.get_root_nodes()
            if parent is None
            else Category.objects.get_children(parent)
        )
        node = children.filter(name=name).first()
        if node is None:
            slug = slugify("-".join([parent.slug, name]) if parent else name)[:140]
            fields = {"name": name, "slug": slug}
            node = (
                Category.objects.add_root(fields)
                if parent is None
                else Category.objects.add_child(parent, fields)
            )
        parent = node
    assert parent is not None, "names must not be empty"
    return parent
