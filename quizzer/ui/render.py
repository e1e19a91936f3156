"""Rendering bank items and problems with rich."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from quizzer.bank.schema import BankItem
from quizzer.grading.kinds import item_reveal
from quizzer.topics import TITLE_OF

LABELS = {
    "zh": {"answer": "答案", "explanation": "解析", "why": "理由", "correction": "笔记勘误", "claim": "笔记原说法",
           "truth": "正确说法", "reason": "原因", "reference": "参考答案", "key_points": "要点", "keywords": "关键词",
           "accepted": "可接受答案", "true": "对", "false": "错", "tolerance": "容差", "version": "版本"},
    "en": {"answer": "Answer", "explanation": "Explanation", "why": "why", "correction": "Correction to the notes",
           "claim": "The notes say", "truth": "What is true", "reason": "Why", "reference": "Reference answer",
           "key_points": "Key points", "keywords": "keywords", "accepted": "Accepted answers", "true": "true",
           "false": "false", "tolerance": "tolerance", "version": "version"},
}


def render_item(item: BankItem, lang: str, *, version: int | None = None) -> Panel:
    t = LABELS[lang]
    parts: list = [Text(item.prompt.get(lang), style="bold"), Text("")]
    reveal = item_reveal(item)  # what the item's kind shows; styled here without asking which kind it is
    for choice in reveal.choices:
        mark = "✔" if choice.correct else " "
        parts.append(Text.assemble((f" {mark} {choice.letter}. ", "green" if choice.correct else ""), choice.text.get(lang)))
        parts.append(Text(f"      {t['why']}: {choice.why.get(lang)}", style="dim"))
    parts += [Text(""), Text.assemble((f"{t['answer']}: ", "bold green"), reveal.answer.get(lang))]
    if reveal.points:
        parts.append(Text(f"{t['key_points']}:", style="bold"))
        for point in reveal.points:
            parts.append(Text(f"  • {point.point.get(lang)}  [{t['keywords']}: {point.keywords.get(lang)}]"))
    parts += [Text(""), Text.assemble((f"{t['explanation']}: ", "bold"), item.explanation.get(lang))]
    if item.notes_correction:
        nc = item.notes_correction
        parts += [
            Text(""),
            Text(f"{t['correction']}", style="bold yellow"),
            Text(f"  {t['claim']}: {nc.claim.get(lang)}"),
            Text(f"  {t['truth']}: {nc.truth.get(lang)}"),
            Text(f"  {t['reason']}: {nc.why.get(lang)}"),
        ]
    topic = TITLE_OF[item.topic][lang]
    subtitle = f"{t['version']} {version}" if version else None
    title = escape(f"{item.id} · {topic} · {item.kind} · ★{item.difficulty}")
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left", expand=False)
