"""Pictures in the terminal: a ``Figure`` (quizzer.generators.figures) drawn with plotext.

plotext draws braille/unicode charts as text, so a worked solution can show its curve without a window;
it is imported only when a picture is drawn, never at start-up. The title and the legend are written
with rich around plotext's canvas: in the learner's language, with the same colours as the curves.
Pictures are for a person at a terminal: callers leave them out with --json, when stdout is not a
terminal and with --no-pictures (``wanted``).
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.text import Text

from quizzer.generators.base import Problem, fmt
from quizzer.generators.figures import Figure, figure_for

HEIGHT = 16
MAX_WIDTH = 100
# plotext's "simple" theme gives the series these 256-colour codes in turn; the legend reuses them.
PALETTE = (12, 10, 9, 14, 13, 11)


def wanted(console: Console, *, no_pictures: bool, as_json: bool = False) -> bool:
    """Whether to draw pictures: a terminal, no --json, no --no-pictures."""
    return not no_pictures and not as_json and console.is_terminal


def _nice_step(span: float, most: int) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving at most ``most`` ticks over ``span``."""
    raw = max(span / most, 1e-12)
    base = 10 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


def _x_ticks(figure: Figure) -> list[float]:
    xs = [x for s in figure.series for x in s.x]
    lo, hi = min(xs), max(xs)
    step = max(1.0, _nice_step(hi - lo, 8))  # the x axes are steps and layers: whole numbers
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) // step) + 1)]


def _log_ticks(figure: Figure) -> tuple[list[float], list[str]]:
    """Ticks for a log axis drawn as log10 of the data: at whole decades, labelled as powers of ten."""
    ys = [math.log10(y) for s in figure.series for y in s.y if y > 0]
    lo, hi = math.floor(min(ys)), math.ceil(max(ys))
    every = max(1, math.ceil((hi - lo) / 6))  # at most about six labelled decades
    powers = list(range(lo, hi + 1, every))
    return [float(k) for k in powers], [fmt(10.0**k) if -2 <= k <= 3 else f"1e{k}" for k in powers]


def render(figure: Figure, lang: str, width: int) -> list[Text]:
    """The picture as lines of rich Text: title, plotext's canvas, legend."""
    import plotext

    plot = plotext.figure
    plot.clear()
    plot.theme("simple")
    plot.plot_size(min(width, MAX_WIDTH), HEIGHT)
    for series in figure.series:
        # A log axis is drawn as log10 of the values on a linear one, with the ticks labelled as powers of ten:
        # the decades then sit where the reader expects them, whatever plotext does with its own log scale.
        ys = [math.log10(y) for y in series.y] if figure.log_y else list(series.y)
        signal = plot.signal(list(series.x), ys, marker="●" if series.points else "braille")
        plot.draw(signal if series.points else signal.lines())
    ticks = _x_ticks(figure)
    plot.ruler("x").ticks(ticks, [fmt(t) for t in ticks])
    if figure.log_y:
        plot.ruler("y").ticks(*_log_ticks(figure))
    plot.label(figure.x_label.get(lang), axis="x")
    canvas = plot.build().string()
    lines = [Text(figure.title.get(lang) + f"  ({figure.y_label.get(lang)})", style="bold")]
    lines += [Text.from_ansi(line) for line in canvas.splitlines()]
    legend = Text()
    for i, series in enumerate(figure.series):
        colour = f"color({PALETTE[i % len(PALETTE)]})"
        legend.append("  ● " if series.points else "  ━ ", style=colour)
        legend.append(series.label.get(lang))  # user-visible text as Text, never markup
    lines.append(legend)
    return lines


def show(console: Console, problem: Problem, lang: str) -> bool:
    """Draw the picture of a problem's solution, if its family has one; whether one was drawn."""
    figure = figure_for(problem)
    if figure is None:
        return False
    console.print()
    *canvas, legend = render(figure, lang, console.width - 2)
    for line in canvas:
        console.print(line, no_wrap=True, overflow="crop")
    console.print(legend)
    return True
