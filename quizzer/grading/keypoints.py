"""Scoring an open answer by the key points it covers.

Each key point lists zh and en synonyms; a point is covered when any synonym
appears in the answer after folding case, width, spacing and punctuation, or,
for longer synonyms, appears with one typo (one insertion, deletion or
substitution).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from quizzer.bank.schema import KeyPoint

_PUNCT = re.compile(r"[\s\-_·•,，。.、;；:：!！?？'\"“”‘’()（）\[\]【】]+")
FUZZY_MAX_ANSWER = 2000


def fold(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


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
    if key in answer_folded:
        return True
    if len(key) < _fuzzy_min_length(key) or len(answer_folded) > FUZZY_MAX_ANSWER:
        return False
    n = len(key)
    for start in range(0, max(1, len(answer_folded) - n + 2)):
        for length in (n - 1, n, n + 1):
            window = answer_folded[start : start + length]
            if len(window) == length and _within_one_edit(window, key):
                return True
    return False


@dataclass(frozen=True)
class Coverage:
    covered: list[bool]
    score: float  # weighted share of key points covered, 0–1


def coverage(answer: str, points: list[KeyPoint]) -> Coverage:
    folded = fold(answer)
    covered = [any(contains(folded, k) for k in (*p.keywords.zh, *p.keywords.en)) for p in points]
    total = sum(p.weight for p in points)
    got = sum(p.weight for p, ok in zip(points, covered, strict=False) if ok)
    return Coverage(covered, got / total if total else 0.0)
