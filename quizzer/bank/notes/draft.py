"""Draft bank items from the questions found in notes.

- A question with an answer becomes an ``open`` item: the answer (math, tables and code kept as text,
  images as "(figure omitted: path)") is the reference; each list entry, table row or paragraph is a key
  point (a single long paragraph is split into its sentences).
- Every **bold** term of an answer also becomes a cloze ``fill`` item: its sentence with the term blanked,
  the term the accepted answer (the way Anki and Obsidian users make cards from highlights).
- A ``question::answer`` one-liner becomes a ``fill`` item.

Keywords come from a point's own terms: bold and code, English terms in Chinese text, numbers, and only
when a point has none of those its content words, never the first characters of a sentence.
Ids are stable: ``<bank>-<hash of the question>`` (numbering and spacing ignored, so renumbering a chapter
keeps them), and ``-<hash of the term>`` added for a cloze.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from quizzer.bank.notes.parse import NoteQuestion, inline_plain, strip_numbering

MAX_TOPIC = 40  # the store's topic column
MAX_CLOZE_TERM = 40  # a longer bold passage is emphasis, not a term to recall
MAX_KEYWORDS = 4
SENTENCE_SPLIT_OVER = 80  # a lone paragraph longer than this is split into one key point per sentence
MIN_SENTENCE = 12  # a shorter sentence ("No.") joins the next one
BLANK = "____"

_IMAGE_MD = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_IMAGE_HTML = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]*)[^>]*>", re.I)
_FIGURE = re.compile(r"\(figure omitted: [^)]*\)")
_TAG = re.compile(r"</?(?:br|p|div|span|font|center|sup|sub|u|b|i|strong|em)\b[^>]*>", re.I)
_LIST = re.compile(r"^(\s*)(?:(\d+)[.)、]|[-*+])\s+(.*)$")
_SUBHEAD = re.compile(r"^#{1,6}\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_CODE = re.compile(r"`([^`]+)`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_EN_TERM = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:[-+./][A-Za-z0-9]+)*")
# Numbers and shapes as written: 0.25, 73728, 90%, 3x3, 64×56×56.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?(?:[x×]\d+)*%?(?![A-Za-z0-9_])")
_SENTENCE = re.compile(r"(?<=[。！？；!?;])\s*|(?<=[.])\s+(?=[A-Z])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Function words and filler that split Chinese text into content words when a point has no marked terms.
_ZH_FILLER = re.compile(
    r"[\s，,。.、；;：:！!？?（）()“”\"'《》\[\]【】{}|/\\=+\-*<>~^&%$#@`]+|"
    r"可以|能够|通过|进行|使得|使用|因为|所以|但是|而且|并且|或者|如果|那么|就是|也是|还是|一个|一种|这个|这些|那些|"
    r"对于|关于|由于|基于|作为|成为|认为|称为|对应|我们|他们|它们|其中|以及|之间|之后|之前|时候|的话|"
    r"一般|通常|比较|非常|主要|需要|没有|会|将|把|被|在|与|和|及|或|而|也|都|就|不|是|为|了|的|让|使"
)
_EN_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "as",
        "at",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "what",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "can",
        "could",
        "should",
        "would",
        "will",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "we",
        "you",
        "your",
        "our",
        "also",
        "only",
        "more",
        "most",
        "less",
        "each",
        "every",
        "any",
        "some",
        "such",
        "very",
        "into",
        "over",
        "under",
        "between",
        "about",
        "after",
        "before",
        "because",
        "while",
        "so",
        "if",
        "but",
        "both",
        "either",
        "neither",
        "one",
        "two",
        "using",
        "used",
        "use",
    ]
)


@dataclass(frozen=True)
class Drafted:
    """The items drafted from one question, as bank-file mappings, with the question they came from."""

    question: NoteQuestion
    items: list[dict[str, Any]]


def notes_language(markdown: str) -> str:
    """``zh`` when Chinese characters are a real share of the words (Chinese notes are full of English terms
    and math), else ``en``."""
    cjk = len(_CJK.findall(markdown))
    latin = len(_EN_TERM.findall(_MATH.sub(" ", markdown)))
    return "zh" if cjk >= 0.5 * latin and cjk > 0 else "en"


def _figure(match: re.Match[str]) -> str:
    return f"(figure omitted: {match.group(1) or 'image'})"


def clean_line(line: str) -> str:
    """One answer line as the quiz shows it: images as a note, HTML tags and non-breaking spaces gone."""
    if not any(c in line for c in "<!&\u00a0"):
        return line.rstrip()
    line = _IMAGE_MD.sub(_figure, line)
    line = _IMAGE_HTML.sub(_figure, line)
    line = _TAG.sub(" ", line).replace("&nbsp;", " ").replace("\u00a0", " ")
    return line.rstrip()


def plain(text: str) -> str:
    """Text without bold markers (math left exactly as written)."""
    if "**" not in text and "__" not in text:
        return text
    parts = []
    last = 0
    for math in _MATH.finditer(text):
        parts.append(_BOLD.sub(lambda m: m.group(1) or m.group(2), text[last : math.start()]))
        parts.append(math.group(0))
        last = math.end()
    parts.append(_BOLD.sub(lambda m: m.group(1) or m.group(2), text[last:]))
    return "".join(parts)


def _bold_terms(text: str) -> list[str]:
    if "**" not in text and "__" not in text:
        return []
    outside = _MATH.sub(" ", text)
    return [inline_plain(m.group(1) or m.group(2)) for m in _BOLD.finditer(outside)]


@dataclass
class _Block:
    kind: str  # entry | paragraph | row | code
    text: str
    context: str = ""  # the sub-heading the block is under, shown in front of its point

    @property
    def point(self) -> str:
        return f"{self.context}：{self.text}" if self.context else self.text


def _blocks(answer: list[str]) -> list[_Block]:
    """The answer's points in order: list entries (with their continuation lines), paragraphs, table rows,
    and code or display-math blocks (kept for the reference, never points). A sub-heading prefixes the points
    under it ("两种写法：…")."""
    blocks: list[_Block] = []
    paragraph: list[str] = []
    subheading = ""
    fence: str | None = None
    code: list[str] = []
    header_row: list[str] | None = None

    def flush() -> None:
        if paragraph:
            entry = _LIST.match(paragraph[0])
            kind = "entry" if entry else "paragraph"
            first = entry.group(3) if entry else paragraph[0]
            text = " ".join(p.strip() for p in [first, *paragraph[1:]]).strip()
            if text:
                blocks.append(_Block(kind, text, subheading if kind == "entry" else ""))
        paragraph.clear()

    for raw in answer:
        line = clean_line(raw)
        stripped = line.strip()
        if fence is not None:
            code.append(line)
            if stripped.startswith(fence) or (fence == "$$" and stripped.endswith("$$") and len(code) > 1):
                blocks.append(_Block("code", "\n".join(code)))
                fence, code = None, []
            continue
        if stripped.startswith(("```", "~~~")) or stripped == "$$":
            flush()
            fence, code = stripped[:3] if stripped != "$$" else "$$", [line]
            continue
        if stripped.startswith("|"):
            flush()
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if header_row is None:
                header_row = cells
                blocks.append(_Block("code", stripped))  # the header row: reference only
            else:
                blocks.append(_Block("row", "；".join(c for c in cells if c)))
            continue
        header_row = None
        heading = _SUBHEAD.match(stripped)
        if heading:
            flush()
            subheading = plain(heading.group(1)).strip()
            continue
        if not stripped:
            flush()
            continue
        entry = _LIST.match(line)
        if entry and len(entry.group(1)) <= 3:
            flush()
        paragraph.append(line)
    flush()
    if code:
        blocks.append(_Block("code", "\n".join(code)))
    return blocks


def reference_text(answer: list[str]) -> str:
    """The answer as shown after grading: markdown text without bold markers, blank runs collapsed."""
    lines = [plain(clean_line(line)) for line in answer]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _points(blocks: list[_Block]) -> list[_Block]:
    """List entries, table rows and paragraphs (not those that only introduce a list: "解决方法：", nor figures),
    in order; an answer that is one long paragraph gives one point per sentence (short ones kept together)."""
    points = [
        b
        for b in blocks
        if (b.kind in ("entry", "row") or (b.kind == "paragraph" and not b.text.rstrip().endswith((":", "："))))
        and _FIGURE.sub("", b.text).strip()
    ]
    if len(points) == 1 and points[0].kind == "paragraph" and len(plain(points[0].text)) > SENTENCE_SPLIT_OVER:
        sentences: list[str] = []
        for sentence in (s.strip() for s in _SENTENCE.split(points[0].text)):
            if sentences and len(sentences[-1]) < MIN_SENTENCE:
                sentences[-1] = f"{sentences[-1]} {sentence}".strip()
            elif sentence:
                sentences.append(sentence)
        return [_Block("paragraph", s) for s in sentences]
    return points


def keywords(point: str, question: str, lang: str) -> list[str]:
    """The point's own terms: bold, code, English terms (in Chinese text), numbers; then, while there are
    fewer than two, its content words. Words the question already contains come last: a learner who echoes
    the question has not shown the point."""
    point = _FIGURE.sub(" ", point)
    found: list[str] = []
    found += _bold_terms(point)
    outside = _MATH.sub(" ", point)
    found += [m.group(1).strip() for m in _CODE.finditer(outside)]
    text = plain(_CODE.sub(" ", outside))
    if lang == "zh":
        found += [t for t in _EN_TERM.findall(text) if len(t) >= 2 and t.lower() not in _EN_STOP]
    else:  # in English every word is Latin: take technical-looking terms (ReLU, L2, BatchNorm)
        found += [t for t in _EN_TERM.findall(text) if any(c.isupper() or c.isdigit() for c in t[1:])]
    found += [n for n in _NUMBER.findall(text) if len(n) >= 2]
    echoed = question.casefold()
    terms = _dedupe(w for w in found if w.casefold() not in echoed)
    if len(terms) < 2:
        terms = _dedupe([*terms, *_content_words(text, question, lang)])
    terms = terms or _dedupe(found)
    return terms[:MAX_KEYWORDS] or [plain(point).strip()[:12] or question[:12]]


def _dedupe(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        word = word.strip(" ：:，,。.;；")
        if word and len(word) <= 40 and word.casefold() not in (o.casefold() for o in out):
            out.append(word)
    return out


def _content_words(text: str, question: str, lang: str) -> list[str]:
    """Content words of a point with no marked terms, longest first, preferring those the question does not
    already contain (a learner echoing the question has not shown the point)."""
    if lang == "zh":
        words = [w for w in _ZH_FILLER.split(text) if 2 <= len(w) <= 8 and _CJK.search(w)]
    else:
        words = [w for w in _EN_TERM.findall(text) if len(w) >= 5 and w.lower() not in _EN_STOP]
    seen = dict.fromkeys(words)
    # Word-sized pieces (2–4 characters in Chinese) first: a learner types "梯度裁剪", not a whole clause.
    size = (lambda w: 0 if len(w) <= 4 else 1) if lang == "zh" else (lambda w: -min(len(w), 8))
    ranked = sorted(seen, key=lambda w: (w.lower() in question.lower(), size(w), words.index(w)))
    return [w for w in ranked if w.lower() not in question.lower()][:3]


def stable_id(bank: str, question: str, extra: str = "") -> str:
    """``<bank>-<8 hex>``: the same question text (numbering, spacing and case ignored) gives the same id."""
    key = re.sub(r"\s+", " ", strip_numbering(plain(question))).strip().rstrip("?？ ").casefold()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    if extra:
        digest += "-" + hashlib.sha256(extra.casefold().encode("utf-8")).hexdigest()[:4]
    return f"{bank}-{digest}"


def _one(lang: str, text: str) -> dict[str, str]:
    return {lang: text}


def _item(item_id: str, kind: str, difficulty: int, base: dict[str, Any], shape: str, **fields: Any) -> dict[str, Any]:
    """A bank-file mapping in the order a person reads one: id, kind, topic … then the kind's own fields."""
    return {
        "id": item_id,
        "kind": kind,
        "topic": base["topic"],
        "difficulty": difficulty,
        "tags": ["from-notes", shape],
        **fields,
    }


