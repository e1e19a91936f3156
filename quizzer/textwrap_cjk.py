"""Line breaking for mixed Chinese and ASCII text at a terminal's width (standard library only).

rich (like ``textwrap``) breaks lines only at spaces, so a Chinese paragraph runs on until its last
ASCII space and then breaks wherever that happens to be. Here a line may also break between two
CJK characters, while

- ASCII words, numbers and formulas stay whole: a run of non-space narrow characters is one unit,
  and a space next to an operator (``a = b + c``) does not break a formula either, as long as the
  formula fits on a line;
- the usual kinsoku rules hold (W3C "Requirements for Chinese Text Layout"): no line starts with
  closing punctuation (，。、；：？！）」』】 …), no line ends with opening punctuation (（「『【 …);
- widths are terminal cells: East Asian Wide and Fullwidth characters take two, combining marks none
  (the same measure as rich's ``cell_len`` for the characters the bank uses; a test compares them).

The breaking is greedy over unbreakable groups, so every line but a paragraph's last is as full as
the next group allows. ``wrap_spans`` returns offsets into the text, so a caller can cut a styled
string (rich ``Text``) at the same places; ``wrap`` returns plain lines.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise

# Closing punctuation, enumeration marks and small symbols that belong to what precedes them.
NO_START = frozenset("，。、；：？！）」』】〉》〕〗〙｝］｠”’…‥·・％‰℃〜～")
# Opening brackets and quotes that belong to what follows them.
NO_END = frozenset("（「『【〈《〔〖〘｛［｟“‘")
# ASCII punctuation binds only where it touches (a CJK character): after a space, ".eval()" is a word.
NO_START_TOUCHING = frozenset(",.;:?!)]}")
NO_END_TOUCHING = frozenset("([{")
# A space beside one of these is part of a formula (``r_l = r_{l-1} + (k − 1)·j``), not a break.
OPERATORS = frozenset(
    {"=", "+", "-", "−", "±", "×", "·", "/", "÷", "*", "≈", "≠", "≡", "<", ">", "≤", "≥", "→", "←", "⇒", "⇔", "∝", "∈"}
)


def char_width(ch: str) -> int:
    """Terminal cells taken by one character."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


FREE, FORMULA, RULE = 0, 1, 2  # a line may break here; only if a formula is wider than a line; never


@dataclass
class _Unit:
    start: int
    end: int
    width: int
    gap: int  # cells of white space between this unit and the previous one (0: they touch)
    bond: int = FREE  # how strongly this unit holds to the previous one: FREE, FORMULA or RULE


def _units(text: str, start: int, end: int) -> list[_Unit]:
    """Split ``text[start:end]`` (one paragraph) into units: one per CJK character, one per run of other
    non-space characters; then mark where a line may not break."""
    units: list[_Unit] = []
    space = 0
    narrow_open = False  # the previous character continues a narrow run
    for i in range(start, end):
        ch = text[i]
        if ch.isspace():
            space += max(1, char_width(ch))  # the ideographic space U+3000 takes two cells
            narrow_open = False
            continue
        w = char_width(ch)
        if w == 0 and units and not space:  # a combining mark stays with its base character
            units[-1].end = i + 1
        elif w == 2:
            units.append(_Unit(i, i + 1, 2, space))
            narrow_open = False
        elif narrow_open:
            units[-1].end = i + 1
            units[-1].width += w
        else:
            units.append(_Unit(i, i + 1, w, space))
            narrow_open = True
        space = 0
    quotes = 0  # ASCII double quotes open and close in turn
    for prev, unit in pairwise(units):
        first, last = text[unit.start], text[prev.end - 1]
        before = text[prev.start : prev.end]
        after = text[unit.start : unit.end]
        quotes += before.count('"')
        closing_quote = first == '"' and quotes % 2 == 1
        opening_quote = last == '"' and quotes % 2 == 1
        touching = not unit.gap and (first in NO_START_TOUCHING or last in NO_END_TOUCHING)
        if first in NO_START or last in NO_END or closing_quote or opening_quote or touching:
            unit.bond = RULE
        elif unit.gap and (before in OPERATORS or after in OPERATORS) and _narrow(before) and _narrow(after):
            unit.bond = FORMULA  # "r = r0 + 1": a formula, not "输出 = …" (CJK does not join one)
    return units


