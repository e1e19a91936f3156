"""Checking that an HTML page the tool writes carries the CJK font its text needs (issue 13 §5, issue 10)."""

from __future__ import annotations

import base64
import io
import re
import unicodedata

FONT_FACE = re.compile(r"@font-face\{font-family:'([^']+)';src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)")


def is_cjk(ch: str) -> bool:
    """Wide or full-width: the characters a Latin-only font lacks (Han, kana, full-width punctuation)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def page_text(page: str) -> str:
    """The page without its data URLs (the embedded font, inline images)."""
    return re.sub(r"data:[^)\"']+", "", page)


def embedded_font(page: str, max_bytes: int) -> tuple[str, set[str]]:
    """The family name the page's one ``@font-face`` declares, and the characters its WOFF font maps."""
    from fontTools.ttLib import TTFont

    (face,) = FONT_FACE.findall(page)
    family, data = face
    woff = base64.b64decode(data)
    assert woff[:4] == b"wOFF" and len(woff) < max_bytes  # a subset, not the 19 MB collection
    return family, {chr(c) for c in TTFont(io.BytesIO(woff)).getBestCmap()}


def assert_font_covers_the_page(page: str, max_bytes: int = 400_000) -> tuple[str, set[str], set[str]]:
    """Every CJK character of the page is in the embedded font; returns (family, characters used, font's)."""
    family, cmap = embedded_font(page, max_bytes)
    used = {ch for ch in page_text(page) if is_cjk(ch)}
    assert used, "the page has no CJK text to check"
    assert used <= cmap, sorted(used - cmap)
    return family, used, cmap