def _cloze_items(
    q: NoteQuestion, blocks: list[_Block], base: dict[str, Any], lang: str, bank: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for block in blocks:
        if block.kind == "code":
            continue
        for sentence in _SENTENCE.split(block.point) or [block.point]:
            for term in _bold_terms(sentence):
                folded = term.casefold()
                if not term or len(term) > MAX_CLOZE_TERM or folded in seen:
                    continue
                blanked = plain(sentence.replace(f"**{term}**", BLANK, 1).replace(f"__{term}__", BLANK, 1))
                if BLANK not in blanked or len(re.sub(r"[\W_]", "", blanked.replace(BLANK, ""))) < 4:
                    continue  # a bold label with nothing around it ("**解决方法**：") asks nothing
                seen.add(folded)
                context = f"（{q.question}）" if lang == "zh" else f"({q.question})"
                items.append(
                    _item(
                        stable_id(bank, q.question, term),
                        "fill",
                        1,
                        base,
                        "cloze",
                        prompt=_one(lang, f"{blanked.strip()}\n{context}"),
                        explanation=_one(lang, plain(sentence).strip()),
                        accepted=[term],
                    )
                )
    return items


def draft_question(q: NoteQuestion, *, bank: str, lang: str, topic: str, source: str) -> Drafted:
    """The open (or one-liner fill) item of one question plus a cloze item per bold term of its answer."""
    # No line number: an edit above a question must not make it a new version.
    where = f"出自笔记 {source}" if lang == "zh" else f"From the notes {source}"
    base: dict[str, Any] = {"topic": topic}
    prompt = plain(q.question).strip()
    if q.shape == "oneliner":
        answer = plain(" ".join(q.answer)).strip()
        explanation = f"{prompt}：{answer}（{where}）" if lang == "zh" else f"{prompt}: {answer} ({where})"
        return Drafted(
            q,
            [
                _item(
                    stable_id(bank, prompt),
                    "fill",
                    1,
                    base,
                    q.shape,
                    prompt=_one(lang, prompt),
                    explanation=_one(lang, explanation),
                    accepted=[answer],
                )
            ],
        )
    blocks = _blocks(q.answer)
    points = _points(blocks) or [_Block("paragraph", reference_text(q.answer))]
    key_points = [
        {"point": _one(lang, plain(p.point).strip()), "keywords": {lang: keywords(p.text, prompt, lang)}}
        for p in points
        if plain(p.point).strip()
    ]
    item = _item(
        stable_id(bank, prompt),
        "open",
        2,
        base,
        q.shape,
        prompt=_one(lang, prompt),
        explanation=_one(lang, where + ("。" if lang == "zh" else ".")),
        reference=_one(lang, reference_text(q.answer)),
        key_points=key_points,
    )
    return Drafted(q, [item, *_cloze_items(q, blocks, base, lang, bank)])


def topic_of(q: NoteQuestion, fallback: str) -> str:
    """The question's chapter name (numbering kept: it orders topics as the notes do), cut to fit the store."""
    name = inline_plain(q.chapter or fallback).strip() or fallback
    return name[:MAX_TOPIC].strip()
