"""A scan simulator: answer-sheet pages as a scanner would return them after students filled them in.

Written against the answer-sheet layout in ``manifest.json`` only (plain JSON, millimetres, see
``quizzer/exam/manifest.py``): it never imports the reader, so a test built on it checks the reader against
the contract, not against itself. Importable by ``bench/`` too (``from tests.scansim import …``).

A page is rendered from ``answer-sheets.pdf`` with pypdfium2, pen marks are drawn on it in paper coordinates,
then the scan conditions are applied: 95 % scale, rotation up to ±3°, a small shift, a page turned 180°,
blur, noise and JPEG compression. Everything follows from a seed.

**Ground truth** per bubble is "filled", "empty" or "ambiguous", by the mark drawn:

* filled: a dark pen mark (scribble, ellipse or solid), ink over at least ``FILLED_MIN`` of the bubble's
  inside (the "ink" of a disc is its mean darkness, 0 = white paper, 1 = black);
* empty: nothing drawn (printed outline only);
* ambiguous, what the issue says must go to review: a light tick partly over the bubble, an erasure (a filled
  bubble lightened to grey), a partial fill, or a faint (pencil-grey) fill; their ink lies in ``AMBIGUOUS``.

``mark_ink`` measures these bands on the clean page, and the simulator's tests check every style against them,
so a reader's thresholds can be judged against numbers, not adjectives.
"""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Truth = Literal["filled", "empty", "ambiguous"]
Style = Literal["scribble", "ellipse", "solid", "blacken", "tick", "erased", "partial", "faint"]
CLEAR_STYLES: tuple[Style, ...] = ("scribble", "ellipse", "solid")
AMBIGUOUS_STYLES: tuple[Style, ...] = ("tick", "erased", "partial", "faint")
TRUTH: dict[Style, Truth] = {
    "scribble": "filled",
    "ellipse": "filled",
    "solid": "filled",
    "blacken": "filled",  # filled unless the manifest says cancel_by_blackening; the mark's style tells which
    "tick": "ambiguous",
    "erased": "ambiguous",
    "partial": "ambiguous",
    "faint": "ambiguous",
}
FILLED_MIN = 0.6
AMBIGUOUS = (0.12, 0.45)
INNER_MARGIN = 0.4  # mm inside the outer edge: the disc whose ink is measured, clear of the printed outline
BED = 4.0  # mm of scanner bed around the paper: a turned or shifted page keeps its corners in the image
MM = 25.4


@dataclass(frozen=True)
class Conditions:
    """How the page is scanned. ``rotation`` in degrees (counter-clockwise), ``shift`` in mm."""

    dpi: int = 200
    scale: float = 1.0
    rotation: float = 0.0
    shift: tuple[float, float] = (0.0, 0.0)
    turned: bool = False  # fed upside down: the whole image turned 180°
    blur: float = 0.0  # Gaussian radius in pixels
    noise: float = 0.0  # standard deviation of added grey-level noise
    jpeg: int | None = None  # JPEG quality, None for a lossless scan
    ticks: float = 0.0  # chance that an empty bubble gets a stray light tick
    ambiguous: float = 0.0  # chance that a filled bubble is drawn in an ambiguous style instead


# Named conditions for per-condition read/review rates (the list); ``sample_conditions`` draws the
# random parts (rotation sign and size, shift) from the page's seed.
CONDITIONS: dict[str, dict[str, Any]] = {
    "clean": {},
    "rotation": {"rotation": 3.0},
    "scale": {"scale": 0.95},
    "blur": {"blur": 1.2},
    "noise": {"noise": 18.0},
    "jpeg": {"jpeg": 35},
    "turned": {"turned": True},
    "ticks": {"ticks": 0.04},
    "erasures": {"ambiguous": 0.15},
    "combined": {"rotation": 2.0, "scale": 0.95, "blur": 0.8, "noise": 10.0, "jpeg": 60, "ticks": 0.02},
}


def sample_conditions(name: str, rng: random.Random, dpi: int = 200) -> Conditions:
    preset = dict(CONDITIONS[name])
    if "rotation" in preset:  # between half the preset's angle and all of it, either way
        preset["rotation"] = rng.choice((-1, 1)) * rng.uniform(0.5, 1) * preset["rotation"]
    shift = (rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)) if name != "clean" else (0.0, 0.0)
    return Conditions(dpi=dpi, shift=shift, **preset)


