from django import template

from catalog.models import ProductImage
from catalog.selectors import image_urls

register = template.Library()


@register.simple_tag
def image_thumbnail(image: ProductImage, size: str | int) -> dict[str, object] | None:
    """The `size` thumbnail of `image` (`webp`, `jpeg` URLs and its `width`, `height`), or None
    while the thumbnails job has not run yet."""
    thumbnails = image_urls(image=image)["thumbnails"]
    assert isinstance(thumbnails, dict)
    files = thumbnails.get(str(size))
    if not files:
        return None
    box = int(size)
    scale = min(1.0, box / max(image.width or box, image.height or box, 1))
    return {
        "webp": files["webp"],
        "jpeg": files["jpeg"],
        "width": max(1, round((image.width or box) * scale)),
        "height": max(1, round((image.height or box) * scale)),
    }
