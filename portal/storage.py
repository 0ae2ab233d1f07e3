"""Private storage of every uploaded file (passport documents, evidence, certificate documents): never under
MEDIA_URL or static, read back only through permission-checked download views."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="portal.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A file system storage under `settings.PRIVATE_STORAGE_ROOT`, which has no URL.

    The location is read on every access rather than cached, so a test that points PRIVATE_STORAGE_ROOT at
    its own temporary directory stores there (FileSystemStorage only forgets MEDIA_ROOT changes)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        # A URL would be a way around the policy: callers must link to the download view instead.
        raise ValueError("Private documents have no public URL; link to the download view.")


private_storage = PrivateStorage()
