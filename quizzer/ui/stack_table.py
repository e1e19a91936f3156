"""The per-layer table of a stack family (``quizzer.generators.stack_table``) drawn with rich."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizzer import messages as msg
from quizzer.generators.stack_table import StackRow, StackTable


def show_stack_table(out: Console, table: StackTable, lang: str, *, show_all: bool = False) -> None:
    """Print ``table``, folded past 40 rows unless ``show_all``; cells wrap, identifiers are never cut."""
    head, hidden, tail = table.fold(show_all)
    layers = sum(row.number is not None for row in table.rows)
    grid = Table(title=msg.STACK_TABLE_TITLE.format(layers).get(lang), box=box.SIMPLE_HEAD, pad_edge=False)
    grid.add_column(msg.STACK_NUMBER.get(lang), justify="right", no_wrap=True)
    grid.add_column(msg.STACK_LAYER.get(lang), overflow="fold", ratio=1)
    if table.has_size:
        grid.add_column(msg.STACK_OUTPUT.get(lang), justify="right", overflow="fold")
    for col in (msg.STACK_RF, msg.STACK_JUMP, msg.STACK_START):
        grid.add_column(col.get(lang), justify="right", no_wrap=True)

    def add(rows: tuple[StackRow, ...]) -> None:
        for row in rows:
            cells = [str(row.number or ""), row.layer] + [row.size] * table.has_size + [row.rf, row.jump, row.start]
            # Text, not markup: a layer's text is the user's and may hold brackets.
            grid.add_row(*(Text(cell) for cell in cells), style="dim" if row.number is None else None)

    add(head)
    if hidden:
        gap = Text(msg.STACK_HIDDEN.format(hidden).get(lang))
        grid.add_row(Text(""), gap, *[Text("")] * (3 + table.has_size), style="italic")
        add(tail)
    out.print(grid)
