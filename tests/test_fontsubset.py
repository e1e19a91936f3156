"""The embedded CJK font: the page's characters, and the same bytes for the same text."""

from __future__ import annotations

import io
from itertools import count

import pytest

from quizzer.fontsubset import FONT_FAMILY, embedded_font_css, font_subset
from tests.htmlfonts import assert_font_covers_the_page

TEXT = "梯度消失：每层因子 a < 1，n 层后为 a^n。Vanishing gradients"


def test_the_subset_maps_the_characters_of_the_text_and_little_else() -> None:
    from fontTools.ttLib import TTFont

    woff = font_subset(TEXT)
    assert woff is not None and woff[:4] == b"wOFF" and len(woff) < 20_000
    cmap = {chr(c) for c in TTFont(io.BytesIO(woff)).getBestCmap()}
    wanted = set(TEXT)
    # The layout features kept (ccmp, liga, kern) may bring a related glyph along ("<" brings ">"), no more.
    assert wanted <= cmap and len(cmap - wanted) <= 3, sorted(cmap - wanted)


def test_the_same_text_gives_the_same_bytes_whatever_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib.tables import _h_e_a_d

    ticks = count(3_000_000_000, 86_400)  # a different day at every call, should the font ask for the time
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: next(ticks))
    assert font_subset(TEXT) == font_subset(TEXT)


def test_a_page_with_the_rule_passes_the_coverage_check() -> None:
    page = f"<style>{embedded_font_css(TEXT)}body{{font-family:'{FONT_FAMILY}'}}</style><p>{TEXT}</p>"
    _, used, _ = assert_font_covers_the_page(page)
    assert used == {"梯", "度", "消", "失", "：", "每", "层", "因", "子", "后", "为", "，", "。"}
