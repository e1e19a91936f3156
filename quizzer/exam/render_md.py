"""Markdown sheets and keys: every version in one file each, separated by a rule.

Bank and spec text is escaped (every CommonMark punctuation that could start markup), so a prompt can never
turn into a link, an image, raw HTML or a heading.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# CommonMark punctuation that can start or end markup anywhere in a line. Parentheses and "!" only act
# after "]" or before "[", which are escaped, so they stay readable: nn.Conv2d(3, 64) rather than nn.Conv2d\(3, 64\).
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# Markers that only matter at the start of a line: lists (-, +, 1. or 1)) and setext headings (=, -).
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.MULTILINE)


# A bank item's texts repeat in every version: each distinct text is escaped once.
@lru_cache(maxsize=8192)
def md_escape(text: str) -> str:
    """``text`` as literal Markdown: punctuation escaped, list/heading markers at line starts neutralised."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if m.group(2) in "-+="
            else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1]
        ),
        escaped,
    )


def _block(text: str, indent: str = "") -> list[str]:
    """A multi-line text as hard-broken lines (two trailing spaces), indentation kept with non-breaking spaces."""
    return list(_block_lines(text, indent))


@lru_cache(maxsize=8192)
def _block_lines(text: str, indent: str) -> tuple[str, ...]:
    out = []
    for line in text.splitlines() or [""]:
        stripped = line.lstrip(" ")
        pad = "\u00a0" * (len(line) - len(stripped))
        out.append(f"{indent}{pad}{md_escape(stripped)}  ")
    return tuple(out)


def _header(doc: dict[str, Any], code: str, key: bool) -> list[str]:
    L = doc["labels"]
    title = md_escape(doc["title"]) + (f" · {L['key']}" if key else "")
    facts = [f"{L['version']} **{code}**"]
    if doc["time"]:
        facts.append(f"{L['time']} {md_escape(doc['time'])}")
    facts.append(f"{L['total']} {md_escape(doc['total_text'])}")
    if doc["date"]:
        facts.append(f"{L['date']} {doc['date']}")
    lines = [f"# {title} · {L['version']} {code}", "", " · ".join(facts), ""]
    if not key:
        lines += [f"{L['name']}{L['colon']}______________    {L['student']}{L['colon']}______________", ""]
        if doc["instructions"]:
            lines += ["> " + line for line in _block(doc["instructions"])] + [""]
    return lines


def _sheet_question(q: dict[str, Any], L: dict[str, str]) -> list[str]:
    lines = [f"**{q['number']}.** ({md_escape(q['points_text'])})  ", *_block(q["prompt"]), ""]
    for option in q["options"]:
        lines.append(f"- **{option['letter']}.** {md_escape(option['text'])}")
    if q["options"]:
        lines.append("")
    lines.append(f"*{L['form']}{L['colon']}{md_escape(q['form'])}*  ")
    if q["space"] == "lines":
        lines += [f"{L['answer']}:", ""] + ["\\_" * 40 + "  " for _ in range(6)]
    else:
        lines.append(f"{L['answer']}{L['colon']}" + "\\_" * (12 if q["space"] == "box" else 24))
    return [*lines, ""]


def _key_question(q: dict[str, Any], L: dict[str, str]) -> list[str]:
    lines = [f"**{q['number']}.** ({md_escape(q['points_text'])}) · `{q['source']}`  ", *_block(q["prompt"]), ""]
    answer = _block(q["answer"])
    lines += [f"**{L['answer']}:** {answer[0]}", *answer[1:], ""]
    if q["analysis"]:
        lines += [f"**{L['why']}**", ""]
        for option in q["options"]:
            mark = "✓" if option["correct"] else "✗"
            lines.append(f"- **{option['letter']}** {mark} {md_escape(option['text'])} — {md_escape(option['why'])}")
        lines.append("")
    if q["solution"]:
        lines += [f"**{L['solution']}**  ", *_block(q["solution"]), ""]
    if q["mistakes"]:
        lines += [f"**{L['mistakes']}**", ""]
        lines += [f"- {md_escape(m['value'])} ← {md_escape(m['diagnosis'])}" for m in q["mistakes"]] + [""]
    if q["key_points"]:
        lines += [f"**{L['key_points']}**", ""]
        lines += [f"{i}. {md_escape(k['point'])}" for i, k in enumerate(q["key_points"], 1)] + [""]
    if q["explanation"]:
        lines += [f"**{L['explanation']}:** {md_escape(q['explanation'])}", ""]
    return lines


def render_markdown(doc: dict[str, Any], *, key: bool) -> str:
    L = doc["labels"]
    out: list[str] = []
    for i, version in enumerate(doc["versions"]):
        if i:
            out += ["---", ""]
        out += _header(doc, version["code"], key)
        for section in version["sections"]:
            if section["title"]:
                out += [f"## {md_escape(section['title'])}", ""]
            if section["instructions"] and not key:
                out += [f"*{md_escape(section['instructions'])}*", ""]
            for q in section["questions"]:
                out += _key_question(q, L) if key else _sheet_question(q, L)
    return "\n".join(out).rstrip() + "\n"


def render_markdown_files(doc: dict[str, Any]) -> dict[str, str]:
    return {"sheets.md": render_markdown(doc, key=False), "keys.md": render_markdown(doc, key=True)}
