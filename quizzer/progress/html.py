"""A single self-contained HTML page: the charts (inline PNG) and the report's tables.

The page carries its own font (``quizzer.fontsubset``): the subset of the bundled CJK font that holds
exactly the characters on the page, so Chinese renders on a machine without a CJK font.
"""

from __future__ import annotations

import base64
from html import escape

from quizzer import messages as msg
from quizzer.fontsubset import FONT_FAMILY, embedded_font_css
from quizzer.generators.registry import family_title
from quizzer.progress.report import Report
from quizzer.text import BiText

STYLE = (
    """
body{font-family:'"""
    + FONT_FAMILY
    + """',system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f6f8}img{max-width:100%}.meta{color:#555}
"""
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def render_html(report: Report, lang: str, png: bytes | None) -> str:
    def h(text: BiText) -> str:
        return escape(text.get(lang))

    rows = "".join(
        f"<tr><td>{h(msg.TOPIC_TITLES[t.topic])}</td><td>{t.attempts}</td><td>{_pct(t.accuracy_7d)}</td>"
        f"<td>{_pct(t.accuracy_30d)}</td><td>{t.mastery:.0%}</td><td>{t.due}</td></tr>"
        for t in report.topics
    )
    families = "".join(
        f"<tr><td>{h(family_title(f.family))}</td><td>{f.attempts}</td><td>{_pct(f.accuracy)}</td>"
        f"<td>{escape(f.level_label)}</td>"
        f"<td>{escape(', '.join(f'{tag} ×{n}' for tag, n in f.misconceptions[:3]))}</td></tr>"
        for f in report.families
    )
    sessions = "".join(
        f"<tr><td>{s.session_id}</td><td>{s.started_at.astimezone():%Y-%m-%d %H:%M}</td><td>{escape(s.mode)}</td>"
        f"<td>{s.graded}</td><td>{'–' if s.percent is None else f'{s.percent:.0f}%'}</td></tr>"
        for s in report.sessions
    )
    streak = msg.PROGRESS_STREAK.format(
        streak=msg.STREAK_DAYS.format(report.streak_days), active=msg.ACTIVE_DAYS.format(report.active_days)
    )
    image = f'<img alt="charts" src="data:image/png;base64,{base64.b64encode(png).decode()}">' if png else ""
    title = f"<title>quizzer · {h(msg.PROGRESS)} · {escape(report.profile)}</title>"
    body = f"""<body><h1>{h(msg.PROGRESS)} · {escape(report.profile)}</h1>
<p class="meta">{report.now.astimezone():%Y-%m-%d %H:%M} · {h(streak)}</p>
{image}
<table><thead><tr><th>{h(msg.TOPIC)}</th><th>{h(msg.ANSWERS)}</th><th>{h(msg.PROGRESS_7_DAYS)}</th>
<th>{h(msg.PROGRESS_30_DAYS)}</th><th>{h(msg.PROGRESS_MASTERY)}</th><th>{h(msg.PROGRESS_DUE)}</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>{h(msg.PROGRESS_NUMERIC)}</h2>
<table><thead><tr><th>{h(msg.FAMILY)}</th><th>{h(msg.ANSWERS)}</th><th>{h(msg.ACCURACY)}</th>
<th>{h(msg.PROGRESS_LEVEL)}</th><th>{h(msg.PROGRESS_MISTAKES)}</th></tr></thead>
<tbody>{families}</tbody></table>
<h2>{h(msg.RECENT_SESSIONS)}</h2>
<table><thead><tr><th>{h(msg.SESSION)}</th><th>{h(msg.STARTED)}</th><th></th><th>{h(msg.ANSWERS)}</th>
<th>{h(msg.SCORE)}</th></tr></thead>
<tbody>{sessions}</tbody></table>
</body>"""
    # The font holds exactly the characters of the title and the body, the image's base64 aside.
    font = embedded_font_css(title + body.replace(image, ""))
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
{title}<style>{font}{STYLE}</style></head>
{body}</html>
"""
