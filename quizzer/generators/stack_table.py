"""The per-layer table of a stack family's solution: layer, output size, receptive field, jump and start.

Data only (the terminal draws it in ``quizzer.ui.stack_table``): every number comes from the families' own
closed forms. A long table is folded to its first and last rows (``StackTable.fold``) unless asked for in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizzer.generators.base import fmt
from quizzer.generators.layer_syntax import Layer, Node, Residual

FOLD_AFTER = 40  # rows shown in full up to this many
FOLD_KEEP = 15  # rows kept at each end of a folded table


@dataclass(frozen=True)
class StackRow:
    number: int | None  # main-path layer number; None for a block's shortcut line
    layer: str
    size: str  # "" when the family has no input size
    rf: str
    jump: str
    start: str


@dataclass(frozen=True)
class StackTable:
    rows: tuple[StackRow, ...]
    has_size: bool

    def fold(self, show_all: bool = False) -> tuple[tuple[StackRow, ...], int, tuple[StackRow, ...]]:
        """(first rows, how many layers are hidden, last rows); nothing hidden when short or ``show_all``."""
        if show_all or len(self.rows) <= FOLD_AFTER:
            return self.rows, 0, ()
        hidden = sum(row.number is not None for row in self.rows[FOLD_KEEP:-FOLD_KEEP])
        return self.rows[:FOLD_KEEP], hidden, self.rows[-FOLD_KEEP:]


def stack_rows(nodes: tuple[Node, ...], sizes: list[str] | None = None) -> tuple[StackRow, ...]:
    """One row per main-path layer (sizes: each layer's output, when known), a shortcut row closing each block."""
    from quizzer.generators.layers import main_path, rf_trace

    trace = rf_trace(main_path(nodes))[1:]
    rows: list[StackRow] = []
    number = 0

    def add(layer: Layer, prefix: str) -> None:
        nonlocal number
        rf = trace[number]
        size = sizes[number] if sizes else ""
        number += 1
        rows.append(StackRow(number, prefix + layer.text(), size, str(rf.r), fmt(rf.j), fmt(rf.start)))

    for node in nodes:
        if isinstance(node, Residual):
            for layer in node.main:
                add(layer, "│ ")
            shortcut = "; ".join(layer.text() for layer in node.shortcut) or "identity"
            rows.append(StackRow(None, f"└ + shortcut: {shortcut}", "", "", "", ""))
        else:
            add(node, "")
    return tuple(rows)


TABLE_FAMILIES = ("receptive-field", "rf-extra-layer", "conv-stack-shape")  # the ones table_for serves


def table_for(family: str, params: Any) -> StackTable | None:
    """The per-layer table of a stack family's params, or None for a family that has none."""
    from quizzer.generators.layers import main_path

    if family == "receptive-field":
        sizes = None
        if params.input_size is not None:
            from quizzer.generators.shapes import out_size

            sizes, n = [], params.input_size
            for layer in main_path(params.layers):
                n = out_size(n, layer)
                sizes.append(str(n) if n >= 1 else "< 1")
        return StackTable(stack_rows(params.layers, sizes), sizes is not None)
    if family == "rf-extra-layer":
        return StackTable(stack_rows((*params.layers, params.extra)), False)
    if family == "conv-stack-shape":
        from quizzer.generators.shapes import node_shapes

        shapes = node_shapes(params.input_shape, params.layers) or []
        return StackTable(stack_rows(params.layers, ["×".join(map(str, s)) for s in shapes]), True)
    return None