def _narrow(token: str) -> bool:
    return char_width(token[0]) < 2


def _groups(units: list[_Unit], bond: int) -> list[list[_Unit]]:
    """Runs of units held together by a bond of at least ``bond``."""
    groups: list[list[_Unit]] = []
    for unit in units:
        if groups and unit.bond >= bond:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    return groups


def _group_width(group: list[_Unit]) -> int:
    return sum(u.width + (u.gap if k else 0) for k, u in enumerate(group))


def _fill(units: list[_Unit], first_width: int, width: int) -> list[list[_Unit]]:
    """Greedy filling: each group goes on the current line if it fits, else starts the next one. A formula
    wider than a line is broken at its spaces, and what is still too wide between any two units."""
    lines: list[list[_Unit]] = [[]]
    used = 0

    def place(groups: list[list[_Unit]], bond: int) -> None:
        # ``bond``: the groups are held together by bonds at least this strong.
        nonlocal used
        for group in groups:
            room = (first_width if len(lines) == 1 else width) - used
            gap = group[0].gap if lines[-1] else 0
            need = _group_width(group)
            if gap + need <= room:
                lines[-1].extend(group)
                used += gap + need
            elif need <= width and lines[-1]:
                lines.append(list(group))
                used = need
            elif bond <= RULE and len(group) > 1:
                # Wider than any line, or than what a label leaves of the first one: loosen the bond, from here on.
                place(_groups(group, bond + 1), bond + 1)
            else:  # one unit, no wider than a line (longer ones were cut): a new line, unless this one is empty
                # and it is not the first (a label may stand alone on the first line)
                if gap + need > room and (lines[-1] or len(lines) == 1):
                    lines.append([])
                    gap, used = 0, 0
                lines[-1].extend(group)
                used += gap + need

    place(_groups(units, FORMULA), FORMULA)
    return lines


def _split_wide_units(text: str, units: list[_Unit], width: int) -> list[_Unit]:
    """A single unit wider than a line (a long URL) is cut into pieces that fit."""
    out: list[_Unit] = []
    for unit in units:
        if unit.width <= width:
            out.append(unit)
            continue
        start, used = unit.start, 0
        for i in range(unit.start, unit.end):
            w = char_width(text[i])
            if used + w > width and i > start:
                out.append(
                    _Unit(
                        start,
                        i,
                        used,
                        unit.gap if start == unit.start else 0,
                        unit.bond if start == unit.start else FREE,
                    )
                )
                start, used = i, 0
            used += w
        out.append(
            _Unit(
                start,
                unit.end,
                used,
                unit.gap if start == unit.start else 0,
                unit.bond if start == unit.start else FREE,
            )
        )
    return out


def wrap_spans(text: str, width: int, *, first_used: int = 0, used: int = 0) -> list[tuple[int, int]]:
    """Where each line of ``text`` starts and ends (offsets into ``text``) when wrapped at ``width`` cells.

    ``first_used`` cells of the first line and ``used`` cells of every other line are already taken
    (a label, an indent). Newlines end paragraphs; an empty paragraph is an empty line. Spaces at a
    break are dropped; a paragraph's leading spaces are kept.
    """
    first_width, width = max(1, width - first_used), max(1, width - used)
    spans: list[tuple[int, int]] = []
    start = 0
    for paragraph in text.split("\n"):
        end = start + len(paragraph)
        lead = len(paragraph) - len(paragraph.lstrip())
        units = _units(text, start + lead, end)
        if not units:
            spans.append((start, start))
        else:
            line_width = first_width if not spans else width
            units[0].gap = 0
            units = _split_wide_units(text, units, width)
            lines = _fill(units, line_width - cell_width(paragraph[:lead]), width)
            for k, line in enumerate(lines):
                spans.append((start if k == 0 else line[0].start, line[-1].end) if line else (start, start))
        start = end + 1
    return spans


def wrap(text: str, width: int, *, prefix: str = "", indent: str = "") -> list[str]:
    """``text`` wrapped at ``width`` cells: ``prefix`` before the first line, ``indent`` before the others."""
    spans = wrap_spans(text, width, first_used=cell_width(prefix), used=cell_width(indent))
    return [(prefix if k == 0 else indent) + text[s:e] for k, (s, e) in enumerate(spans)]
