"""The fonts of the certificate PDF, declared with @font-face under the project's own family names, so the
document never depends on what fontconfig would pick on the host. IPAex Gothic (Debian
fonts-ipaexfont-gothic, installed by `make system-deps`) covers Japanese, DejaVu Sans the Latin text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

IPAEX_GOTHIC = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: str = "normal"

    @property
    def url(self) -> str:
        return self.path.as_uri()


FONT_FACES = (
    FontFace("PassBridge Latin", DEJAVU_DIR / "DejaVuSans.ttf"),
    FontFace("PassBridge Latin", DEJAVU_DIR / "DejaVuSans-Bold.ttf", weight="bold"),
    FontFace("PassBridge Japanese", IPAEX_GOTHIC),
    # IPAex has no bold: the same face serves bold Japanese rather than a host font taking over.
    FontFace("PassBridge Japanese", IPAEX_GOTHIC, weight="bold"),
)


def font_faces() -> tuple[FontFace, ...]:
    """The faces, after checking every file is there: a missing font fails the render loudly instead of
    letting the PDF fall back to whatever the host has."""
    missing = sorted({str(face.path) for face in FONT_FACES if not face.path.is_file()})
    if missing:
        raise ImproperlyConfigured(
            "Certificate PDF fonts are missing: "
            + ", ".join(missing)
            + " (install fonts-ipaexfont-gothic and fonts-dejavu-core: make system-deps)"
        )
    return FONT_FACES


def font_paths() -> frozenset[Path]:
    return frozenset(face.path.resolve() for face in font_faces())
