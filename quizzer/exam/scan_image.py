"""Turning scan files into grey page images: PDFs rendered with pypdfium2, images opened with Pillow.

Every page comes out as a 2-D ``uint8`` array (0 = black). A file that cannot be decoded yields one
``PageImage`` with ``error`` set instead of raising, so one bad file never aborts the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizzer.errors import NotFound

if TYPE_CHECKING:
    import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
MAX_PIXELS = 80_000_000  # an A4 page at 600 dpi is ~35 Mpx; more is not a scan of a sheet
MIN_DPI, MAX_DPI = 72, 600


@dataclass
class PageImage:
    file: Path
    number: int  # 1-based page (or frame) within the file
    gray: np.ndarray | None
    dpi: float | None = None  # known for rendered PDFs and images that record it; else estimated from the size
    error: str | None = None


def check_inputs(paths: list[Path]) -> None:
    """Refuse up front (one line) a scan that does not exist, before any page is read or graded."""
    for path in paths:
        if not path.is_file():
            raise NotFound(f"{path}: no such scan file")


def check_dpi(dpi: int) -> None:
    from quizzer.errors import BadParameters

    if not MIN_DPI <= dpi <= MAX_DPI:
        raise BadParameters(f"--dpi {dpi}: use {MIN_DPI}…{MAX_DPI} (200 reads sheets reliably)")


def iter_pages(path: Path, dpi: int) -> Iterator[PageImage]:
    """The pages of one scan file, in order; an unreadable file gives one page carrying the reason."""
    head = path.read_bytes()[:5]
    if head == b"%PDF-" or path.suffix.lower() == ".pdf":
        yield from _pdf_pages(path, dpi)
    else:
        yield from _image_pages(path)


def _pdf_pages(path: Path, dpi: int) -> Iterator[PageImage]:
    import numpy as np
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        yield PageImage(path, 1, None, error=f"not a readable PDF ({exc})")
        return
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                image = bitmap.to_pil().convert("L")
                yield PageImage(path, index + 1, np.asarray(image), float(dpi))
            except pdfium.PdfiumError as exc:
                yield PageImage(path, index + 1, None, error=f"page cannot be rendered ({exc})")
            finally:
                page.close()
    finally:
        document.close()


def _image_pages(path: Path) -> Iterator[PageImage]:
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        yield PageImage(path, 1, None, error=f"not a readable image or PDF ({type(exc).__name__})")
        return
    with image:
        try:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                dpi = frame.info.get("dpi")
                gray = ImageOps.exif_transpose(frame).convert("L")
                known = float(dpi[0]) if dpi and dpi[0] and MIN_DPI <= float(dpi[0]) <= MAX_DPI else None
                yield PageImage(path, index + 1, np.asarray(gray), known)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            yield PageImage(path, 1, None, error=f"image data cannot be decoded ({type(exc).__name__})")
