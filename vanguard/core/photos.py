"""Photos that people upload (members on a model post's board, residents with a request): checked by
Pillow, refused above a size before Pillow opens them, stored upright, small and without their metadata."""

from __future__ import annotations

import io
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Pillow's format name -> the stored file's extension.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}
# A photo is stored at most this many pixels on its longer side: enough for a board, small for a phone.
PHOTO_SIDE = 1200


class PhotoField(forms.ImageField):
    """An image checked by Pillow, refused above 5 MB before Pillow opens it."""

    def to_python(self, data):
        if data not in self.empty_values and getattr(data, "size", 0) > MAX_PHOTO_BYTES:
            raise ValidationError(
                _("照片不能超过5 MB(所选文件约%(size).1f MB)。") % {"size": data.size / 1024 / 1024},
                code="too_large",
            )
        return super().to_python(data)


def stored_photo(upload) -> ContentFile:
    """The photo as it is stored: turned upright, at most PHOTO_SIDE pixels a side, re-encoded without its
    metadata (a phone's photo carries where it was taken; the board is public), under a random name."""
    fmt = upload.image.format
    upload.seek(0)
    with Image.open(upload) as opened:
        image = ImageOps.exif_transpose(opened)
        image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
        buffer = io.BytesIO()
        if fmt == "JPEG":
            image.convert("RGB").save(buffer, "JPEG", quality=85)
        else:
            image.save(buffer, "PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{PHOTO_FORMATS[fmt]}")
