"""The category tree, which staff manage (the admin uses treebeard's forms; seeds use these)."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import ProductInvalidError
from catalog.models import Category
from catalog.search import search_vector_update_for_category
from catalog.storefront_cache import catalog_changed
from marketmate.audit import audit_record


@transaction.atomic
def category_get_or_create_path(*, names: list[str]) -> Category:
    """The category at the end of `names` (root first), creating the missing nodes.

    `names` are English names (the catalog's source language), whatever language the caller
    speaks: the name lookups and new names are made in English, never in a translation."""
    with translation.override(settings.LANGUAGE_CODE):
        return _category_get_or_create_path(names=names)


def category_names_translate(*, category: Category, names: dict[str, str]) -> Category:
    """Set `category`'s name in other languages (`{"es": "Vajilla"}`); languages the site does
    not offer are refused, English stays as it is (it is renamed with `category_rename`)."""
    offered = {code for code, _label in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    unknown = set(names) - offered
    if unknown:
        raise ProductInvalidError(
            _("These languages are not offered: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        )
    fields = [f"name_{code}" for code in names]
    for code, name in names.items():
        setattr(category, f"name_{code}", name.strip() or None)
    category.save(update_fields=[*fields, "updated"])
    catalog_changed(category_paths=[category.path], tree=True)
    return category


def _category_get_or_create_path(*, names: list[str]) -> Category:
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
    catalog_changed(tree=True)
    return parent


@transaction.atomic
def category_rename(*, category: Category, actor: User | None, name: str) -> Category:
    """Give a category a new name (its slug, and so its address, stays); audited. The search
    vectors of its products, which hold category names, follow in one statement."""
    clean = " ".join(name.split())
    if not clean or len(clean) > 120:
        raise ProductInvalidError(
            _("Give the category a name of 1 to 120 characters."),
            fields={"name": [_("1 to 120 characters.")]},
        )
    old = category.name
    if clean == old:
        return category
    category.name = clean
    category.save(update_fields=["name", "updated"])
    audit_record(
        actor=actor, action="category.rename", entity=category, changes={"name": (old, clean)}
    )
    category_changed(category=category, renamed=True)
    return category


def category_changed(*, category: Category, renamed: bool) -> None:
    """What follows any saved change to a category, whoever made it (the admin's tree forms
    save through treebeard): product vectors when renamed, and the storefront's cached pages."""
    if renamed:
        search_vector_update_for_category(category=category)
    catalog_changed(category_paths=[category.path], tree=True)
