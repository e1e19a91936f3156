"""Rendering bank items and problems with rich."""

from __future__ import annotations

import string

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from quizzer import messages as msg
from quizzer.bank.schema import BankItem, FillItem, MultiItem, NumericItem, OpenItem, SingleItem, TrueFalseItem


def render_item(item: BankItem, lang: str, *, version: int | None = None) -> Panel:
    parts: list = [Text(item.prompt.get(lang), style="bold"), Text("")]
    if isinstance(item, (SingleItem, MultiItem)):
        correct = {item.answer} if isinstance(item, SingleItem) else set(item.answer)
        for letter, option in zip(string.ascii_uppercase, item.options):
            mark = "✔" if letter in correct else " "
            parts.append(Text.assemble((f" {mark} {letter}. ", "green" if letter in correct else ""), option.text.get(lang)))
            parts.append(Text(f"      {msg.label(msg.CARD_WHY, lang)}{option.why.get(lang)}", style="dim"))
        answer = ", ".join(sorted(correct))
    elif isinstance(item, TrueFalseItem):
        answer = (msg.TRUE if item.answer else msg.FALSE).get(lang)
    elif isinstance(item, FillItem):
        answer = " / ".join(item.accepted)
    elif isinstance(item, NumericItem):
        answer = f"{item.value:g}" + (f" {item.unit}" if item.unit else "")
        if item.tolerance:
            answer += msg.CARD_TOLERANCE.format(tolerance=f"{item.tolerance:g}").get(lang)
    elif isinstance(item, OpenItem):
        answer = item.reference.get(lang)
    parts += [Text(""), Text.assemble((msg.label(msg.ANSWER, lang), "bold green"), answer)]
    if isinstance(item, OpenItem):
        parts.append(Text(msg.heading(msg.CARD_KEY_POINTS, lang), style="bold"))
        for point in item.key_points:
            words = ", ".join(getattr(point.keywords, lang))
            parts.append(Text(f"  • {point.point.get(lang)}  [{msg.label(msg.CARD_KEYWORDS, lang)}{words}]"))
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
