"""Finding a sheet on a scanned page: the QR code says which page it is, the corner marks say where it is.

1. zxing-cpp decodes the QR code. Its payload names the layout page; its corner points give where the
   code sits and which way up the page is (a page fed upside down has the code turned by 180°).
2. From that rough placement (page centre from the code, scale from the image size) each corner mark
   is predicted; the solid dark square nearest each prediction is taken as that mark.
3. Layout millimetres → pixels: a homography through 4 marks, an affine map through 3 (all a flatbed scan
   or a 90–100 % "fit to page" print needs). The fit is checked against the QR code's centre, and with 4
   marks against an affine least-squares residual, so a smudge taken for a mark is caught, not used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from quizzer.exam.scan_layout import SheetMark, SheetPage

if TYPE_CHECKING:
    import numpy as np

SEARCH_MM = 45.0  # how far a mark may be from where the QR code predicts it (10 % scale + offsets)
MAX_RESIDUAL_MM = 1.5  # marks that do not fit one affine map within this are not all marks
MAX_QR_ERROR_MM = 4.0  # the fitted map must put the QR code where it was decoded


@dataclass(frozen=True)
class QrRead:
    payload: str
    centre: tuple[float, float]  # pixels
    angle: float  # degrees; ~0 upright, ~180 turned
    side: float  # pixels, the symbol without its quiet zone


@dataclass
class Registration:
    matrix: np.ndarray  # 3×3, layout mm (x, y, 1) → pixels
    marks: int  # how many corner marks were used (3 or 4)
    residual_mm: float  # rms distance of the marks from an affine fit (0 with 3 marks)
    qr_error_mm: float  # how far the fitted map puts the QR centre from where it was decoded
    turned: bool  # the page was scanned upside down
    paper: float  # grey level of blank paper
    ink: float  # grey level inside the printed corner marks (solid black as scanned)

    def to_pixels(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) mm → (N, 2) pixels."""
        import numpy as np

        ones = np.ones((points.shape[0], 1))
        mapped = np.hstack([points, ones]) @ self.matrix.T
        return mapped[:, :2] / mapped[:, 2:3]

    @property
    def quality(self) -> float:
        """1 for a perfect fit, falling to 0 as the marks or the QR code stray by MAX_RESIDUAL_MM / MAX_QR_ERROR_MM."""
        worst = max(self.residual_mm / MAX_RESIDUAL_MM, self.qr_error_mm / MAX_QR_ERROR_MM)
        return max(0.0, 1.0 - worst)


