"""Tags are free labels; their names are normalised so "Summer  Sale" and "summer sale" are one."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import ProductInvalidError
from catalog.models import Tag
from catalog.search import search_vector_update_for_tag
from catalog.storefront_cache import catalog_changed
from marketmate.audit import audit_record

TAG_MAX_LENGTH = 50
TAGS_PER_PRODUCT = 20


def tag_name_normalise(name: str) -> str:
    """Lower case, trimmed, inner runs of white space collapsed to one space."""
    return " ".join(str(name).split()).lower()


def tags_resolve(*, names: Iterable[str]) -> list[Tag]:
    """The tags with these names (normalised, de-duplicated), created when new."""
    normalised: list[str] = []
    for name in names:
        clean = tag_name_normalise(name)
        if clean and clean not in normalised:
            normalised.append(clean)
    if len(normalised) > TAGS_PER_PRODUCT:
        raise ProductInvalidError(
            _("A product can have at most %(count)d tags.") % {"count": TAGS_PER_PRODUCT},
            fields={"tags": [_("Too many tags.")]},
        )
    tags = []
    for clean in normalised:
        slug = slugify(clean)[:60]
        if len(clean) > TAG_MAX_LENGTH or not slug:
            raise ProductInvalidError(
                _("Tag %(name)s is not valid.") % {"name": clean},
                fields={"tags": [_("Tags are 1 to 50 letters or digits long.")]},
            )
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=clean).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(name=clean, defaults={"slug": slug})
        tags.append(tag)
    return tags


@transaction.atomic
def tag_rename(*, tag: Tag, actor: User | None, name: str) -> Tag:
    """Rename a tag (normalised; its slug, and so filter links, stays); audited. The search
    vectors of its products follow in one statement."""
    clean = tag_name_normalise(name)
    if not clean or len(clean) > TAG_MAX_LENGTH:
        raise ProductInvalidError(
            _("Tag %(name)s is not valid.") % {"name": clean},
            fields={"name": [_("Tags are 1 to 50 letters or digits long.")]},
        )
    if Tag.objects.filter(name=clean).exclude(pk=tag.pk).exists():
        raise ProductInvalidError(
            _("Another tag has this name."), fields={"name": [_("Already used.")]}
        )
    old = tag.name
    if clean == old:
        return tag
    tag.name = clean
    tag.save(update_fields=["name"])
    audit_record(actor=actor, action="tag.rename", entity=tag, changes={"name": (old, clean)})
    tag_changed(tag=tag, renamed=True)
    return tag


def tag_changed(*, tag: Tag, renamed: bool) -> None:
    """What follows a saved change to a tag (the admin saves through its form)."""
    if renamed:
        search_vector_update_for_tag(tag_id=tag.pk)
    catalog_changed()
