"""Product images: checked by Pillow, cleaned of metadata, stored, and thumbnailed in a job.

Every upload goes through `marketmate.images.image_clean` (a real JPEG, PNG or WebP, no larger
than CATALOG_IMAGE_MAX_BYTES and CATALOG_IMAGE_MAX_PIXELS, re-encoded without metadata) and is
stored in the default storage; the thumbnails job makes each CATALOG_THUMBNAIL_SIZES width as
WebP and JPEG.
"""

import logging
import uuid
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import User
from catalog.exceptions import ProductInvalidError
from catalog.models import Product, ProductImage
from catalog.storefront_cache import catalog_changed
from catalog.tasks import image_thumbnails_task
from marketmate.audit import audit_record
from marketmate.images import EXTENSIONS, image_clean

logger = logging.getLogger(__name__)

THUMBNAIL_FORMATS = {"webp": "WEBP", "jpeg": "JPEG"}


def _thumbnail_encode(image: Image.Image, kind: str) -> bytes:
    out = BytesIO()
    if kind == "jpeg":
        flat = image
        if image.mode in {"RGBA", "LA", "P"}:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.split()[-1])
        flat.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


@transaction.atomic
def image_add(
    *, product: Product, actor: User | None, upload: UploadedFile, alt_text: str = ""
) -> ProductImage:
    """Check, clean and store an image as the product's last one; thumbnails follow in a job."""
    if len(alt_text) > 200:
        raise ProductInvalidError(
            _("The alt text is too long."), fields={"alt_text": [_("At most 200 characters.")]}
        )
    clean = image_clean(upload=upload)
    name = default_storage.save(
        f"products/{product.pk}/{uuid.uuid4().hex}.{EXTENSIONS[clean.format]}",
        ContentFile(clean.content),
    )
    position = (product.images.aggregate(top=Max("position"))["top"] or 0) + 1
    image = ProductImage.objects.create(
        product=product,
        original=name,
        alt_text=alt_text.strip(),
        width=clean.width,
        height=clean.height,
        position=position,
    )
    audit_record(
        actor=actor,
        action="product.image_add",
        entity=product,
        changes={"image": (None, name)},
    )
    image_id = image.pk
    catalog_changed(product_ids=[product.pk])
    transaction.on_commit(lambda: image_thumbnails_task.delay(image_id=image_id))
    return image


def image_thumbnails_generate(*, image: ProductImage) -> ProductImage:
    """Make (or make again) every thumbnail of `image`; names are fixed, so reruns overwrite."""
    with default_storage.open(str(image.original.name), "rb") as handle:
        data = handle.read()
    thumbnails: dict[str, dict[str, str]] = {}
    with Image.open(BytesIO(data)) as source:
        source.load()
        for size in settings.CATALOG_THUMBNAIL_SIZES:
            copy = source.copy()
            copy.thumbnail((size, size), Image.Resampling.LANCZOS)
            files: dict[str, str] = {}
            for kind in THUMBNAIL_FORMATS:
                extension = "jpg" if kind == "jpeg" else kind
                name = f"products/{image.product_id}/thumbs/{image.pk}-{size}.{extension}"
                if default_storage.exists(name):
                    default_storage.delete(name)
                files[kind] = default_storage.save(name, ContentFile(_thumbnail_encode(copy, kind)))
            thumbnails[str(size)] = files
    ProductImage.objects.filter(pk=image.pk).update(thumbnails=thumbnails)
    image.thumbnails = thumbnails
    catalog_changed(product_ids=[image.product_id])
    return image


@transaction.atomic
def image_update(*, image: ProductImage, actor: User | None, alt_text: str) -> ProductImage:
    if len(alt_text) > 200:
        raise ProductInvalidError(
            _("The alt text is too long."), fields={"alt_text": [_("At most 200 characters.")]}
        )
    old = image.alt_text
    image.alt_text = alt_text.strip()
    if old != image.alt_text:
        image.save(update_fields=["alt_text"])
        audit_record(
            actor=actor,
            action="product.image_update",
            entity=image.product,
            changes={f"image:{image.pk}:alt_text": (old, image.alt_text)},
        )
    return image


@transaction.atomic
def images_reorder(*, product: Product, actor: User | None, image_ids: list[int]) -> None:
    """Put the product's images in the order of `image_ids` (which must list each exactly once)."""
    current = list(product.images.order_by("position", "id").values_list("pk", flat=True))
    if sorted(current) != sorted(image_ids) or len(set(image_ids)) != len(image_ids):
        raise ProductInvalidError(
            _("List each of the product's images once."),
            fields={"image_ids": [_("Must list each image of the product exactly once.")]},
        )
    for position, image_id in enumerate(image_ids, start=1):
        ProductImage.objects.filter(pk=image_id, product=product).update(position=position)
    if current != image_ids:
        audit_record(
            actor=actor,
            action="product.images_reorder",
            entity=product,
            changes={"images": (current, image_ids)},
        )
        catalog_changed(product_ids=[product.pk])


@transaction.atomic
def image_delete(*, image: ProductImage, actor: User | None) -> None:
    """Remove an image; its files are deleted once the removal has committed."""
    names = [image.original.name] + [
        name for files in (image.thumbnails or {}).values() for name in files.values()
    ]
    audit_record(
        actor=actor,
        action="product.image_delete",
        entity=image.product,
        changes={"image": (image.original.name, None)},
    )
    catalog_changed(product_ids=[image.product_id])
    image.delete()

    def delete_files() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete the image file %s", name)

    transaction.on_commit(delete_files)
