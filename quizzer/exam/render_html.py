"""HTML sheets and keys: one self-contained page (no external files, no scripts) holding every version.

Every bank and spec text goes through ``html.escape``. Print CSS starts each version on a new page, and each
version is a table whose header row (version code) the browser repeats on every printed page of it.

Printed pages are numbered per version in a footer (CSS paged-media margin boxes, printed by Chromium since
version 131; other browsers print without the footer and keep the repeated header). Each version is a named
page with its own counter, so version B's pages count 1, 2, 3 whichever pages of the file they are. A
browser cannot know how many pages a version will have before it lays them out (CSS has no per-section
``pages`` counter), so the footer gives "page x" of the version and "x/y" of the whole file; the PDF, which
typst lays out, says "page x of y" of the version.

The page carries the subset of the bundled CJK font it uses (``quizzer.fontsubset``), so Chinese prints on a
machine without a CJK font.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from quizzer.exam.document import runs, text_lines
from quizzer.fontsubset import FONT_FAMILY, embedded_font_css

CSS = """
:root { --muted: #5a5a5a; }
body { font-family: "FONT", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
       margin: 2rem auto; max-width: 50rem; line-height: 1.55; color: #111; padding: 0 1rem; }
table.version { width: 100%; border-collapse: collapse; margin-bottom: 3rem; }
table.version > thead td { border-bottom: 1px solid #999; color: var(--muted); font-size: .85rem; padding: .2rem 0; }
table.version > thead .code { float: right; color: #111; font-weight: bold; font-size: 1rem; }
h1 { text-align: center; font-size: 1.6rem; margin: 1rem 0 .3rem; }
.facts { text-align: center; margin-bottom: 1rem; }
.ids { display: flex; gap: 3rem; margin: 1rem 0; }
.ids span { flex: 1; border-bottom: 1px solid #111; }
.instructions { border: 1px solid #888; padding: .5rem .8rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .2rem; }
.section-note { color: var(--muted); }
.q { margin: 1.1rem 0; break-inside: avoid; page-break-inside: avoid; }
.q.essay { break-inside: auto; page-break-inside: auto; }
.points, .source, .form { color: var(--muted); font-size: .85rem; }
.prompt { white-space: pre-wrap; }
.mono { font-family: "DejaVu Sans Mono", monospace, "FONT"; font-size: .9rem; }
ol.options { list-style: none; padding-left: 1.5rem; margin: .3rem 0; }
.space { display: inline-block; border-bottom: 1px solid #111; height: 1.3em; vertical-align: bottom; }
.space.box { width: 10rem; } .space.line { width: 20rem; }
.ruled { border-bottom: 1px solid #aaa; height: 2rem; }
.answer { background: #f0f0f0; padding: .3rem .6rem; border-radius: 3px; white-space: pre-wrap; }
table.why { border-collapse: collapse; width: 100%; margin: .3rem 0; }
table.why td { border: 1px solid #bbb; padding: .2rem .4rem; vertical-align: top; }
table.why td:first-child { white-space: nowrap; }
.right { color: #1a7f37; font-weight: bold; } .wrong { color: #b42318; font-weight: bold; }
.solution { white-space: pre-wrap; }
figure.picture { margin: .5rem 0; break-inside: avoid; page-break-inside: avoid; font-size: .85rem; }
figure.picture svg { width: 100%; height: auto; }
figure.picture .axis { text-align: center; color: var(--muted); }
.legend .item { margin-right: 1.5em; } .legend .mark { font-weight: bold; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  table.version { page-break-before: always; break-before: page; margin-bottom: 0; }
  table.version:first-of-type { page-break-before: auto; break-before: auto; }
  @page { size: A4; margin: 1.8cm 2cm; }
}
""".replace("FONT", FONT_FAMILY)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string or the ``<style>`` element."""
    escaped = "".join(ch if ch.isalnum() or ch in " ·:：（）()/-_." else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_footer_css(index: int, code: str, L: dict[str, str]) -> str:
    """The printed footer of version ``index`` (code ``code``): its own page counter, the file's page x/y."""
    counter = f"version-page-{index}"
    parts = []
    rest = f"{L['version']} {code} · {L['html_page']}"
    for field, css in (("{x}", f"counter({counter})"), ("{n}", "counter(page)"), ("{total}", "counter(pages)")):
        before, _, rest = rest.partition(field)
        parts += [css_string(before), css]
    parts.append(css_string(rest))
    content = " ".join(p for p in parts if p != '""')
    return (
        f"table.version-{index} {{ page: version-{index}; }}\n"
        f"@page version-{index} {{ counter-increment: {counter}; "
        f"@bottom-center {{ content: {content}; font-family: '{FONT_FAMILY}', sans-serif; font-size: 8.5pt; "
        "color: #5a5a5a; } }"
    )


# A bank item's texts repeat in every version: each distinct text is escaped once.
@lru_cache(maxsize=8192)
def _runs(text: str) -> str:
    return "".join(f"<sup>{escape(t)}</sup>" if kind == "sup" else escape(t) for kind, t in runs(text))


@lru_cache(maxsize=8192)
def _lines(text: str) -> str:
    out = []
    for line in text_lines(text):
        body = " " * line["indent"] + _runs(line["text"])
        out.append(f'<span class="mono">{body}</span>' if line["mono"] else body)
    return "\n".join(out)


def _facts(doc: dict[str, Any], code: str) -> str:
    L = doc["labels"]
    facts = [f"{escape(L['version'])} <b>{escape(code)}</b>"]
    if doc["time"]:
        facts.append(f"{escape(L['time'])} {escape(doc['time'])}")
    facts.append(f"{escape(L['total'])} {escape(doc['total_text'])}")
    if doc["date"]:
        facts.append(f"{escape(L['date'])} {escape(doc['date'])}")
    return " · ".join(facts)


def _sheet_question(q: dict[str, Any], L: dict[str, str]) -> str:
    parts = [
        f'<div class="q{" essay" if q["space"] == "lines" else ""}">',
        f'<b>{q["number"]}.</b> <span class="points">({escape(q["points_text"])})</span> '
        f'<span class="prompt">{_lines(q["prompt"])}</span>',
    ]
    if q["options"]:
        items = "".join(f"<li><b>{escape(o['letter'])}.</b> {_runs(o['text'])}</li>" for o in q["options"])
        parts.append(f'<ol class="options">{items}</ol>')
    parts.append(f'<div class="form">{escape(L["form"] + L["colon"])}{escape(q["form"])}</div>')
    if q["space"] == "lines":
        parts.append(f"<div>{escape(L['answer'] + L['colon'])}</div>" + '<div class="ruled"></div>' * 6)
    else:
        parts.append(f'<div>{escape(L["answer"] + L["colon"])}<span class="space {q["space"]}"></span></div>')
    return "\n".join([*parts, "</div>"])


def _picture(figure: dict[str, Any]) -> str:
    """A worked solution's picture: our own matplotlib SVG inline (numbers and curves only, no bank or user
    text in it), the words around it escaped."""
    from quizzer.exam.figures_svg import inline_svg

    legend = "".join(
        f'<span class="item"><span class="mark" style="color: {escape(s["colour"])}">{"●" if s["points"] else "━"}'
        f"</span> {escape(s['label'])}</span>"
        for s in figure["legend"]
    )
    return (
        f'<figure class="picture"><figcaption><b>{escape(figure["title"])}</b> ({escape(figure["y_label"])})'
        f"</figcaption>{inline_svg(figure['svg'])}"
        f'<div class="axis">{escape(figure["x_label"])}</div><div class="legend">{legend}</div></figure>'
    )


def _key_question(q: dict[str, Any], L: dict[str, str]) -> str:
    parts = [
        '<div class="q">',
        f'<b>{q["number"]}.</b> <span class="points">({escape(q["points_text"])})</span> '
        f'<span class="source">{escape(q["source"])}</span> <span class="prompt">{_lines(q["prompt"])}</span>',
        f'<div class="answer"><b>{escape(L["answer"] + L["colon"])}</b>{_lines(q["answer"])}</div>',
    ]
    if q["analysis"]:
        rows = "".join(
            f'<tr><td class="{"right" if o["correct"] else "wrong"}">{escape(o["letter"])} '
            f"{'✓' if o['correct'] else '✗'}</td><td>{_runs(o['text'])}</td><td>{_runs(o['why'])}</td></tr>"
            for o in q["options"]
        )
        parts.append(f'<div><b>{escape(L["why"])}</b></div><table class="why">{rows}</table>')
    if q["solution"]:
        parts.append(f'<div><b>{escape(L["solution"])}</b></div><div class="solution">{_lines(q["solution"])}</div>')
    if q.get("figure"):
        parts.append(_picture(q["figure"]))
    if q["mistakes"]:
        items = "".join(f"<li>{_runs(m['value'])} ← {_runs(m['diagnosis'])}</li>" for m in q["mistakes"])
        parts.append(f"<div><b>{escape(L['mistakes'])}</b></div><ul>{items}</ul>")
    if q["key_points"]:
        items = "".join(f"<li>{escape(k['point'])}</li>" for k in q["key_points"])
        parts.append(f"<div><b>{escape(L['key_points'])}</b></div><ol>{items}</ol>")
    if q["explanation"]:
        parts.append(f"<div><b>{escape(L['explanation'] + L['colon'])}</b>{_runs(q['explanation'])}</div>")
    return "\n".join([*parts, "</div>"])


def render_html(doc: dict[str, Any], *, key: bool, font: str | None = None) -> str:
    """The page of every version's sheet (or key). ``font``: its ``@font-face`` rule, made from its text when None."""
    L = doc["labels"]
    kind = L["key"] if key else L["sheet"]
    body = []
    footers = []
    for index, version in enumerate(doc["versions"]):
        code = escape(version["code"])
        footers.append(page_footer_css(index, version["code"], L))
        body.append(
            f'<table class="version version-{index}"><thead><tr><td>'
            f'{escape(doc["title"])} · {escape(kind)}<span class="code">{escape(L["version"])} {code}</span>'
            "</td></tr></thead><tbody><tr><td>"
        )
        body.append(f'<h1>{escape(doc["title"])}</h1><div class="facts">{_facts(doc, version["code"])}</div>')
        if key:
            body.append(f'<div class="facts"><b>{escape(L["key"])}</b></div>')
        else:
            body.append(
                f'<div class="ids">{escape(L["name"] + L["colon"])}<span></span>{escape(L["student"] + L["colon"])}<span></span></div>'
            )
            if doc["instructions"]:
                body.append(f'<div class="instructions">{escape(doc["instructions"])}</div>')
        for section in version["sections"]:
            if section["title"]:
                body.append(f"<h2>{escape(section['title'])}</h2>")
            if section["instructions"] and not key:
                body.append(f'<div class="section-note">{escape(section["instructions"])}</div>')
            for q in section["questions"]:
                body.append(_key_question(q, L) if key else _sheet_question(q, L))
        body.append("</td></tr></tbody></table>")
    lang = "zh-CN" if doc["lang"] == "zh" else "en"
    head = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(doc['title'])} · {escape(kind)}</title>\n"
    )
    style = CSS + "\n".join(footers)
    rest = "\n</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    if font is None:
        font = embedded_font_css(head + style + rest)
    return f"{head}<style>{font}{style}{rest}"


def render_html_files(doc: dict[str, Any]) -> dict[str, str]:
    # One font for both files, cut from the keys and sheets together: subsetting the CJK font is the slow
    # step of the HTML (about a second for 100 versions), and the keys hold nearly every character of the sheets.
    sheets = render_html(doc, key=False, font="")
    keys = render_html(doc, key=True, font="")
    font = embedded_font_css(sheets + keys)
    return {"sheets.html": render_html(doc, key=False, font=font), "keys.html": render_html(doc, key=True, font=font)}
