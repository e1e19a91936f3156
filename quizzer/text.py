"""Bilingual text and language choice."""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


@dataclass(frozen=True)
class BiText:
    """A string in Chinese and English, for generated prompts and solutions."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __add__(self, other: "BiText") -> "BiText":
        return BiText(self.zh + other.zh, self.en + other.en)

    @staticmethod
    def join(parts: list["BiText"], sep: str = "\n") -> "BiText":
        return BiText(sep.join(p.zh for p in parts), sep.join(p.en for p in parts))

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def default_lang() -> Lang:
    """English when the locale says English, Chinese otherwise (the notes' language)."""
    for var in ("QUIZZER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            if var == "QUIZZER_LANG" and value in LANGS:
                return value  # type: ignore[return-value]
            return "en" if value.lower().startswith("en") else "zh"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc.lower().startswith("en") else "zh"
