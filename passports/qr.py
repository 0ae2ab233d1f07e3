"""The QR code of a battery passport (Art. 13(6), ISO/IEC 18004): it encodes the public passport URL.

The helpers do not check publication: the owner's staff pages embed the code of a passport before it is
published (to print labels in advance); the public `/p/<id>/qr.*` views only answer for published ones.
The encoding parameters live here only, so the printed code, the staff pages and the tests agree.
"""

from __future__ import annotations

import io
from uuid import UUID

import segno
from django.conf import settings
from django.urls import reverse

# Level M restores about 15 % of damaged modules: labels on batteries get scratched.
ERROR_CORRECTION = "m"
SVG_SCALE = 4
PNG_SCALE = 8
BORDER = 4  # the quiet zone ISO/IEC 18004 asks for


def passport_url(passport_id: UUID | str) -> str:
    """Absolute URL of the public passport page (what the QR code encodes)."""
    path = reverse("public_passports:detail", kwargs={"passport_id": UUID(str(passport_id))})
    return f"{settings.SITE_URL}{path}"


def qr_code(passport_id: UUID | str) -> segno.QRCode:
    return segno.make(passport_url(passport_id), error=ERROR_CORRECTION, micro=False)


def qr_svg(passport_id: UUID | str) -> str:
    """An SVG document without XML declaration, so staff pages can inline it as it is; its <title>
    carries the URL (screen readers, copy and paste)."""
    buffer = io.BytesIO()
    qr_code(passport_id).save(
        buffer,
        kind="svg",
        scale=SVG_SCALE,
        border=BORDER,
        title=passport_url(passport_id),
        svgclass="qr",
        xmldecl=False,
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(passport_id: UUID | str) -> bytes:
    buffer = io.BytesIO()
    qr_code(passport_id).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER)
    return buffer.getvalue()