@dataclass(frozen=True)
class Mark:
    bubble: str  # the bubble's id in the layout
    style: Style

    @property
    def truth(self) -> Truth:
        return TRUTH[self.style]


@dataclass
class SimPage:
    """One simulated scan: the image and what is really on it."""

    image: Image.Image  # mode "L"
    layout: dict[str, Any]  # the manifest's page entry
    marks: list[Mark]
    conditions: Conditions
    condition: str = "custom"
    truth: dict[str, Truth] = field(default_factory=dict)  # every bubble of the page
    # paper (mm) → image pixel: px = A @ (x, y, 1); the reader's homography should come out near this
    to_pixels: np.ndarray = field(default_factory=lambda: np.eye(3)[:2])

    def pixel(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        px, py = self.to_pixels @ np.array([x_mm, y_mm, 1.0])
        return float(px), float(py)

    def counts(self) -> dict[Truth, int]:
        out: dict[Truth, int] = {"filled": 0, "empty": 0, "ambiguous": 0}
        for value in self.truth.values():
            out[value] += 1
        return out


# --- reading the build's output -------------------------------------------------------------------------------


def load_sheets(out_dir: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest's ``answer_sheets`` (as plain JSON) and the answer-sheets PDF of an ``exam build`` directory."""
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    sheets = manifest["answer_sheets"]
    return sheets, (out_dir / sheets["pdf"]).read_bytes()


_render_cache: dict[tuple[int, int, int], Image.Image] = {}


def render_page(pdf: bytes, index: int, dpi: int) -> Image.Image:
    """Page ``index`` (0-based) of the PDF in grey at ``dpi`` (cached: a batch renders each page once)."""
    key = (hash(pdf), index, dpi)
    if key not in _render_cache:
        if len(_render_cache) >= 32:  # 4 MB a page at 200 dpi: keep the pages of the current exam or two
            _render_cache.clear()
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(pdf)
        _render_cache[key] = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        document.close()
    return _render_cache[key].copy()


# --- pen marks --------------------------------------------------------------------------------------------------


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float, rng: random.Random) -> list:
    pts = []
    for k in range(28):
        t = 2 * math.pi * k / 28
        wobble = 1 + rng.uniform(-0.05, 0.05)
        x, y = rx * math.cos(t) * wobble, ry * math.sin(t) * wobble
        pts.append((cx + x * math.cos(angle) - y * math.sin(angle), cy + x * math.sin(angle) + y * math.cos(angle)))
    return pts


def draw_mark(image: Image.Image, bubble: dict[str, Any], style: Style, dpi: int, rng: random.Random) -> None:
    """One pen mark on a bubble, in the clean page's pixels (before any scan condition)."""
    s = dpi / MM
    cx, cy = bubble["x"] * s, bubble["y"] * s
    r = min(bubble["w"], bubble["h"]) / 2 * s
    pen = max(1, round(rng.uniform(0.45, 0.7) * s))  # a ballpoint or felt-tip line, 0.45–0.7 mm
    draw = ImageDraw.Draw(image)
    ink = rng.randint(5, 50)
    if style == "scribble":  # back-and-forth strokes across the bubble, a little past its edge at the turns
        angle = rng.uniform(0, math.pi)
        ux, uy, vx, vy = math.cos(angle), math.sin(angle), -math.sin(angle), math.cos(angle)
        n = rng.randint(5, 9)
        pts = []
        for k in range(n + 1):
            v = (-0.85 + 1.7 * k / n) * r
            half = math.sqrt(max(r * r - v * v, 0)) * rng.uniform(0.9, 1.1)
            side = half if k % 2 else -half
            pts.append((cx + side * ux + v * vx, cy + side * uy + v * vy))
        draw.line(pts, fill=ink, width=max(pen, round(2 * r / n * rng.uniform(1.0, 1.5))), joint="curve")
    elif style == "ellipse":  # a filled oval, off-centre and tilted, never a perfect disc
        pts = _ellipse_points(
            cx + rng.uniform(-0.08, 0.08) * r, cy + rng.uniform(-0.08, 0.08) * r,
            r * rng.uniform(0.8, 1.05), r * rng.uniform(0.72, 1.0), rng.uniform(0, math.pi), rng,
        )  # fmt: skip
        draw.polygon(pts, fill=ink)
    elif style == "solid":
        draw.ellipse([cx - r * 0.97, cy - r * 0.97, cx + r * 0.97, cy + r * 0.97], fill=ink)
    elif style == "blacken":  # scribbled over until black, past the outline
        draw.ellipse([cx - r * 1.15, cy - r * 1.15, cx + r * 1.15, cy + r * 1.15], fill=rng.randint(0, 15))
    elif style == "tick":  # a small check mark, its corner inside the bubble, its long arm leaving it
        ox, oy = cx + rng.uniform(-0.25, 0.1) * r, cy + rng.uniform(0.0, 0.3) * r
        size = r * rng.uniform(0.9, 1.2)
        pts = [(ox - size * 0.5, oy - size * 0.35), (ox, oy + size * 0.25), (ox + size * 0.9, oy - size * 1.0)]
        draw.line(pts, fill=rng.randint(20, 70), width=max(pen, round(0.55 * s)), joint="curve")
    elif style == "erased":  # filled, then rubbed out: a grey smudge, a little uneven
        grey = rng.randint(178, 205)
        draw.ellipse([cx - r * 0.95, cy - r * 0.95, cx + r * 0.95, cy + r * 0.95], fill=grey)
        for _ in range(4):
            ex, ey = cx + rng.uniform(-0.5, 0.5) * r, cy + rng.uniform(-0.5, 0.5) * r
            er = r * rng.uniform(0.2, 0.4)
            draw.ellipse([ex - er, ey - er, ex + er, ey + er], fill=min(grey + 25, 235))
    elif style == "partial":  # a half-hearted fill: one side of the bubble, or a thick slash
        if rng.random() < 0.5:
            start = rng.uniform(0, 360)
            draw.pieslice([cx - r * 0.95, cy - r * 0.95, cx + r * 0.95, cy + r * 0.95], start, start + 110, fill=ink)
        else:
            a = rng.uniform(0, math.pi)
            dx, dy = math.cos(a) * r * 1.05, math.sin(a) * r * 1.05
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=ink, width=round(r * 0.5))
    elif style == "faint":  # filled with a hard pencil: everywhere, but grey
        pts = _ellipse_points(cx, cy, r * 0.95, r * 0.92, rng.uniform(0, math.pi), rng)
        draw.polygon(pts, fill=rng.randint(150, 172))
    else:
        raise ValueError(f"unknown mark style {style!r}")


