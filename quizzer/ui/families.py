"""The family list (``quizzer families``) and one family's parameters (``families FAMILY``, ``solve FAMILY --help``).

What a learner must type — family and parameter names — is never cut: names sit in columns as wide as the
longest name, and only the prose beside them wraps (through ``Wrapped``, so Chinese breaks between
characters). The example command is printed unwrapped, to be copied whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from quizzer import messages as msg
from quizzer.generators.describe import FamilyDoc, ParamDoc
from quizzer.text import BiText
from quizzer.textwrap_cjk import cell_width
from quizzer.ui.render import Wrapped

INDENT = "  "
MEANING_INDENT = "      "


def _grid(widths: Sequence[int]) -> Table:
    """Columns of fixed widths (every topic's grid lines up with the header's), then one that takes the rest."""
    grid = Table.grid(padding=(0, 2))
    for width in widths:
        grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    return grid


def family_list(rows: Iterable[dict[str, Any]], lang: str) -> RenderableType:
    """The families grouped by topic (in the notes' order): name, difficulties, answer type, what it asks."""
    rows = list(rows)
    headers = [msg.FAMILY.get(lang), msg.FAMILY_DIFFICULTY.get(lang), msg.FAMILY_ANSWER.get(lang)]
    cells = [[INDENT + r["name"], f"{r['difficulties'][0]}–{r['difficulties'][-1]}", r["answer"]] for r in rows]
    widths = [max(cell_width(c) for c in column) for column in zip(headers, *cells, strict=True)]
    parts: list[RenderableType] = [
        Text(msg.FAMILIES_TITLE.format(len(rows)).get(lang), style="bold"),
        Text(msg.FAMILIES_MORE.get(lang), style="dim"),
        Text(""),
    ]
    header = _grid(widths)
    header.add_row(*(Text(h, style="bold") for h in headers), Text(msg.FAMILY_ASKS.get(lang), style="bold"))
    parts.append(header)
    for topic, group in groupby(zip(rows, cells, strict=True), key=lambda rc: rc[0]["topic"]):
        parts.append(Text(f"{msg.TOPIC_TITLES[topic].get(lang)} · {topic}", style="cyan"))
        grid = _grid(widths)
        for row, (name, levels, answer) in group:
            grid.add_row(Text(name, style="bold"), levels, answer, Wrapped(row["title"][lang]))
        parts.append(grid)
    return Group(*parts)


def _param_line(p: ParamDoc, name_width: int, lang: str) -> RenderableType:
    if p.required:
        default = msg.PARAM_REQUIRED.get(lang)
    elif p.default is None:
        default = msg.PARAM_UNSET.get(lang)
    else:
        default = msg.PARAM_DEFAULT.format(value=p.default).get(lang)
    details = " · ".join(part for part in (p.type, p.allowed.get(lang), default) if part)
    # The name is the prefix: it stays whole on the first line, the details wrap beneath at the same indent.
    prefix = Text(INDENT + p.name.ljust(name_width) + "  ", style="bold")
    head = Wrapped(Text(details, style="green"), prefix=prefix, indent=" " * prefix.cell_len)
    body = Wrapped(p.meaning.get(lang), prefix=MEANING_INDENT, indent=MEANING_INDENT)
    return Group(head, body)


def family_doc(
    doc: FamilyDoc, lang: str, usage: str | None = None, options: Sequence[tuple[str, BiText]] = ()
) -> RenderableType:
    """One family: title, topic, answer form, every parameter, ``solve``'s ``options`` that apply to it (for
    ``solve FAMILY --help``), and a command that solves a real instance.

    Print it with ``crop=False`` so that the example command reaches the copy buffer whole.
    """
    levels = f"{doc.difficulties[0]}–{doc.difficulties[-1]}"
    facts = (
        f"{msg.label(msg.TOPIC, lang)}{doc.topic} · {msg.label(msg.FAMILY_ANSWER, lang)}{doc.answer}"
        f" · {msg.label(msg.FAMILY_DIFFICULTY, lang)}{levels}"
    )
    parts: list[RenderableType] = []
    if usage:
        parts += [Text(usage), Text("")]
    parts += [
        Wrapped(
            doc.title.get(lang), prefix=Text(doc.name + "  ", style="bold"), indent=" " * (cell_width(doc.name) + 2)
        ),
        Wrapped(facts, style="dim"),
        Text(""),
        Text(msg.heading(msg.FAMILY_PARAMETERS, lang), style="bold"),
    ]
    # Align the details when the names are short; a long name would squeeze the details of every parameter.
    widest = max((len(p.name) for p in doc.parameters), default=0)
    name_width = widest if widest <= 16 else 0
    parts += [_param_line(p, name_width, lang) for p in doc.parameters]
    if options:
        parts += [Text(""), Text(msg.heading(msg.SOLVE_OPTIONS, lang), style="bold")]
        grid = _grid([max(cell_width(INDENT + name) for name, _ in options)])
        for name, meaning in options:
            grid.add_row(Text(INDENT + name, style="bold"), Wrapped(meaning.get(lang)))
        parts.append(grid)
    parts += [Text(""), Text(msg.heading(msg.FAMILY_EXAMPLE, lang), style="bold")]
    # A command line to copy: never wrapped (the terminal folds it if it must); print with crop=False.
    parts.append(Text(INDENT + doc.example, no_wrap=True, overflow="ignore"))
    return Group(*parts)
