"""Find the questions in markdown study notes, whatever common shape they are written in.

Shapes recognised (``SHAPES``):

- ``heading``: an ATX heading at any level that asks something (``### 3.1.1 神经网络组成？``,
  ``- #### **为什么要用池化**``, ``## What is dropout``); the text under it, down to the next heading at
  the same or a shallower level, is the answer. Deeper headings that do not ask anything are sub-headings
  of the answer.
- ``bold``: a top-level list item or paragraph that is a bold question alone (``- **什么是过拟合？**``).
- ``qa``: ``问：…`` / ``答：…`` and ``Q: …`` / ``A: …`` pairs.
- ``oneliner``: ``question::answer`` (the Obsidian spaced-repetition convention).

Headings that do not ask anything group the questions under them; those at the chapter level name the
questions' topic. Fenced code and ``$$`` math blocks are answer text, never searched for questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SHAPES: dict[str, str] = {
    "heading": "headings that ask a question (### 3.1.1 神经网络组成？)",
    "bold": "bold list items or lines (- **什么是过拟合？**)",
    "qa": "问：/答： or Q:/A: pairs",
    "oneliner": "question::answer one-liners",
}

_HEADING = re.compile(r"^ {0,3}(?:[-*+]\s+)?(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TOC = re.compile(r"^\s*(?:\[TOC\]|\[\[_?TOC_?\]\]|\{:toc\}|\[\[toc\]\]|\$\{toc\})\s*$", re.I)
# A bold question alone on its line; a trailing colon would make it a label ("**作用**：") instead.
_BOLD_LINE = re.compile(r"^(?:[-*+]\s+|\d+[.)、]\s+)?(?:\*\*|__)(.+?)(?:\*\*|__)\s*$")
_QUESTION_MARK = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*)?(?:问|Q|Question)(?:\*\*)?\s*[:：](?:\*\*)?\s*(.*)$", re.I)
_ANSWER_MARK = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*)?(?:答|A|Answer)(?:\*\*)?\s*[:：](?:\*\*)?\s*(.*)$", re.I)
_ONELINER = re.compile(r"^\s*(?:[-*+]\s+)?(.+?)(?<!:)::(?!:)(.+)$")
_CODE_SPAN = re.compile(r"`[^`]*`")
# Section numbers and chapter words in front of a heading: "3.1.1", "3.1.1.", "1)", "第三章", "Chapter 2:".
_NUMBERING = re.compile(
    r"^\s*(?:(?:第[一二三四五六七八九十百零\d]+[章节部分篇]|chapter\s+\d+|part\s+\d+)\s*[:：.、]?\s*"
    r"|\d+(?:\.\d+)*[.、)]?\s+|\d+(?:\.\d+)+\s*|[(（]?\d+[)）]\s*)",
    re.I,
)
_ZH_ASKS = re.compile(
    r"什么|为什么|为何|如何|怎么|怎样|哪些|哪个|哪种|哪几|是否|吗|呢|区别|异同|作用|优缺点|优势|劣势|意义|原理|含义|"
    r"解释|讨论|谈谈|简述|描述|介绍|说明|比较|对比|理解|定义|几种|多少|能否|可否|何时|为啥|有何|举例|推导|证明"
)
_EN_ASKS = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"explain|describe|compare|contrast|discuss|define|name|list|give|derive|prove|state|outline|summari[sz]e)\b",
    re.I,
)


def is_question(text: str) -> bool:
    """Whether a heading or bold line asks something: a question mark, or a word that asks or asks to explain."""
    text = text.strip()
    if text.endswith(("?", "？")):
        return True
    return bool(_ZH_ASKS.search(text) or _EN_ASKS.match(text))


def strip_numbering(text: str) -> str:
    """``3.1.1 神经网络组成？`` → ``神经网络组成？``; a heading that is only a number is left alone."""
    stripped = _NUMBERING.sub("", text, count=1).strip()
    return stripped or text.strip()


def inline_plain(text: str) -> str:
    """Heading text without emphasis markers, HTML tags and anchors."""
    text = re.sub(r"\*\*|__|(?<![\w$])\*(?!\s)|(?<!\s)\*(?![\w$])", "", text)
    text = re.sub(r"<a\b[^>]*>|</a>|\{#[^}]*\}", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class NoteQuestion:
    """One question found in the notes with its answer as markdown lines (dedented, comments and TOC gone)."""

    question: str
    shape: str
    line: int
    chapter: str | None = None  # the chapter heading it is under (its topic), numbering kept
    answer: list[str] = field(default_factory=list)

    @property
    def has_answer(self) -> bool:
        return any(line.strip() for line in self.answer)


def _without_comments(markdown: str) -> str:
    # Replace each comment by as many newlines as it spans, so line numbers stay true.
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)


@dataclass
class _Heading:
    level: int
    text: str
    asks: bool
    line: int


def _headings(lines: list[str]) -> list[_Heading | None]:
    """The heading on each line (None elsewhere), skipping fenced code and $$ math blocks."""
    out: list[_Heading | None] = []
    fence: str | None = None
    math = False
    for number, raw in enumerate(lines, start=1):
        found = None
        fence_mark = _FENCE.match(raw)
        if fence_mark and not math:
            fence = None if fence == fence_mark.group(1) else fence or fence_mark.group(1)
        elif fence is None and raw.strip() == "$$":
            math = not math
        elif fence is None and not math:
            heading = _HEADING.match(raw)
            if heading and heading.group(2):
                text = inline_plain(heading.group(2))
                found = _Heading(len(heading.group(1)), text, is_question(strip_numbering(text)), number)
        out.append(found)
    return out


def _chapter_level(headings: list[_Heading]) -> int | None:
    """The heading level that names chapters: the shallowest level of non-question headings, unless only one
    heading has it (a document title) and deeper ones exist."""
    levels = sorted({h.level for h in headings if not h.asks})
    for level in levels:
        if sum(1 for h in headings if not h.asks and h.level == level) > 1 or level == levels[-1]:
            return level
    return None


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] if line.strip() else "" for line in lines]


def parse_notes(markdown: str) -> list[NoteQuestion]:
    """Every question in ``markdown`` with its answer, in the order written (questions with no answer dropped)."""
    lines = _without_comments(markdown.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    marks = _headings(lines)
    chapter_level = _chapter_level([h for h in marks if h is not None])
    questions: list[NoteQuestion] = []
    current: NoteQuestion | None = None
    current_level = 7  # heading level of the current question (7: not a heading question)
    chapter: str | None = None
    awaiting_answer = False  # a Q: question whose A: has not come yet
    fence: str | None = None
    math = False

    def start(text: str, shape: str, number: int) -> NoteQuestion:
        question = NoteQuestion(text, shape, number, chapter)
        questions.append(question)
        return question

    for number, raw in enumerate(lines, start=1):
        heading = marks[number - 1]
        in_block = fence is not None or math
        fence_mark = _FENCE.match(raw)
        if fence_mark and not math:
            fence = None if fence == fence_mark.group(1) else fence or fence_mark.group(1)
        elif fence is None and raw.strip() == "$$":
            math = not math
        if in_block or fence_mark or (raw.strip() == "$$"):
            if current is not None:
                current.answer.append(raw)
            continue
        if _TOC.match(raw):
            continue
        if heading is not None:
            awaiting_answer = False
            if heading.asks:
                current, current_level = start(strip_numbering(heading.text), "heading", number), heading.level
                continue
            if current is not None and heading.level > current_level:
                current.answer.append(f"{'#' * heading.level} {strip_numbering(heading.text)}")  # a sub-heading
                continue
            current, current_level = None, 7
            if chapter_level is not None and heading.level == chapter_level:
                chapter = heading.text
            elif chapter_level is not None and heading.level < chapter_level:
                chapter = None
            continue
        plain = _CODE_SPAN.sub("", raw)
        asked = _QUESTION_MARK.match(plain)
        if asked:
            current, current_level = start(strip_numbering(asked.group(1).strip()), "qa", number), 7
            awaiting_answer = True
            continue
        answered = _ANSWER_MARK.match(plain)
        if answered and current is not None and current.shape == "qa":
            awaiting_answer = False
            current.answer.append(answered.group(1))
            continue
        if awaiting_answer and current is not None and raw.strip():
            current.question = f"{current.question} {raw.strip()}"  # a question that runs on to the next line
            continue
        oneliner = _ONELINER.match(plain)
        if oneliner and not re.fullmatch(r"[A-Za-z_][\w.]*", oneliner.group(1).strip()):
            prompt, answer = inline_plain(oneliner.group(1)), oneliner.group(2).strip()
            if prompt and answer:
                start(prompt, "oneliner", number).answer.append(answer)
                current, current_level = None, 7
                continue
        bold = _BOLD_LINE.match(raw)
        # Inside a heading question's answer only a bold line with a question mark starts a new question.
        asks = bold and (
            bold.group(1).rstrip().endswith(("?", "？"))
            if current is not None and current.shape == "heading"
            else is_question(strip_numbering(bold.group(1)))
        )
        if bold and asks and not raw.startswith((" ", "\t")):
            current, current_level = start(strip_numbering(inline_plain(bold.group(1))), "bold", number), 7
            continue
        if current is not None:
            current.answer.append(raw)
    for question in questions:
        question.answer = _dedent(question.answer)
    return [q for q in questions if q.question and q.has_answer]
