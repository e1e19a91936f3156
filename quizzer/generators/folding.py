"""Long runs in prompts and worked solutions: the first steps and the last, with the middle folded.

An optimizer problem may carry thousands of gradients; a solution of that many lines (or a prompt
listing them all) helps nobody. What is folded is only elided from the text, never from the arithmetic.
"""

from __future__ import annotations

from quizzer.generators.base import fmt, fmt_list
from quizzer.text import BiText

HEAD, TAIL = 5, 3  # steps shown before and after the fold
LIST_HEAD, LIST_TAIL = 8, 4  # numbers shown before and after the fold in a list


def fold_steps(lines: list[BiText]) -> list[BiText]:
    """``lines`` (one per step) with the middle replaced by one line saying how many steps it stands for."""
    if len(lines) <= HEAD + TAIL + 1:
        return lines
    hidden = len(lines) - HEAD - TAIL
    marker = BiText(f"…（中间 {hidden} 步同理，略）…", f"… ({hidden} more steps, worked the same way) …")
    return [*lines[:HEAD], marker, *lines[-TAIL:]]


def fold_list(xs: list[float]) -> BiText:
    """``[x1, …, xn]``, or the first and last few with the count when the list is long."""
    if len(xs) <= LIST_HEAD + LIST_TAIL + 1:
        return BiText(fmt_list(xs), fmt_list(xs))
    head = ", ".join(fmt(x) for x in xs[:LIST_HEAD])
    tail = ", ".join(fmt(x) for x in xs[-LIST_TAIL:])
    return BiText(f"[{head}, …, {tail}]（共 {len(xs)} 个）", f"[{head}, …, {tail}] ({len(xs)} values)")
