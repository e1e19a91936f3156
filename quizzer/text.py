"""Bilingual text and language choice.

``BiText`` is the one text type: generated prompts and solutions, bank items (the bank schema validates
into it, see ``quizzer.bank.schema.Text``) and every interface label in ``quizzer.messages``.
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


def check_lang(lang: str) -> Lang:
    """``lang`` itself when it is zh or en; anything else is a programming error, not a reason to fall back."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


@dataclass(frozen=True)
class BiText:
    """A string in Chinese and English.

    A user's bank may be written in one language only (the bundled bank must have both; the bank loader
    checks that). Such a text is built with ``one_sided``: the missing side repeats the present one, so
    every consumer can ask for either language, and ``only`` remembers which one was written, so the
    interface can say so and the text is stored as it was written.
    """

    zh: str
    en: str
    only: str | None = None  # "zh" or "en" when the text exists in that language only

    @classmethod
    def one_sided(cls, zh: str, en: str) -> BiText:
        """Both sides when both are given; else the present side in both places, marked ``only``."""
        if (zh and en) or not (zh or en):
            return cls(zh, en)
        return cls(zh, zh, only="zh") if zh else cls(en, en, only="en")

    def get(self, lang: str) -> str:
        # Raising (instead of quietly answering in English) catches a mistyped language code at once.
        return self.zh if check_lang(lang) == "zh" else self.en

    def has(self, lang: str) -> bool:
        """Whether the text was written in ``lang`` (rather than shown in the other language for want of it)."""
        return self.only in (None, check_lang(lang))

    def __add__(self, other: BiText) -> BiText:
        return BiText(self.zh + other.zh, self.en + other.en)

    def format(self, **values: Any) -> BiText:
        """Fill ``{name}`` fields in both sides; a BiText value fills each side with its own language."""

        def side(lang: str) -> dict[str, Any]:
            return {k: v.get(lang) if isinstance(v, BiText) else v for k, v in values.items()}

        return BiText(self.zh.format(**side("zh")), self.en.format(**side("en")))

    @staticmethod
    def join(parts: list[BiText], sep: str = "\n") -> BiText:
        return BiText(sep.join(p.zh for p in parts), sep.join(p.en for p in parts))

    def as_dict(self) -> dict[str, str]:
        if self.only is not None:
            return {self.only: self.zh if self.only == "zh" else self.en}
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
