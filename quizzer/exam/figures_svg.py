"""Pictures for answer keys: a ``Figure`` (quizzer.generators.figures, the data the terminal draws too) as a
small SVG drawn by matplotlib, for typst (PDF keys) and for the HTML keys.

The SVG holds only the plot: axes, numbered ticks and the curves. The words (title, axis names, legend) are
set by the document around it, in the exam's language and font: matplotlib then needs no CJK font, typst puts
real (searchable) text in the PDF, and no bank or user text ever goes into the SVG.

Reproducible: the same figure gives byte-identical SVG (fixed ``svg.hashsalt`` for the ids, no date, no
creator line), so keys stay byte-identical PDFs. The tick numbers stay text (``svg.fonttype: none``) in
DejaVu Sans Mono, a font both matplotlib and typst carry: typst sets them with the metrics matplotlib
measured, they are searchable in the PDF, and the SVG is smaller and quicker to make than with glyph paths.

matplotlib is imported on the first picture only (never by ``--help`` or a build without keys' pictures).
One matplotlib figure and axes are made per process and reused, and every distinct figure is drawn once:
creating the axes and their tick objects is half the cost of a fresh figure (measured 32 ms -> 18 ms).
"""

from __future__ import annotations

import io
import math
import threading
from functools import lru_cache
from typing import Any

from quizzer.generators.base import fmt
from quizzer.generators.figures import Figure

# The series' colours in turn, shared with the legends that the key documents write beside the SVG.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
WIDTH_IN, HEIGHT_IN = 5.6, 2.1  # inches: a full text line of an A4 key, two inches tall
# Ticks are numbers set in DejaVu Sans Mono, which matplotlib measures with and typst carries built in: the SVG
# keeps them as text (smaller and faster than glyph paths), typst draws them with the same font and metrics.
TICK_FONT = "DejaVu Sans Mono"
HASHSALT = "quizzer-exam-key"  # the SVG's ids derive from it: fixed, so the same figure gives the same ids
_RC = {"svg.hashsalt": HASHSALT, "svg.fonttype": "none", "font.family": TICK_FONT}
# No date and no "Created with Matplotlib vX" line: the SVG depends on the figure only.
_METADATA: dict[str, Any] = {"Date": None, "Creator": None}

_lock = threading.Lock()  # the one matplotlib figure is shared: one picture is drawn at a time
_shared: dict[str, Any] = {}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _axes() -> tuple[Any, Any]:
    """The process's one matplotlib figure and axes (made on first use; no pyplot, no global figure manager)."""
    if not _shared:
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure as MplFigure

        fig = MplFigure(figsize=(WIDTH_IN, HEIGHT_IN))
        FigureCanvasSVG(fig)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.13, top=0.96)
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8, length=3)
        ax.grid(True, color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        _shared.update(fig=fig, ax=ax)
    return _shared["fig"], _shared["ax"]


@lru_cache(maxsize=1024)
def figure_svg(figure: Figure) -> str:
    """The plot of ``figure`` as an SVG document (UTF-8 text), identical for identical figures."""
    from matplotlib import style
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    # matplotlib's defaults plus ours, whatever another part of the program set globally (the progress charts
    # choose a CJK font for all of matplotlib): the picture depends on the figure alone. Restored afterwards.
    with _lock, style.context(["default", _RC]):
        fig, ax = _axes()
        for line in list(ax.lines):
            line.remove()
        for i, series in enumerate(figure.series):
            if series.points:
                ax.plot(series.x, series.y, linestyle="none", marker="o", markersize=5, color=colour(i), zorder=3)
            else:
                ax.plot(series.x, series.y, linewidth=1.4, color=colour(i))
        # After the data is in: a log scale on empty axes warns that nothing can be log-scaled.
        ax.set_yscale("log" if figure.log_y else "linear")  # resets the y locator and formatter to the scale's own
        if figure.log_y:  # decades as plain numbers (0.01, 1e-05): matplotlib's own labels are mathtext
            ax.yaxis.set_major_formatter(FuncFormatter(_decade))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))  # steps and layers: whole numbers
        ax.relim()
        ax.autoscale_view()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata=_METADATA)
    return buffer.getvalue()


def _decade(value: float, _position: object) -> str:
    exponent = round(math.log10(value)) if value > 0 else 0
    if value <= 0 or not math.isclose(value, 10.0**exponent):
        return ""  # the log locator's minor positions: unlabelled
    return fmt(value) if -2 <= exponent <= 3 else f"1e{exponent}"


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration, no DOCTYPE), to embed in an HTML page."""
    return svg[svg.index("<svg") :]
