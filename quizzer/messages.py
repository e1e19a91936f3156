"""Every interface label, in Chinese and English, named once.

Screens and reports take their headings, column names, prompts and status lines from here, so a label is
translated, reworded or shared in one place. Text that belongs to one generated problem or bank item (its
prompt, solution, diagnoses) stays with that problem, zh beside en, where it is written.

Import-light on purpose (CLI code paths import it): only ``quizzer.text`` and ``quizzer.topics``.
Templates use ``{name}`` fields filled by ``BiText.format``; counts go through ``Plural``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizzer.text import BiText
from quizzer.topics import TOPICS


@dataclass(frozen=True)
class Plural:
    """A phrase with a count: English has a singular and a plural form, Chinese one form for every count.

    Each form is a template with ``{n}`` (and any other ``{name}`` given to ``format``).
    """

    zh: str
    one: str
    many: str

    def format(self, n: int, **values: Any) -> BiText:
        return BiText(self.zh, self.one if n == 1 else self.many).format(n=n, **values)


def label(text: BiText, lang: str) -> str:
    """``text`` as the label before a value: a full-width colon in Chinese, colon and space in English."""
    return text.get(lang) + ("：" if lang == "zh" else ": ")


def heading(text: BiText, lang: str) -> str:
    """``text`` as the label of the lines below it."""
    return label(text, lang).rstrip()


# --- topics (the notes' 13 sections) ----------------------------------------------------------------------------
class _TopicTitles(dict[str, BiText]):
    """The bundled topics' titles; a user bank's free topic (a chapter name from the notes) is its own title."""

    def __missing__(self, topic: str) -> BiText:
        return BiText(topic, topic)


TOPIC_TITLES: dict[str, BiText] = _TopicTitles({slug: BiText(zh, en) for slug, _, zh, en in TOPICS})

# --- words shared by several screens ---------------------------------------------------------------------------
ANSWER = BiText("答案", "Answer")
ANSWER_FORM = BiText("答案形式", "Answer form")
SOLUTION = BiText("解答", "Solution")
EXPLANATION = BiText("解析", "Explanation")
TRUE = BiText("对", "true")
FALSE = BiText("错", "false")
YES = BiText("是", "yes")
NO = BiText("否", "no")
TOPIC = BiText("主题", "topic")
FAMILY = BiText("题型", "family")
ANSWERS = BiText("作答", "answers")
ACCURACY = BiText("正确率", "accuracy")
SCORE = BiText("得分", "score")
PROGRESS = BiText("学习进度", "Progress")
WROTE = BiText("已写入 {path}", "Wrote {path}")

# --- a bank item card (`bank show`) ----------------------------------------------------------------------------
CARD_WHY = BiText("理由", "why")
CARD_TOLERANCE = BiText("（容差 ±{tolerance}）", "  (tolerance ±{tolerance})")
CARD_KEY_POINTS = BiText("要点", "Key points")
CARD_KEYWORDS = BiText("关键词", "keywords")
CARD_CORRECTION = BiText("笔记勘误", "Correction to the notes")
CARD_CLAIM = BiText("笔记原说法", "The notes say")
CARD_TRUTH = BiText("正确说法", "What is true")
CARD_REASON = BiText("原因", "Why")
CARD_VERSION = BiText("版本 {version}", "version {version}")

# --- generated problems (`gen`, `solve`) -----------------------------------------------------------------------
PROBLEM = BiText("题", "Problem")
PROBLEM_NUMBERED = BiText("题 {number}", "Problem {number}")
SEED = BiText("种子", "seed")
TYPICAL_MISTAKES = BiText("常见错误", "Typical mistakes")
TORCH_CHECK = BiText("torch 验证", "torch check")
# The torch value, then whether it agrees with the closed form.
TORCH_AGREES = BiText("{answer}（一致）", "{answer} (agrees)")
TORCH_DISAGREES = BiText("{answer}（不一致！）", "{answer} (DISAGREES!)")

# --- the family list (`families`) and the torch check of every family (`verify`) ---------------------------------
FAMILIES_TITLE = Plural("{n} 个题型", "{n} problem family", "{n} problem families")
FAMILY_ANSWER = BiText("答案类型", "answer")
FAMILY_DIFFICULTY = BiText("难度", "difficulty")
FAMILY_ASKS = BiText("考什么", "what it asks")
VERIFY_TITLE = BiText("闭式解与 torch 对照，种子 {seed}", "closed form vs torch, seed {seed}")
VERIFY_SAMPLES = BiText("样本", "samples")
VERIFY_AGREE = BiText("一致", "agree")
VERIFY_MAX_ERROR = BiText("最大相对误差", "max rel. error")
VERIFY_SECONDS = BiText("秒", "seconds")
VERIFY_TOTAL = BiText("合计", "total")
VERIFY_DISAGREE = BiText("不一致", "DISAGREE")
VERIFY_DISAGREEMENT = BiText(
    "{family} 难度 {difficulty} 种子 {seed}：参数 {params}，闭式解 {closed}，torch 为 {torch}",
    "{family} difficulty {difficulty} seed {seed}: params {params} closed form {closed} vs torch {torch}",
)

# --- progress (`progress` in the terminal, its HTML page and its charts) -------------------------------------------
PROGRESS_7_DAYS = BiText("近 7 天正确率", "accuracy, 7 days")
PROGRESS_30_DAYS = BiText("近 30 天正确率", "accuracy, 30 days")
PROGRESS_MASTERY = BiText("掌握度", "mastery")
PROGRESS_DUE = BiText("待复习", "due")
PROGRESS_MISTAKES = BiText("最常见的错误", "most frequent mistakes")
PROGRESS_NUMERIC = BiText("计算题", "Numeric problems")
# The parentheses differ: full-width in Chinese text, ASCII in English.
PROGRESS_STREAK = BiText("{streak}（{active}）", "{streak} ({active})")
STREAK_DAYS = Plural("连续学习 {n} 天", "Streak: {n} day", "Streak: {n} days")
ACTIVE_DAYS = Plural("共 {n} 天有练习", "{n} active day in all", "{n} active days in all")
RECENT_SCORES = BiText("最近练习得分", "Recent session scores")
SCORE_TREND = BiText("{spark}（{first}% → {last}%）", "{spark}  ({first}% → {last}%)")
RECENT_SESSIONS = BiText("最近的练习", "Recent sessions")
SESSION = BiText("练习", "session")
STARTED = BiText("开始", "started")
CHART_ACCURACY = BiText("各主题正确率（按周）", "Accuracy per topic (weekly)")
CHART_WEEK = BiText("周（起始日期）", "week starting")
CHART_CALENDAR = BiText("每日练习量", "Daily activity")
CHART_ANSWERS = BiText("作答题数", "answers")
# Monday first, as date.weekday() counts.
WEEKDAYS: tuple[BiText, ...] = tuple(
    BiText(zh, en) for zh, en in zip("一二三四五六日", ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
)

# --- what is due (`due`) ---------------------------------------------------------------------------------------
# Aligned in English as the lines were before; Chinese labels are the same width already.
DUE_NOW = BiText("现在到期：{n}", "due now:   {n}")
DUE_TODAY = BiText("今天到期：{n}", "due today: {n}")
DUE_ON = BiText("{weekday} {day}：{n}", "{weekday} {day}: {n}")
DUE_START = BiText("从 `quizzer review` 开始。", "Start with `quizzer review`.")

# --- past sessions and answers (`history`) -----------------------------------------------------------------------
HISTORY_SESSIONS = BiText("练习记录 · {profile}", "sessions · {profile}")
HISTORY_SESSION = BiText("第 {session} 次练习", "session {session}")
HISTORY_ID = BiText("编号", "id")
HISTORY_MODE = BiText("模式", "mode")
HISTORY_FINISHED = BiText("完成", "finished")
HISTORY_POSITION = BiText("#", "#")
HISTORY_QUESTION = BiText("题目", "question")
HISTORY_ANSWER = BiText("答案", "answer")
HISTORY_VERDICT = BiText("判定", "verdict")
HISTORY_HINTS = BiText("提示", "hints")
HISTORY_SECONDS = BiText("秒", "s")
HISTORY_EXPORTED = Plural("已将 {n} 条作答写入 {path}。", "Wrote {n} answer to {path}.",
                          "Wrote {n} answers to {path}.")
