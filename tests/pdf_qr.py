"""Reading the QR codes printed in a PDF the way a phone would read the printed page: each page rasterised
with PDFium (Chromium's PDF renderer) and decoded with OpenCV, independently of segno, which drew them."""

from __future__ import annotations

import cv2
import numpy as np
import pypdfium2

#: 3 x 72 dpi: plenty for a 30 mm code.
SCALE = 3


def qr_texts(pdf: bytes) -> list[str]:
    texts = []
    detector = cv2.QRCodeDetector()
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            pixels = np.array(page.render(scale=SCALE, grayscale=True).to_pil().convert("L"))
            found, decoded, _points, _straight = detector.detectAndDecodeMulti(pixels)
            if found:
                texts += [text for text in decoded if text]
    finally:
        document.close()
    return texts
