import logging
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from accounts.models import User
from marketmate.celery import app
from marketmate.jobs import RecordedTask

logger = logging.getLogger(__name__)

AVATAR_SIZE = 512


@app.task(base=RecordedTask, name="accounts.avatar_process_task")
def avatar_process_task(*, user_id: int) -> bool:
    """Re-encode a user's avatar: upright, at most 512 px, without metadata. Idempotent: an
    avatar already processed is small and metadata-free, and re-encoding it changes nothing."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.avatar:
        return False
    with user.avatar.open("rb") as source, Image.open(source) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
        clean = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")
        output = BytesIO()
        clean.save(output, format="PNG" if clean.mode == "RGBA" else "JPEG", quality=88)
    extension = "png" if clean.mode == "RGBA" else "jpg"
    old_name = user.avatar.name
    user.avatar.save(f"{user.pk}.{extension}", ContentFile(output.getvalue()), save=False)
    User.objects.filter(pk=user.pk).update(avatar=user.avatar.name)
    if old_name and old_name != user.avatar.name:
        user.avatar.storage.delete(old_name)
    return True
