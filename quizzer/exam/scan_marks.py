"""Measuring the bubbles of a registered page: how full each one is, and what that says.

A bubble's *fill* is the mean darkness inside its inner disc (75 % of its radius, so the printed outline
and a registration error of ±0.3 mm stay outside), where darkness 0 is the page's blank paper and 1 its
printed black (the corner marks). The page's empty level — the median bubble, since most bubbles on a
sheet are empty, and it carries any letter printed inside the bubbles — is then subtracted, so ``fill``
is 0 for an untouched bubble and about 1 for a bubble inked all over.

Two thresholds split it: below ``EMPTY_BELOW`` empty, above ``FILLED_ABOVE`` filled, between them
unclear (a light tick, an erasure, a half-hearted mark), which a person decides. A bubble that stays
below ``EMPTY_BELOW`` on average but has pen strokes over ``TRACE_MIN`` of its disc (a tick, a cross) is
unclear too: a thin deliberate stroke is not an empty bubble. A bubble whose outline
ring is as dark as its inside is *blackened*: a cancelled mark where the exam says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from quizzer.exam.scan_layout import SheetBubble

if TYPE_CHECKING:
    import numpy as np

EMPTY_BELOW = 0.1
FILLED_ABOVE = 0.52
BLACKENED_INNER = 0.85  # inside as dark as printed black …
BLACKENED_RING = 0.7  # … and just outside the outline too, where a pen filling the bubble rarely goes
INNER = 0.75  # inner disc radius, as a share of the bubble's outer radius
TRACE_DISC = 0.8  # where a stroke is looked for: a little wider than the inner disc, still inside the outline
TRACE_DARK = 0.5  # a sample this dark is pen, not paper, noise or toner haze
TRACE_MIN = 0.03  # pen over this share of the disc is a deliberate stroke (a tick) even if the mean stays low
CLEAR_EMPTY, CLEAR_FILLED = 0.05, 0.62  # fills this far out of the review band count as clearly read (confidence)

State = Literal["empty", "unclear", "filled", "blackened"]


@dataclass(frozen=True)
class BubbleRead:
    bubble: SheetBubble
    fill: float
    state: State

    @property
    def clear(self) -> bool:
        """Read with room to spare: well outside the band that goes to review."""
        if self.state == "unclear":
            return False
        return self.fill <= CLEAR_EMPTY or self.fill >= CLEAR_FILLED


@cache
def _unit_disc(steps: int = 13) -> np.ndarray:
    import numpy as np

    axis = np.linspace(-1.0, 1.0, steps)
    grid = np.array([(x, y) for x in axis for y in axis])
    return grid[np.hypot(grid[:, 0], grid[:, 1]) <= 1.0]


@cache
def _unit_ring() -> np.ndarray:
    import numpy as np

    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    points = [(r * np.cos(a), r * np.sin(a)) for r in (1.04, 1.1) for a in angles]
    return np.array(points)


def sample_discs(
    gray: np.ndarray, matrix: np.ndarray, centres: np.ndarray, radii: np.ndarray, unit: np.ndarray | None = None
) -> np.ndarray:
    """Grey values at ``unit`` points (default: a disc) around each centre, (N, K); bilinear, white outside."""
    import cv2
    import numpy as np

    offsets = _unit_disc() if unit is None else unit
    points = centres[:, None, :] + radii[:, None, :] * offsets[None, :, :]
    flat = points.reshape(-1, 2)
    mapped = np.hstack([flat, np.ones((flat.shape[0], 1))]) @ matrix.T
    xy = mapped[:, :2] / mapped[:, 2:3]
    map_x = xy[:, 0].reshape(points.shape[:2]).astype(np.float32)
    map_y = xy[:, 1].reshape(points.shape[:2]).astype(np.float32)
    sampled = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return np.asarray(sampled, dtype=np.float64)


def measure(
    gray: np.ndarray, matrix: np.ndarray, bubbles: list[SheetBubble], paper: float, ink: float
) -> list[BubbleRead]:
    """Every bubble's fill and state."""
    import numpy as np

    if not bubbles:
        return []
    centres = np.array([[b.x, b.y] for b in bubbles])
    outer = np.array([[b.w / 2, b.h / 2] for b in bubbles])
    span = max(paper - ink, 1.0)
    inner = np.clip((paper - sample_discs(gray, matrix, centres, outer * INNER)) / span, 0, 1).mean(axis=1)
    ring = np.clip((paper - sample_discs(gray, matrix, centres, outer, _unit_ring())) / span, 0, 1).mean(axis=1)
    wide = np.clip((paper - sample_discs(gray, matrix, centres, outer * TRACE_DISC)) / span, 0, 1)
    strokes = (wide >= TRACE_DARK).mean(axis=1)
    strokes = np.clip(strokes - float(np.median(strokes)), 0.0, 1.0)  # less whatever every bubble shows
    # Most bubbles are empty: their median is what "untouched" looks like on this page (outline bleed,
    # a printed letter, toner haze). Capped, so a page of mostly filled bubbles is not declared empty.
    base = min(float(np.median(inner)), 0.35)
    fills = np.clip((inner - base) / (1.0 - base), 0.0, 1.0)
    reads = []
    for bubble, fill, dark, edge, stroke in zip(bubbles, fills, inner, ring, strokes, strict=True):
        state: State
        if dark >= BLACKENED_INNER and edge >= BLACKENED_RING:
            state = "blackened"
        elif fill >= FILLED_ABOVE:
            state = "filled"
        elif fill > EMPTY_BELOW or stroke >= TRACE_MIN:
            state = "unclear"
        else:
            state = "empty"
        reads.append(BubbleRead(bubble, float(fill), state))
    return reads
