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


@app.task(base=RecordedTask, name="catalog.category_counts_refresh_task")
def category_counts_refresh_task(*, category_ids: list[int] | None) -> int:
    """Recount the public products of these categories (every category when None)."""
    from catalog.services.category_counts import category_counts_refresh

    return category_counts_refresh(category_ids=category_ids)


@app.task(base=RecordedTask, name="catalog.search_words_rebuild_task")
def search_words_rebuild_task() -> int:
    """Recount the typo-correction vocabulary from the public catalog (nightly): words that no
    product has any more are dropped. One transaction, so suggestions never see it empty."""
    from django.db import transaction

    from catalog.search import search_words_rebuild

    with transaction.atomic():
        return search_words_rebuild()
