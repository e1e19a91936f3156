"""Rendering bank items and problems with rich."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from quizzer import messages as msg
from quizzer.bank.schema import BankItem
from quizzer.grading.kinds import item_reveal


def render_item(item: BankItem, lang: str, *, version: int | None = None) -> Panel:
    parts: list = [Text(item.prompt.get(lang), style="bold"), Text("")]
    reveal = item_reveal(item)  # what the item's kind shows; styled here without asking which kind it is
    for choice in reveal.choices:
        mark = "✔" if choice.correct else " "
        parts.append(Text.assemble((f" {mark} {choice.letter}. ", "green" if choice.correct else ""), choice.text.get(lang)))
        parts.append(Text(f"      {msg.label(msg.CARD_WHY, lang)}{choice.why.get(lang)}", style="dim"))
    parts += [Text(""), Text.assemble((msg.label(msg.ANSWER, lang), "bold green"), reveal.answer.get(lang))]
    if reveal.points:
        parts.append(Text(msg.heading(msg.CARD_KEY_POINTS, lang), style="bold"))
        for point in reveal.points:
            parts.append(Text(f"  • {point.point.get(lang)}  [{msg.label(msg.CARD_KEYWORDS, lang)}{point.keywords.get(lang)}]"))
    parts += [Text(""), Text.assemble((msg.label(msg.EXPLANATION, lang), "bold"), item.explanation.get(lang))]
    if item.notes_correction:
        nc = item.notes_correction
        parts += [
            Text(""),
            Text(msg.CARD_CORRECTION.get(lang), style="bold yellow"),
            Text(f"  {msg.label(msg.CARD_CLAIM, lang)}{nc.claim.get(lang)}"),
            Text(f"  {msg.label(msg.CARD_TRUTH, lang)}{nc.truth.get(lang)}"),
            Text(f"  {msg.label(msg.CARD_REASON, lang)}{nc.why.get(lang)}"),
        ]
    topic = msg.TOPIC_TITLES[item.topic].get(lang)
    subtitle = escape(msg.CARD_VERSION.format(version=version).get(lang)) if version else None
    title = escape(f"{item.id} · {topic} · {item.kind} · ★{item.difficulty}")
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left", expand=False)