def decode_qr(gray: np.ndarray) -> list[QrRead]:
    """Every QR code zxing-cpp finds; retried on a smoothed half-size copy for noisy or blurred scans."""
    import cv2
    import zxingcpp

    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = _qr_reads(zxingcpp.read_barcodes(gray, formats=qr_only), 1.0)
    if found:
        return found
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    found = _qr_reads(zxingcpp.read_barcodes(half, formats=qr_only), 2.0)
    if found:
        return found
    _, binary = cv2.threshold(cv2.GaussianBlur(gray, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return _qr_reads(zxingcpp.read_barcodes(binary, formats=qr_only), 1.0)


def _qr_reads(results: list, factor: float) -> list[QrRead]:
    reads = []
    for r in results:
        p = r.position
        corners = [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y)]
        corners += [(p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]
        cx = factor * sum(c[0] for c in corners) / 4
        cy = factor * sum(c[1] for c in corners) / 4
        dx, dy = corners[1][0] - corners[0][0], corners[1][1] - corners[0][1]
        angle = math.degrees(math.atan2(dy, dx))
        reads.append(QrRead(r.text, (cx, cy), angle, factor * math.hypot(dx, dy)))
    return reads


@dataclass(frozen=True)
class _Blob:
    x: float
    y: float


def _candidates(gray: np.ndarray, side_px: float, centre: tuple[float, float], radius: float) -> list[_Blob]:
    """Solid dark squares about ``side_px`` wide (any small rotation) within ``radius`` pixels of ``centre``.

    Only a window around each predicted mark is searched: a quarter of the work of labelling the whole page,
    and the page's text and bubbles elsewhere cannot be mistaken for a mark.
    """
    import cv2
    import numpy as np

    height, width = gray.shape[:2]
    x0, y0 = max(0, int(centre[0] - radius)), max(0, int(centre[1] - radius))
    x1, y1 = min(width, int(centre[0] + radius) + 1), min(height, int(centre[1] + radius) + 1)
    if x1 - x0 < side_px or y1 - y0 < side_px:
        return []
    blurred = cv2.GaussianBlur(gray[y0:y1, x0:x1], (3, 3), 0)
    _, binary = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    blobs = []
    low, high = 0.8 * side_px, 1.15 * side_px
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if not (low <= w <= high * 1.1 and low <= h <= high * 1.1) or area < 0.6 * low * low:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        (_, _), (rw, rh), _ = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
        # A square fills its tightest rectangle; a filled circle (a blackened bubble) only ~79 % of it.
        if rw * rh == 0 or area / (rw * rh) < 0.88 or not (low <= min(rw, rh) and max(rw, rh) <= high):
            continue
        blobs.append(_Blob(x0 + float(centroids[i][0]), y0 + float(centroids[i][1])))
    return blobs


def _predict(layout: SheetPage, qr: QrRead, ppm: float, mark: SheetMark) -> tuple[float, float]:
    centre_x = layout.qr.x + layout.qr.size / 2
    centre_y = layout.qr.y + layout.qr.size / 2
    theta = math.radians(qr.angle)
    dx, dy = (mark.x - centre_x) * ppm, (mark.y - centre_y) * ppm
    return (
        qr.centre[0] + dx * math.cos(theta) - dy * math.sin(theta),
        qr.centre[1] + dx * math.sin(theta) + dy * math.cos(theta),
    )


def register(gray: np.ndarray, layout: SheetPage, qr: QrRead, ppm: float) -> Registration | None:
    """The layout → pixel map of this page, or None when fewer than 3 corner marks can be trusted."""
    import numpy as np

    marks = layout.corner_marks
    side = float(np.median([m.size for m in marks])) * ppm
    chosen: list[tuple[SheetMark, _Blob]] = []
    used: set[_Blob] = set()
    for mark in marks:
        px, py = _predict(layout, qr, ppm, mark)
        blobs = _candidates(gray, side, (px, py), SEARCH_MM * ppm)
        near = [b for b in blobs if b not in used and math.hypot(b.x - px, b.y - py) <= SEARCH_MM * ppm]
        if near:
            best = min(near, key=lambda b: math.hypot(b.x - px, b.y - py))
            used.add(best)
            chosen.append((mark, best))
    for size in (4, 3):
        if len(chosen) < size:
            continue
        fits = []
        for subset in combinations(chosen, size):
            fit = _fit(list(subset), layout, qr)
            if fit is not None:
                fits.append(fit)
        if fits:
            matrix, residual, qr_error = min(fits, key=lambda f: f[1] + f[2])
            paper, ink = _levels(gray, matrix, marks)
            return Registration(matrix, size, residual, qr_error, abs(qr.angle) > 90, paper, ink)
    return None


def _fit(pairs: list[tuple[SheetMark, _Blob]], layout: SheetPage, qr: QrRead) -> tuple[np.ndarray, float, float] | None:
    import cv2
    import numpy as np

    src = np.array([[m.x, m.y] for m, _ in pairs], dtype=np.float64)
    dst = np.array([[b.x, b.y] for _, b in pairs], dtype=np.float64)
    # Affine least squares first: with 4 marks its residual shows whether they are really the 4 marks.
    design = np.hstack([src, np.ones((len(src), 1))])
    affine, *_ = np.linalg.lstsq(design, dst, rcond=None)
    scale = math.sqrt(abs(np.linalg.det(affine[:2, :2])))
    residual = float(np.sqrt(np.mean(np.sum((design @ affine - dst) ** 2, axis=1)))) / scale
    if residual > MAX_RESIDUAL_MM:
        return None
    if len(pairs) == 4:
        matrix = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    else:
        matrix = np.vstack([affine.T, [0.0, 0.0, 1.0]])
    centre = np.array([layout.qr.x + layout.qr.size / 2, layout.qr.y + layout.qr.size / 2, 1.0])
    mapped = matrix @ centre
    qr_error = math.hypot(mapped[0] / mapped[2] - qr.centre[0], mapped[1] / mapped[2] - qr.centre[1]) / scale
    if qr_error > MAX_QR_ERROR_MM:
        return None
    return matrix, residual, qr_error


def _levels(gray: np.ndarray, matrix: np.ndarray, marks: list[SheetMark]) -> tuple[float, float]:
    """Grey of blank paper (a high percentile of the page) and of printed solid black (inside the marks)."""
    import numpy as np

    from quizzer.exam.scan_marks import sample_discs

    paper = float(np.percentile(gray[::4, ::4], 90))
    centres = np.array([[m.x, m.y] for m in marks])
    radii = np.array([[m.size * 0.3, m.size * 0.3] for m in marks])
    ink = float(np.median(sample_discs(gray, matrix, centres, radii)))
    if paper - ink < 40:  # a washed-out scan: keep the scale sane rather than divide by almost nothing
        ink = max(0.0, paper - 40)
    return paper, ink
