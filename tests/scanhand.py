"""Filling a rendered answer sheet "by hand": pencil-like zig-zag strokes drawn with PIL over a bubble.

Used by the paper round-trip test and the accuracy bench to mark real ``answer-sheets.pdf`` pages. It knows
the layout contract (mm, bubble centres) and nothing of the reader.
"""

from __future__ import annotations

import math
import random
from typing import Any

from PIL import Image, ImageDraw


def scribble(image: Image.Image, bubble: dict[str, Any], dpi: float, rng: random.Random, *, grey: int = 35) -> None:
    """Zig-zag strokes across the bubble, a little past its inner edge, like a pencil filling it in."""
    s = dpi / 25.4
    cx, cy = bubble["x"] * s, bubble["y"] * s
    rx, ry = bubble["w"] / 2 * s, bubble["h"] / 2 * s
    draw = ImageDraw.Draw(image)
    width = max(2, round(0.55 * s))  # a 0.55 mm pen line
    lines = 8
    points = []
    for i in range(lines):
        t = -0.85 + 1.7 * i / (lines - 1)
        half = math.sqrt(max(0.0, 1 - t * t)) * 0.95
        y = cy + t * ry + rng.uniform(-0.15, 0.15) * s
        left, right = cx - half * rx + rng.uniform(-0.2, 0.2) * s, cx + half * rx + rng.uniform(-0.2, 0.2) * s
        points += [(left, y), (right, y)] if i % 2 == 0 else [(right, y), (left, y)]
    draw.line(points, fill=grey, width=width, joint="curve")


def tick(image: Image.Image, bubble: dict[str, Any], dpi: float, *, grey: int = 90) -> None:
    """A quick light check mark through the bubble: neither empty nor filled."""
    s = dpi / 25.4
    cx, cy, r = bubble["x"] * s, bubble["y"] * s, bubble["w"] / 2 * s
    draw = ImageDraw.Draw(image)
    draw.line([(cx - 0.6 * r, cy), (cx - 0.1 * r, cy + 0.5 * r), (cx + 0.7 * r, cy - 0.7 * r)], fill=grey, width=3)


def render_page(pdf: str, index: int, dpi: int) -> Image.Image:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
