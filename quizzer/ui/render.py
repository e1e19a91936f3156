"""Rendering bank items and problems with rich."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.panel import Panel
from rich.text import Text

from quizzer import messages as msg
from quizzer.bank.schema import BankItem
from quizzer.grading.kinds import item_reveal
from quizzer.textwrap_cjk import cell_width, wrap_spans


def wrapped(body: str | Text, width: int, *, prefix: str | Text = "", indent: str = "", style: str = "") -> Text:
    """``body`` broken into lines of at most ``width`` cells by ``quizzer.textwrap_cjk`` (which, unlike rich,
    breaks Chinese between characters): ``prefix`` starts the first line, ``indent`` every other one.

    The lines already fit, so rich prints them as they are; its own wrapping stays as a safety net.
    """
    body = body if isinstance(body, Text) else Text(body)
    head = prefix if isinstance(prefix, Text) else Text(prefix)
    out = Text(style=style)
    for k, (start, end) in enumerate(wrap_spans(body.plain, width, first_used=head.cell_len, used=cell_width(indent))):
        if k:
            out.append("\n" + indent)
        else:
            out.append_text(head)
        out.append_text(body[start:end])
    return out


class Wrapped:
    """A paragraph that wraps with ``wrapped`` at whatever width it is given: the console's, or a panel's inside."""

    def __init__(self, body: str | Text, *, prefix: str | Text = "", indent: str = "", style: str = "") -> None:
        self.body, self.prefix, self.indent, self.style = body, prefix, indent, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield wrapped(self.body, options.max_width, prefix=self.prefix, indent=self.indent, style=self.style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # As wide as its longest paragraph when there is room; it can shrink to a few cells.
        text = Text.assemble(self.prefix, self.body)
        widest = max((cell_width(line) for line in text.plain.split("\n")), default=0)
        return Measurement(min(widest, 8), widest).clamp(max_width=options.max_width)


def render_item(item: BankItem, lang: str, *, version: int | None = None) -> Panel:
    parts: list = [Wrapped(item.prompt.get(lang), style="bold"), Text("")]
    reveal = item_reveal(item)  # what the item's kind shows; styled here without asking which kind it is
    for choice in reveal.choices:
        mark = "✔" if choice.correct else " "
        head = Text(f" {mark} {choice.letter}. ", style="green" if choice.correct else "")
        parts.append(Wrapped(choice.text.get(lang), prefix=head, indent="      "))
        parts.append(
            Wrapped(choice.why.get(lang), prefix=f"      {msg.label(msg.CARD_WHY, lang)}", indent="      ", style="dim")
        )
    parts += [Text(""), Wrapped(reveal.answer.get(lang), prefix=Text(msg.label(msg.ANSWER, lang), style="bold green"))]
    if reveal.points:
        parts.append(Text(msg.heading(msg.CARD_KEY_POINTS, lang), style="bold"))
        for point in reveal.points:
            parts.append(
                Wrapped(
                    f"{point.point.get(lang)}  [{msg.label(msg.CARD_KEYWORDS, lang)}{point.keywords.get(lang)}]",
                    prefix="  • ",
                    indent="    ",
                )
            )
    parts += [
        Text(""),
        Wrapped(item.explanation.get(lang), prefix=Text(msg.label(msg.EXPLANATION, lang), style="bold")),
    ]
    if item.notes_correction:
        nc = item.notes_correction
        parts += [
            Text(""),
            Text(msg.CARD_CORRECTION.get(lang), style="bold yellow"),
            Wrapped(nc.claim.get(lang), prefix=f"  {msg.label(msg.CARD_CLAIM, lang)}", indent="  "),
            Wrapped(nc.truth.get(lang), prefix=f"  {msg.label(msg.CARD_TRUTH, lang)}", indent="  "),
            Wrapped(nc.why.get(lang), prefix=f"  {msg.label(msg.CARD_REASON, lang)}", indent="  "),
        ]
    topic = msg.TOPIC_TITLES[item.topic].get(lang)
    subtitle = escape(msg.CARD_VERSION.format(version=version).get(lang)) if version else None
    title = escape(f"{item.id} · {topic} · {item.kind} · ★{item.difficulty}")
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left", expand=False)
