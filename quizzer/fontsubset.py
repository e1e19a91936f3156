"""The bundled CJK font, cut down to the characters of one page, for every HTML file the tool writes.

An HTML page that names a system font shows Chinese as empty boxes on a machine without a CJK font
(a bare headless browser, a fresh container). So each page carries the subset of the bundled Noto
Sans CJK SC (the font of the charts and the typeset PDFs) that holds exactly its own characters, as a
WOFF data URL: it renders anywhere and stays small (≈ 40 KB for a progress report).

Module level stays standard-library only: fontTools and the font package load inside the functions.
"""

from __future__ import annotations

import base64
import io
import warnings

CJK_FAMILY = "Noto Sans CJK SC"  # the cut of the bundled collection that charts, PDFs and pages use
FONT_FAMILY = "quizzer-noto-sans-cjk"  # the pages' own name: a local font of the same name may lack glyphs


def font_subset(text: str) -> bytes | None:
    """The bundled CJK font cut down to the characters of ``text``, as WOFF; None when it cannot be had."""
    try:
        import noto_cjk_sans_otc
        from fontTools import subset
        from fontTools.ttLib import TTCollection, TTFont

        path = str(noto_cjk_sans_otc.FONT_PATH)
        # The collection holds the JP, KR, SC, TC and HK cuts: take the one the charts use, found by name.
        names = [f["name"].getDebugName(1) for f in TTCollection(path, lazy=True).fonts]
        # Measured on a 560-character page (fontTools 4, busy machine): 2.6 s with the defaults, 1.4 s as set
        # here, and 100 KB instead of 150 KB. The bounding boxes keep the whole font's values (recomputing
        # them draws every glyph three times; a box that is too large is still a valid box), the hints stay
        # (removing them means parsing every charstring), and only the layout features horizontal text uses
        # are kept: vertical and regional alternates would pull hundreds of unused glyphs into the subset.
        # recalcTimestamp=False: the same text gives the same bytes (an exam rebuilt from its seed is identical).
        font = TTFont(path, fontNumber=names.index(CJK_FAMILY), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
        options = subset.Options()
        options.layout_features = ["ccmp", "liga", "kern"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted({ch for ch in text if ch.isprintable()})))
        subsetter.subset(font)
        font.flavor = "woff"  # zlib, in fontTools itself; WOFF2 would need the brotli package for ~25 % less
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()
    except (ImportError, OSError, ValueError, KeyError) as exc:
        warnings.warn(
            f"the page has no embedded font ({exc}): Chinese needs a CJK font on the reader's machine", stacklevel=2
        )
        return None


def font_face(woff: bytes | None) -> str:
    """The ``@font-face`` rule declaring ``FONT_FAMILY`` from ``woff`` (nothing when there is no font)."""
    if woff is None:
        return ""
    data = base64.b64encode(woff).decode()
    return f"@font-face{{font-family:'{FONT_FAMILY}';src:url(data:font/woff;base64,{data}) format('woff')}}"


def embedded_font_css(text: str) -> str:
    """The ``@font-face`` rule for a page whose visible text (markup included, data URLs left out) is ``text``."""
    return font_face(font_subset(text))
