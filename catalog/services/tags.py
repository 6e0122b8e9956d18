"""Tags are free labels; their names are normalised so "Summer  Sale" and "summer sale" are one."""

from collections.abc import Iterable

from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalog.exceptions import ProductInvalidError
from catalog.models import Tag

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
