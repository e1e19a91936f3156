"""A single self-contained HTML page: the charts (inline PNG) and the report's tables."""

from __future__ import annotations

import base64
from html import escape

from quizzer.progress.report import Report
from quizzer.topics import TITLE_OF

HEAD = {
    "zh": {"title": "学习进度", "topic": "主题", "attempts": "作答", "acc7": "近 7 天正确率", "acc30": "近 30 天正确率",
           "mastery": "掌握度", "due": "待复习", "family": "题型", "accuracy": "正确率", "mistakes": "常见错误",
           "sessions": "最近的练习", "session": "练习", "started": "开始", "score": "得分", "streak": "连续学习天数",
           "active": "有练习的天数"},
    "en": {"title": "Progress", "topic": "topic", "attempts": "answers", "acc7": "accuracy, 7 days",
           "acc30": "accuracy, 30 days", "mastery": "mastery", "due": "due", "family": "family", "accuracy": "accuracy",
           "mistakes": "most frequent mistakes", "sessions": "Recent sessions", "session": "session", "started": "started",
           "score": "score", "streak": "current streak (days)", "active": "active days"},
}
STYLE = """
body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f6f8}img{max-width:100%}.meta{color:#555}
"""


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def render_html(report: Report, lang: str, png: bytes | None) -> str:
    h = HEAD[lang]
    rows = "".join(
        f"<tr><td>{escape(TITLE_OF[t.topic][lang])}</td><td>{t.attempts}</td><td>{_pct(t.accuracy_7d)}</td>"
        f"<td>{_pct(t.accuracy_30d)}</td><td>{t.mastery:.0%}</td><td>{t.due}</td></tr>"
        for t in report.topics
    )
    families = "".join(
        f"<tr><td>{escape(f.family)}</td><td>{f.attempts}</td><td>{_pct(f.accuracy)}</td>"
        f"<td>{escape(', '.join(f'{tag} ×{n}' for tag, n in f.misconceptions[:3]))}</td></tr>"
        for f in report.families
    )
    sessions = "".join(
        f"<tr><td>{s.session_id}</td><td>{s.started_at.astimezone():%Y-%m-%d %H:%M}</td><td>{escape(s.mode)}</td>"
        f"<td>{s.graded}</td><td>{'–' if s.percent is None else f'{s.percent:.0f}%'}</td></tr>"
        for s in report.sessions
    )
    image = f'<img alt="charts" src="data:image/png;base64,{base64.b64encode(png).decode()}">' if png else ""
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>quizzer · {escape(h['title'])} · {escape(report.profile)}</title><style>{STYLE}</style></head>
<body><h1>{escape(h['title'])} · {escape(report.profile)}</h1>
<p class="meta">{report.now.astimezone():%Y-%m-%d %H:%M} · {escape(h['streak'])}: {report.streak_days} · {escape(h['active'])}: {report.active_days}</p>
{image}
<table><thead><tr><th>{h['topic']}</th><th>{h['attempts']}</th><th>{h['acc7']}</th><th>{h['acc30']}</th><th>{h['mastery']}</th><th>{h['due']}</th></tr></thead>
<tbody>{rows}</tbody></table>
<table><thead><tr><th>{h['family']}</th><th>{h['attempts']}</th><th>{h['accuracy']}</th><th>{h['mistakes']}</th></tr></thead>
<tbody>{families}</tbody></table>
<h2>{escape(h['sessions'])}</h2>
<table><thead><tr><th>{h['session']}</th><th>{h['started']}</th><th></th><th>{h['attempts']}</th><th>{h['score']}</th></tr></thead>
<tbody>{sessions}</tbody></table>
</body></html>
"""
