from marketmate.celery import app
from marketmate.jobs import RecordedTask


@app.task(base=RecordedTask, name="catalog.image_thumbnails_task")
def image_thumbnails_task(*, image_id: int) -> bool:
    """Make the thumbnails of product image `image_id`; a deleted image is nothing to do."""
    from catalog.models import ProductImage
    from catalog.services.images import image_thumbnails_generate

    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None:
        return False
    image_thumbnails_generate(image=image)
    return True