def mark_ink(image: Image.Image, bubble: dict[str, Any], dpi: int) -> float:
    """Mean darkness (0 white … 1 black) of the bubble's inside on a clean (untransformed) page."""
    s = dpi / MM
    cx, cy = bubble["x"] * s, bubble["y"] * s
    r = (min(bubble["w"], bubble["h"]) / 2 - INNER_MARGIN) * s
    x0, y0 = math.floor(cx - r), math.floor(cy - r)
    patch = np.asarray(image, dtype=np.float64)[y0 : math.ceil(cy + r) + 1, x0 : math.ceil(cx + r) + 1]
    yy, xx = np.mgrid[y0 : y0 + patch.shape[0], x0 : x0 + patch.shape[1]]
    inside = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= r * r
    return float(1 - patch[inside].mean() / 255)


# --- what a student fills in ------------------------------------------------------------------------------------


def choose_marks(page: dict[str, Any], rng: random.Random, conditions: Conditions) -> list[Mark]:
    """A plausible filled-in sheet: one option per choice item (now and then two, or none), digits in adjacent
    columns of each number grid with a sign and a decimals count, one score per open item, a student number;
    some filled bubbles drawn ambiguously and some empty ones ticked, at the conditions' rates."""
    by_question: dict[tuple[Any, Any, str], list[dict[str, Any]]] = {}
    for b in page["bubbles"]:  # a multi-number answer's components are grids of their own
        by_question.setdefault((b["question"], b.get("part"), b["group"]), []).append(b)
    chosen: list[dict[str, Any]] = []
    erased: list[dict[str, Any]] = []
    for (_, _, group), bubbles in by_question.items():
        if group in ("choice", "score"):
            roll = rng.random()
            count = 0 if roll < 0.05 else 2 if roll > 0.95 and group == "choice" else 1
            picked = rng.sample(bubbles, min(count + (1 if rng.random() < conditions.ambiguous else 0), len(bubbles)))
            chosen += picked[:count]
            erased += picked[count:]  # changed their mind: the first choice rubbed out
        elif group in ("digit", "student", "exp_digit"):
            columns = sorted({b["column"] for b in bubbles})
            used = columns if group == "student" else columns[: rng.randint(1, len(columns))]
            if group == "digit" and rng.random() < 0.5:  # right-aligned writing: trailing columns used instead
                used = columns[len(columns) - len(used) :]
            for c in used:
                chosen.append(rng.choice([b for b in bubbles if b["column"] == c]))
        elif group in ("sign", "exp_sign", "decimals") and rng.random() < 0.6:
            chosen.append(rng.choice(bubbles))
    marks: list[Mark] = []
    for b in chosen:
        style: Style = rng.choice(AMBIGUOUS_STYLES) if rng.random() < conditions.ambiguous else rng.choice(CLEAR_STYLES)
        marks.append(Mark(b["id"], style))
    marks += [Mark(b["id"], "erased") for b in erased]
    taken = {m.bubble for m in marks}
    for b in page["bubbles"]:
        if b["id"] not in taken and rng.random() < conditions.ticks:
            marks.append(Mark(b["id"], "tick"))
    return marks


