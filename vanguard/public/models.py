"""The public pages keep no data of their own but one table: the version of each piece of content they show.

A public page is cached under the versions of what it shows (see cache.py). The version lives in the
database, not in the cache, so that every gunicorn worker — each with its own in-process cache — sees a change
on its very next request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicVersion(models.Model):
    """A key such as `zone:12` or `people` and a random token that changes whenever its content does."""

    key = models.CharField(_("内容"), max_length=100, unique=True)
    token = models.CharField(_("版本"), max_length=32)

    class Meta:
        verbose_name = _("公开内容版本")
        verbose_name_plural = _("公开内容版本")

    def __str__(self) -> str:
        return f"{self.key}={self.token}"
