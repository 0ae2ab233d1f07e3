"""The only resources a PDF of the portal (certificates, oversight reports) may load: the project's static
files and its font files. Anything else (the network, other local files) is refused, and a refused fetch
stops the render."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import URLFetcher

from .fonts import font_paths


class RefusedResource(ValueError):
    pass


def static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class PortalURLFetcher(URLFetcher):
    """Allows file: URLs of the declared fonts and of files under the static directories, and data: URLs
    (the QR code, built in-process); refuses every other URL."""

    def __init__(self) -> None:
        # fail_on_errors: a refused or broken resource aborts the render instead of a silent gap.
        super().__init__(
            timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True
        )
        self._fonts = font_paths()
        self._roots = static_roots()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        if path in self._fonts:
            return True
        return path.is_file() and any(path.is_relative_to(root) for root in self._roots)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            raise RefusedResource(f"The document may not load {url[:200]}")
        return super().fetch(url, headers)


#: The name certificate documents have always used.
CertificateURLFetcher = PortalURLFetcher