def number_marks(
    page: dict[str, Any], question: int, text: str, style: Style = "solid", part: int | None = None
) -> list[Mark]:
    """The marks a student makes to write ``text`` (e.g. "-0.125", "2.5e-4", "391") in a question's digit grid,
    as the contract reads it: sign, the digits without leading zeros from the first column on, how many of them
    follow the decimal point, and the exponent's sign and digits. ``part`` picks one component's grid of a
    multi-number answer (the bubbles' ``part``). Raises ValueError when the grid cannot hold it."""
    bubbles = [b for b in page["bubbles"] if b["question"] == question and b.get("part") == part]

    def find(group: str, value: str, column: int | None = None) -> dict[str, Any]:
        for b in bubbles:
            if b["group"] == group and b["value"] == value and b["column"] == column:
                return b
        raise ValueError(f"question {question} part {part} has no {group} bubble {value!r} (column {column})")

    mantissa, _, exponent = text.lower().partition("e")
    negative = mantissa.startswith("-")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    digits = (whole + fraction).lstrip("0") or "0"
    marks = [Mark(find("sign", "-")["id"], style)] if negative else []
    marks += [Mark(find("digit", d, c)["id"], style) for c, d in enumerate(digits)]
    if fraction:
        marks.append(Mark(find("decimals", str(len(fraction)))["id"], style))
    if exponent:
        columns = sorted({b["column"] for b in bubbles if b["group"] == "exp_digit"})
        power = exponent.lstrip("+-").rjust(len(columns), "0")
        if exponent.startswith("-"):
            marks.append(Mark(find("exp_sign", "-")["id"], style))
        marks += [Mark(find("exp_digit", d, c)["id"], style) for c, d in zip(columns, power, strict=True)]
    return marks


# --- the scan ---------------------------------------------------------------------------------------------------


def _affine(conditions: Conditions, width: int, height: int) -> np.ndarray:
    """Clean-page pixel → scanned pixel (an image ``BED`` mm wider on every side), as a 3×3 matrix: scale and
    rotate about the page's centre, shift, maybe turn 180°."""
    s = conditions.dpi / MM
    cx, cy = width / 2, height / 2
    width, height = width + round(2 * BED * s), height + round(2 * BED * s)
    a = math.radians(conditions.rotation)
    k = conditions.scale
    to_origin = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1.0]])
    # image y points down: a counter-clockwise turn on paper is (cos, sin; -sin, cos) in pixel coordinates
    turn = np.array([[k * math.cos(a), k * math.sin(a), 0], [-k * math.sin(a), k * math.cos(a), 0], [0, 0, 1.0]])
    x, y = width / 2 + conditions.shift[0] * s, height / 2 + conditions.shift[1] * s
    back = np.array([[1, 0, x], [0, 1, y], [0, 0, 1.0]])
    matrix = back @ turn @ to_origin
    if conditions.turned:
        matrix = np.array([[-1, 0, width], [0, -1, height], [0, 0, 1.0]]) @ matrix
    return matrix


