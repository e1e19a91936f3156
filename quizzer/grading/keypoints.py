"""Scoring an open answer by the key points it covers, and spotting the wrong claims it makes.

Each key point lists zh and en synonyms; a point is covered when any synonym
appears in the answer after folding case, width, spacing and punctuation, or,
for longer synonyms, appears with one typo (one insertion, deletion or
substitution). A point that carries a correction can also list ``requires``
groups: the point counts only when every group is matched too, so a bare topic
word that the wrong claim shares ("0.25", "adam") is not enough.

A wrong claim is found by patterns such as ``"恒小于|总小于 & 0.25"``: ``&``
separates parts that must all occur in one clause of the answer, ``|``
separates alternatives, and a part written ``!word|word`` must be absent from
the clause. A clause that negates the claim before its last word ("不是恒小于0.25",
"it is not true that …") does not count as making it. Numbers match whole:
"0.9" is not found in "0.95" and "0" not in "0.9".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

_PUNCT = re.compile(r"[\s\-_·•,，。.、;；:：!！?？'\"“”‘’()（）\[\]【】]+")
# A decimal point is part of its number: "0.25" must not fold to "025" (which "1025" contains).
_NUMBER_MARK = re.compile(r"(?<=\d)\.(?=\d)")
_KEPT = "\x00"
FUZZY_MAX_ANSWER = 2000

# Clause boundaries after NFKC (which turns ，； into , ;); a point or comma before a digit is part of a number.
# A colon is no boundary: "epoch: one pass over the data" keeps the term with what is said about it.
_CLAUSE = re.compile(r"[。;!?\n…]|[.,](?!\d)")
_QUOTED = re.compile(r'"[^"\n]{1,200}"|“[^”\n]{1,200}”|「[^」\n]{1,200}」|『[^』\n]{1,200}』')
# English negation, matched on words (after folding, "no" would also be found inside "normalise").
_EN_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|cannot|without|rather than|instead of|contrary to|myth|misconception|wrong|"
    r"false|incorrect|untrue|mistaken|mistake|error|erroneous|whether|regardless|nothing)\b|n't\b"
)
_ZH_NEGATION = (
    "不是",
    "并不",
    "并非",
    "不会",
    "不能",
    "没有",
    "而非",
    "而不是",
    "错误",
    "误以为",
    "不对",
    "不正确",
    "不等于",
    "不成立",
    "误解",
    "有误",
    "未必",
    "不一定",
    "并没",
    "说错",
    "谬",
    "无法",
    "不保证",
    "不只",
    "不仅",
    "不论",
    "无论",
    "不管",
    "与否",
    "不开",
    "不带",
    "不用",
    "无需",
    "去掉",
    "不代表",
    "不意味",
    "不见得",
    "不等同",
)
# A single negating character right before a claim's word ("不翻倍", "非恒小于").
_ZH_NEGATING_CHARS = frozenset("不非没未无")
PATTERN_PART, PATTERN_ALTERNATIVE, PATTERN_ABSENT = "&", "|", "!"


def fold(text: str) -> str:
    text = _NUMBER_MARK.sub(_KEPT, unicodedata.normalize("NFKC", text).casefold())
    return _PUNCT.sub("", text).replace(_KEPT, ".")


def _number_bounded(hay: str, start: int, end: int) -> bool:
    """A keyword that starts or ends with a digit matches whole numbers only ("0.9" is not in "0.95")."""
    if start < end and hay[start].isdigit() and start > 0 and (hay[start - 1].isdigit() or hay[start - 1] == "."):
        return False
    return not (start < end and hay[end - 1].isdigit() and end < len(hay) and (hay[end].isdigit() or hay[end] == "."))


def find(hay: str, key: str) -> int:
    """The first position of ``key`` in ``hay`` (both folded) respecting number boundaries, or -1."""
    start = hay.find(key)
    while start >= 0 and not _number_bounded(hay, start, start + len(key)):
        start = hay.find(key, start + 1)
    return start


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def _fuzzy_min_length(keyword: str) -> int:
    # A one-character typo in a short word changes its meaning too easily ("tanh" vs "tan").
    return 5 if keyword.isascii() else 4


def contains(answer_folded: str, keyword: str) -> bool:
    key = fold(keyword)
    if not key:
        return False
    if find(answer_folded, key) >= 0:
        return True
    # No typo tolerance for numbers: "0.26" is not a misspelt "0.25".
    if len(key) < _fuzzy_min_length(key) or len(answer_folded) > FUZZY_MAX_ANSWER or any(c.isdigit() for c in key):
        return False
    n = len(key)
    for start in range(0, max(1, len(answer_folded) - n + 2)):
        for length in (n - 1, n, n + 1):
            window = answer_folded[start : start + length]
            if len(window) == length and _within_one_edit(window, key):
                return True
    return False


class KeywordGroup(Protocol):
    """zh and en synonyms; any one of them matches (``bank.schema.Keywords``)."""

    @property
    def zh(self) -> list[str]: ...

    @property
    def en(self) -> list[str]: ...


class Point(Protocol):
    """A key point as the open kind's model defines it."""

    @property
    def keywords(self) -> KeywordGroup: ...

    @property
    def weight(self) -> float: ...

    @property
    def requires(self) -> Sequence[KeywordGroup]: ...


