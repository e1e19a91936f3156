"""Turn markdown Q&A notes into draft ``open`` items.

The expected shape is the learner's: each section starts with a ``####``
heading that asks a question (optionally inside a list item and bold), and
its body holds numbered or bulleted points, ``**term**：explanation``
paragraphs, ``#####`` sub-headings and plain paragraphs. Every point becomes a
key point; the Chinese side is filled from the notes, the English side is left
empty for the learner, so ``bank validate`` lists exactly what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quizzer.errors import QuizzerError

_HEADING = re.compile(r"^\s*(?:[-*+]\s+)?(#{4,5})(?!#)\s*(.+?)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.、)]|[-*+])\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_IMG = re.compile(r"<img\b[^>]*>|!\[[^\]]*\]\([^)]*\)", re.I)
_CLAUSE_END = re.compile(r"[，,。：:；;（(]")

# Heading words that identify a topic, checked in order (more specific first).
_TOPIC_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("conv1x1", ("1*1", "1×1", "1x1")),
    ("receptive-field", ("感受野", "receptive")),
    ("pooling", ("池化", "pooling")),
    ("batchnorm-layernorm", ("batchnorm", "layernorm", "批归一化", "层归一化")),
    ("epoch-batch-iteration", ("epoch", "iteration")),
    ("gradient-descent", ("梯度下降", "gradient descent")),
    ("gradients", ("梯度消失", "梯度爆炸", "vanishing", "exploding")),
    ("activations", ("激活", "relu", "sigmoid", "activation")),
    ("regularization-normalization", ("正则", "规范化", "regulariz")),
    ("lr-decay", ("学习率", "learning rate")),
    ("momentum", ("动量", "momentum")),
    ("residual", ("残差", "residual")),
    ("cnn", ("卷积神经网络", "cnn", "convolutional")),
)


@dataclass
class NoteSection:
    number: int
    question: str
    line: int
    points: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    text = _IMG.sub("", text)
    text = text.replace("\u00a0", " ").replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text).strip()


def parse_notes(markdown: str) -> list[NoteSection]:
    sections: list[NoteSection] = []
    current: NoteSection | None = None
    subheading = ""
    paragraph: list[str] = []

    def flush() -> None:
        if current is not None and paragraph:
            text = _clean(" ".join(paragraph))
            if text:
                current.points.append(f"{subheading}：{text}" if subheading else text)
        paragraph.clear()

    for number, raw in enumerate(markdown.splitlines(), start=1):
        heading = _HEADING.match(raw)
        if heading:
            flush()
            title = _clean(_BOLD.sub(r"\1", heading.group(2)))
            if len(heading.group(1)) == 4:
                current = NoteSection(len(sections) + 1, title, number)
                sections.append(current)
                subheading = ""
            else:
                subheading = title
            continue
        if current is None:
            continue
        if not _clean(raw):
            flush()
            continue
        item = _LIST_ITEM.match(raw)
        if item:
            flush()
            paragraph.append(item.group(1))
        else:
            paragraph.append(raw)
    flush()
    return sections


def guess_topic(question: str) -> str | None:
    lowered = question.lower()
    for slug, hints in _TOPIC_HINTS:
        if any(h in lowered for h in hints):
            return slug
    return None


def _keywords(point: str) -> list[str]:
    """Bold terms and the point's opening clause: a starting list the learner should prune."""
    words = [_clean(w) for w in _BOLD.findall(point)]
    plain = _BOLD.sub(r"\1", point)
    head = _CLAUSE_END.split(plain, maxsplit=1)[0].strip()
    if head and len(head) <= 16:
        words.append(head)
    seen: list[str] = []
    for w in words:
        if w and w not in seen:
            seen.append(w)
    return seen[:4] or [plain[:12]]


def draft_items(sections: list[NoteSection], *, id_prefix: str = "notes") -> list[dict]:
    items = []
    for section in sections:
        points = [p for p in section.points if p]
        topic = guess_topic(section.question)
        items.append(
            {
                "id": f"{id_prefix}-{section.number:02d}",
                "topic": topic or "TODO",
                "kind": "open",
                "difficulty": 2,
                "section": section.number,
                "tags": ["from-notes"],
                "prompt": {"zh": section.question, "en": ""},
                "reference": {"zh": "\n".join(_BOLD.sub(r"\1", p) for p in points) or section.question, "en": ""},
                "key_points": [
                    {"point": {"zh": _BOLD.sub(r"\1", p), "en": ""}, "keywords": {"zh": _keywords(p), "en": []}}
                    for p in points
                ],
                "explanation": {"zh": "（请补充解析）", "en": ""},
            }
        )
    return items


def import_notes(path: Path, *, id_prefix: str = "notes") -> str:
    """The YAML text of a draft bank file built from the notes at ``path``."""
    try:
        markdown = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuizzerError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise QuizzerError(f"{path}: not UTF-8 text") from None
    sections = parse_notes(markdown)
    if not sections:
        raise QuizzerError(
            f"{path}: no '####' question headings found; see `quizzer notes import --help` for the format"
        )
    header = (
        f"# Draft generated by `quizzer notes import` from {path.name}: {len(sections)} sections.\n"
        "# Fill in every empty English text (en: '') and the English keywords, prune the Chinese\n"
        "# keywords, fix any topic: TODO, then run `quizzer bank validate` on this file.\n"
    )
    body = yaml.safe_dump(
        {"schema": 1, "items": draft_items(sections, id_prefix=id_prefix)},
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return header + body