def scan(image: Image.Image, conditions: Conditions, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """The scanned image and the clean-pixel → scanned-pixel matrix."""
    matrix = _affine(conditions, *image.size)
    bed = round(2 * BED * conditions.dpi / MM)
    width, height = image.size[0] + bed, image.size[1] + bed
    inverse = np.linalg.inv(matrix)  # PIL maps each output pixel back to its source
    coeffs = tuple(inverse[:2].ravel())
    resample = Image.Resampling.BICUBIC if conditions.rotation or conditions.scale != 1 else Image.Resampling.NEAREST
    image = image.transform((width, height), Image.Transform.AFFINE, coeffs, resample, fillcolor=255)
    if conditions.blur:
        image = image.filter(ImageFilter.GaussianBlur(conditions.blur))
    if conditions.noise:
        noise = np.random.default_rng(rng.getrandbits(64)).normal(0, conditions.noise, (height, width))
        image = Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8))
    if conditions.jpeg is not None:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=conditions.jpeg)
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return image, matrix


def simulate_page(
    pdf: bytes,
    page: dict[str, Any],
    conditions: Conditions,
    seed: int,
    marks: list[Mark] | None = None,
    condition: str = "custom",
) -> SimPage:
    """One page filled in (``marks``, or a plausible random filling) and scanned under ``conditions``."""
    rng = random.Random(seed)
    image = render_page(pdf, page["pdf_page"] - 1, conditions.dpi)
    if marks is None:
        marks = choose_marks(page, rng, conditions)
    bubbles = {b["id"]: b for b in page["bubbles"]}
    for mark in marks:
        draw_mark(image, bubbles[mark.bubble], mark.style, conditions.dpi, rng)
    scanned, matrix = scan(image, conditions, rng)
    s = conditions.dpi / MM
    to_pixels = (matrix @ np.diag([s, s, 1.0]))[:2]
    truth: dict[str, Truth] = {b["id"]: "empty" for b in page["bubbles"]}
    truth.update({m.bubble: m.truth for m in marks})
    return SimPage(scanned, page, marks, conditions, condition, truth, to_pixels)


def simulate_batch(
    out_dir: Path, count: int, seed: int, conditions: list[str] | None = None, dpi: int = 200
) -> list[SimPage]:
    """``count`` simulated pages from an ``exam build --answer-sheets`` directory, cycling through its pages and
    through the named ``conditions`` (default: all of ``CONDITIONS``)."""
    sheets, pdf = load_sheets(out_dir)
    names = conditions or list(CONDITIONS)
    rng = random.Random(seed)
    pages = []
    for i in range(count):
        name = names[i % len(names)]
        page = sheets["pages"][i % len(sheets["pages"])]
        pages.append(simulate_page(pdf, page, sample_conditions(name, rng, dpi), rng.getrandbits(63), condition=name))
    return pages


def write_batch(pages: list[SimPage], dest: Path, *, pdf: bool = True, images: str | None = "png") -> list[Path]:
    """The batch as ``dest/scans.pdf`` (one page per scan, at its dpi) and/or one ``page-NNN.png|jpg`` each."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    if pdf and pages:
        path = dest / "scans.pdf"
        first, *rest = [p.image for p in pages]
        first.save(path, save_all=True, append_images=rest, resolution=float(pages[0].conditions.dpi))
        written.append(path)
    if images:
        extension = {"png": "png", "jpeg": "jpg", "jpg": "jpg"}[images]
        for i, p in enumerate(pages, start=1):
            path = dest / f"page-{i:03d}.{extension}"
            if extension == "jpg":
                p.image.save(path, quality=90)
            else:
                p.image.save(path)
            written.append(path)
    return written