def _matches(answer_folded: str, group: KeywordGroup) -> bool:
    return any(contains(answer_folded, k) for k in (*group.zh, *group.en))


def point_covered(answer_folded: str, point: Point) -> bool:
    return _matches(answer_folded, point.keywords) and all(_matches(answer_folded, g) for g in point.requires)


@dataclass(frozen=True)
class Coverage:
    covered: list[bool]
    score: float  # weighted share of key points covered, 0–1


def coverage(answer: str, points: Sequence[Point]) -> Coverage:
    folded = fold(answer)
    covered = [point_covered(folded, p) for p in points]
    total = sum(p.weight for p in points)
    got = sum(p.weight for p, ok in zip(points, covered, strict=True) if ok)
    return Coverage(covered, got / total if total else 0.0)


# --- wrong claims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One ``&``-separated part of a claim pattern: any of ``words`` present (or, ``absent``, none of them)."""

    words: tuple[str, ...]
    absent: bool = False


def pattern_parts(pattern: str) -> list[Part]:
    """``"a|b & c & !d"`` as its parts (words folded); a part with no word left is dropped."""
    parts = []
    for raw in pattern.split(PATTERN_PART):
        raw = raw.strip()
        absent = raw.startswith(PATTERN_ABSENT)
        words = tuple(
            w for w in (fold(alt) for alt in raw.removeprefix(PATTERN_ABSENT).split(PATTERN_ALTERNATIVE)) if w
        )
        if words:
            parts.append(Part(words, absent))
    return parts if any(not p.absent for p in parts) else []


def clauses(answer: str) -> list[str]:
    """The answer cut into clauses, case and width folded, punctuation kept (for word-level negation).

    Text in double quotes is mentioned, not claimed (the notes' "SGD converges poorly" needs nuance), and
    is left out.
    """
    text = _QUOTED.sub(" ", unicodedata.normalize("NFKC", answer).casefold().replace("’", "'"))
    return [c for c in _CLAUSE.split(text) if c.strip()]


def _folded_with_positions(clause: str) -> tuple[str, list[int]]:
    """``fold(clause)`` and, for each of its characters, where it was in the clause."""
    marked = _NUMBER_MARK.sub(_KEPT, clause)
    kept = [(ch, i) for i, ch in enumerate(marked) if not _PUNCT.fullmatch(ch)]
    return "".join(ch for ch, _ in kept).replace(_KEPT, "."), [i for _, i in kept]


def _negated(clause: str, folded: str, where: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether the clause negates the claim found at ``spans`` (folded positions).

    Only what comes before the claim's last word counts: in "it always escapes local minima and never
    overshoots" the "never" belongs to the next statement.
    """
    if any(start > 0 and folded[start - 1] in _ZH_NEGATING_CHARS for start, _ in spans):
        return True
    # Blank out the claim's own words: a claim may itself contain a negation ("cannot converge", "不能收敛").
    chars = list(clause)
    for start, end in spans:
        for k in range(start, end):
            chars[where[k]] = "#"
    last = max(where[end - 1] for _, end in spans) + 1
    before = "".join(chars[:last])
    return bool(_EN_NEGATION.search(before)) or any(cue in fold(before) for cue in _ZH_NEGATION)


@dataclass(frozen=True)
class Clause:
    text: str  # case and width folded, punctuation kept
    folded: str  # as ``fold`` gives it
    where: list[int]  # position in ``text`` of each character of ``folded``

    @classmethod
    def of(cls, text: str) -> Clause:
        return cls(text, *_folded_with_positions(text))


def clause_claims(clause: Clause | str, parts: list[Part]) -> bool:
    """Whether one clause makes the claim of a pattern: every part present (absent parts absent), not negated."""
    c = clause if isinstance(clause, Clause) else Clause.of(clause)
    spans: list[tuple[int, int]] = []
    for part in parts:
        found = [(start, word) for word in part.words if (start := find(c.folded, word)) >= 0]
        if part.absent:
            if found:
                return False
            continue
        if not found:
            return False
        start, word = min(found)
        spans.append((start, start + len(word)))
    return not _negated(c.text, c.folded, c.where, spans)


@lru_cache(maxsize=8)
def _cut(answer: str) -> tuple[Clause, ...]:
    # An item checks several claims against one answer: cut and fold it once.
    return tuple(Clause.of(c) for c in clauses(answer))


def makes_claim(answer: str, patterns: Sequence[str], unless: Sequence[str] = ()) -> bool:
    """Whether some clause of the answer makes the claim any of ``patterns`` describes.

    ``unless`` patterns state the corrected fact: an answer that also states it ("sigmoid networks can do
    that too") is not charged with the claim, however its other clauses read.
    """
    compiled = [parts for parts in (pattern_parts(p) for p in patterns) if parts]
    if not any(clause_claims(c, parts) for c in _cut(answer) for parts in compiled):
        return False
    return not (unless and makes_claim(answer, unless))
