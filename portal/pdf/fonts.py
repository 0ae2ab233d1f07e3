"""The fonts of the portal's PDFs, shipped with the project (portal/pdf/fonts/, with their
licences) and declared with @font-face under the project's own family names, so the document never
depends on what the host has installed or what fontconfig would pick. IPAex Gothic covers Japanese,
DejaVu Sans the Latin text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FONT_DIR = Path(__file__).resolve().parent / "fonts"
IPAEX_GOTHIC = FONT_DIR / "ipaexg.ttf"
DEJAVU_DIR = FONT_DIR


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
            "PDF fonts are missing: "
            + ", ".join(missing)
            + " (they are part of the repository: is the checkout complete?)"
        )
    return FONT_FACES


def font_paths() -> frozenset[Path]:
    return frozenset(face.path.resolve() for face in font_faces())
