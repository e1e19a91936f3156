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

    def format(self, n: float, **values: Any) -> BiText:
        shown = int(n) if float(n).is_integer() else n  # 68.0 points print as 68, half a point as 0.5
        return BiText(self.zh, self.one if n == 1 else self.many).format(n=shown, **values)


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
FAMILIES_MORE = BiText(
    "某个题型的参数：quizzer families FAMILY 或 quizzer solve FAMILY --help",
    "A family's parameters: quizzer families FAMILY or quizzer solve FAMILY --help",
)
# `families FAMILY` and `solve FAMILY --help`: one family's parameters
FAMILY_PARAMETERS = BiText("参数（写作 名称=值）", "Parameters (typed as name=value)")
FAMILY_EXAMPLE = BiText("示例", "Example")
PARAM_REQUIRED = BiText("必填", "required")
PARAM_DEFAULT = BiText("默认 {value}", "default {value}")
PARAM_UNSET = BiText("可不填", "optional")
SOLVE_OPTIONS = BiText("选项", "Options")
OPT_LAYERS_FILE = BiText(
    "从文件读入 {key}：每行一层，'#' 起注释（见 examples/networks/）",
    "read {key} from FILE: one layer per line, '#' comments (see examples/networks/)",
)
OPT_ALL = BiText("逐层表全部显示（超过 40 层时默认折叠）", "show every row of the per-layer table (folded past 40)")
OPT_LANG = BiText("显示语言", "language of the text shown")
OPT_JSON = BiText("输出 JSON", "print machine-readable JSON")
OPT_NO_PICTURES = BiText("不画图", "do not draw pictures")
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
PROGRESS_LEVEL = BiText("下一题难度（能力 θ）", "next level (ability θ)")
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
CHART_ACCURACY_DAILY = BiText("各主题正确率（按日）", "Accuracy per topic (daily)")
CHART_WEEK = BiText("周（起始日期）", "week starting")
CHART_DAY = BiText("日期", "day")
CHART_ALL_TOPICS = BiText("全部主题", "all topics")
CHART_CALENDAR = BiText("每日练习量", "Daily activity")
CHART_ANSWERS = BiText("作答题数", "answers")
# Monday first, as date.weekday() counts.
WEEKDAYS: tuple[BiText, ...] = tuple(
    BiText(zh, en) for zh, en in zip("一二三四五六日", ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=False)
)

# --- what is due (`due`) ---------------------------------------------------------------------------------------
# Aligned in English as the lines were before; Chinese labels are the same width already.
DUE_NOW = BiText("现在到期：{n}", "due now:   {n}")
DUE_TODAY = BiText("今天到期：{n}", "due today: {n}")
DUE_ON = BiText("{weekday} {day}：{n}", "{weekday} {day}: {n}")
DUE_START = BiText("从 `quizzer review` 开始。", "Start with `quizzer review`.")
NOTHING_DUE = BiText("现在没有需要复习的内容。", "Nothing is due for review now.")
NOTHING_DUE_UNTIL = BiText(
    "现在没有需要复习的内容；下一次复习时间：{when}。", "Nothing is due for review now; the next review is due {when}."
)

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
HISTORY_EXPORTED = Plural("已将 {n} 条作答写入 {path}。", "Wrote {n} answer to {path}.", "Wrote {n} answers to {path}.")

# --- grading feedback (the quiz, exam reports) ------------------------------------------------------------------
VERDICT_CORRECT = BiText("正确", "Correct")
VERDICT_PARTIAL = BiText("部分正确", "Partly correct")
VERDICT_INCORRECT = BiText("不正确", "Incorrect")
# Appended to a verdict line.
ANSWER_NOTE = BiText("（答案：{answer}）", " (answer: {answer})")
MORE_PRECISELY = BiText("，更精确地说是 {answer}", ", more precisely {answer}")
THE_ANSWER_IS = BiText("：答案是 {answer}", ": the answer is {answer}")
ACCEPTED_RANGE = BiText("可接受范围：{accepted}", "Accepted: {accepted}")
REFERENCE_ANSWER = BiText("参考答案：", "Reference answer: ")
KEY_POINTS_COVERED = Plural(
    "：覆盖了 {got}/{n} 个要点", ": {got} of {n} key point covered", ": {got} of {n} key points covered"
)
OPTION_WRONG = BiText("{letter} 错：", "{letter} is wrong: ")
OPTION_RIGHT = BiText("{letter} 对：", "{letter} is right: ")
OPTION_MISSED_SINGLE = BiText("应选 {letter}：", "The answer is {letter}: ")
OPTION_MISSED_MULTI = BiText("漏选 {letter}：", "Missed {letter}: ")
NOTES_CLAIM = BiText("笔记原说法：", "The notes say: ")
NOTES_TRUTH = BiText("正确的是：", "What is true: ")
NOTES_WHY = BiText("原因：", "Why: ")
NUMBER_UNIT = BiText("（单位：{unit}）", " (unit: {unit})")
# Hints: they narrow the answer down without stating it.
HINT_RULE_OUT_FIRST = BiText("先排除 {letter}：", "Rule out {letter} first: ")
HINT_RULE_OUT_TOO = BiText("再排除 {letter}：", "Rule out {letter} too: ")
HINT_CORRECT_COUNT = Plural("共有 {n} 个正确选项。", "{n} option is correct.", "{n} options are correct.")
HINT_LENGTH = Plural(
    "答案有 {n} 个字符，以“{first}”开头。",
    "The answer has {n} character and starts with “{first}”.",
    "The answer has {n} characters and starts with “{first}”.",
)
HINT_APPROACH = BiText("思路：{sentence}。", "Approach: {sentence}.")
HINT_KEY_POINT = Plural(
    "答出 {n} 个要点；其中之一是：{point}", "Cover {n} key point: {point}", "Cover {n} key points; one of them: {point}"
)

# --- the bank (`bank validate`, `bank list`, `bank stats`) ---------------------------------------------------------
BANK_VALID = BiText("OK：{items}，{files}。", "OK: {items} in {files}.")
BANK_VALID_HINTS = BiText(
    "OK：{items}，{files}（{missing} 个缺少提示）。", "OK: {items} in {files} ({missing} without a hint)."
)
BANK_ITEMS = Plural("{n} 个题目", "{n} item", "{n} items")
BANK_FILES = Plural("{n} 个文件", "{n} file", "{n} files")
BANK_ID = BiText("编号", "id")
BANK_KIND = BiText("题型", "kind")
BANK_DIFFICULTY = BiText("难度", "diff.")
BANK_PROMPT = BiText("题目", "prompt")
BANK_TITLE = BiText("题库", "Question bank")
BANK_TOTAL = BiText("合计", "total")
BANK_SUMMARY = BiText("{items}，涵盖 {topics}、{kinds}", "{items} over {topics} and {kinds}")
BANK_TOPICS = Plural("{n} 个主题", "{n} topic", "{n} topics")
BANK_KINDS = Plural("{n} 种题型", "{n} kind", "{n} kinds")
BANK_RETIRED = BiText("；{n} 个已停用", "; {n} retired")

# --- exam sheets and keys (`exam build`) -------------------------------------------------------------------------
SHEET_VERSION = BiText("试卷版本", "Version")
SHEET_PAGE = BiText("第 {x} / {y} 页", "Page {x} of {y}")
# The printed HTML's footer: a browser can count a version's pages but not know how many it will have.
SHEET_HTML_PAGE = BiText("第 {x} 页（文件第 {n}/{total} 页）", "page {x} (file page {n}/{total})")
SHEET_NAME = BiText("姓名", "Name")
SHEET_STUDENT = BiText("学号", "Student ID")
SHEET_TIME = BiText("考试时间", "Time allowed")
SHEET_MINUTES = Plural("{n} 分钟", "{n} minute", "{n} minutes")
SHEET_TOTAL = BiText("总分", "Total")
SHEET_POINTS = Plural("{n} 分", "{n} pt", "{n} pts")
SHEET_ANSWER = BiText("答", "Answer")
SHEET_KEY = BiText("参考答案与评分", "Answer key")
SHEET_EXAM = BiText("试卷", "Exam")
SHEET_WHY = BiText("各选项分析", "Why each option is right or wrong")
SHEET_EXPLANATION = BiText("讲解", "Explanation")
SHEET_FORM = BiText("作答形式", "Answer form")
SHEET_KEY_POINTS = BiText("评分要点", "Key points")
SHEET_DATE = BiText("日期", "Date")
COLON = BiText("：", ": ")
# answer sheets (`exam build --answer-sheets`): what students and teachers read on the bubble sheet
ANSWER_SHEET_TITLE = BiText("答题卡", "Answer sheet")
ANSWER_SHEET_LINE = BiText(
    "版本 {version} · 第 {copy} 份 · 第 {page} / {pages} 页", "Version {version} · copy {copy} · page {page} of {pages}"
)
ANSWER_SHEET_STUDENT = BiText("学号（每列写一位数字并涂对应圆圈）", "Student number (write a digit, fill its bubble)")
ANSWER_SHEET_SIGN = BiText("符号", "sign")
ANSWER_SHEET_DECIMALS = BiText("小数位", "dec.")
ANSWER_SHEET_EXP = BiText("×10^", "×10^")
ANSWER_SHEET_TEACHER = BiText(
    "答案写在试卷上；此处由教师评分，学生请勿填涂", "answer on the exam paper; the teacher marks the points here"
)
ANSWER_SHEET_TRUE = BiText("对", "T")
ANSWER_SHEET_FALSE = BiText("错", "F")
ANSWER_SHEET_HOW = BiText(
    "请用深色笔将圆圈完全涂满，每个圆圈只涂一次，不要在圆圈外写画。改答案时请擦净或用修正带。请勿折叠本答题卡。",
    "Fill bubbles completely with a dark pen, one bubble per choice, and do not write outside them. "
    "To change an answer, erase it completely. Do not fold this sheet.",
)
ANSWER_SHEET_HOW_CANCEL = BiText(
    "请用深色笔在圆圈内打叉或涂满圆圈的大部分。要取消一个已涂的圆圈，请把它完全涂黑。请勿折叠本答题卡。",
    "Mark a bubble with a dark pen, filling most of it. To cancel a mark, blacken the whole bubble. "
    "Do not fold this sheet.",
)
ANSWER_SHEET_NUMBERS = BiText(
    "计算题：在方格内从左到右连续写出数字（不写小数点，中间不留空列），并在每列下方涂对应数字。"
    "“小数位”涂小数点后的位数；负数涂“−”。有“×10^”栏时，数字表示尾数，指数写在右侧。"
    "例：−0.125 → 涂 − ，数字 1 2 5，小数位 3；2.5×10^−4 → 数字 2 5，小数位 1，指数 − 0 4。",
    "Numbers: write the digits left to right in adjacent boxes (no decimal point, no gaps) and fill each "
    "column's digit. 'dec.' is how many of the digits come after the decimal point; fill − for a negative "
    "number. Where there is a ×10^ part, the digits are the mantissa and the power of ten goes on the right. "
    "Example: −0.125 → −, digits 1 2 5, dec. 3; 2.5×10^−4 → digits 2 5, dec. 1, exponent − 0 4.",
)
EXAM_BUILT = BiText(
    "{versions}（{codes}），{questions}，每份 {points}，种子 {seed}",
    "{versions} ({codes}), {questions}, {points} each, seed {seed}",
)
EXAM_VERSIONS = Plural("{n} 个版本", "{n} version", "{n} versions")
EXAM_POINTS = Plural("{n} 分", "{n} point", "{n} points")
EXAM_QUESTIONS = Plural("{n} 道题", "{n} question", "{n} questions")
EXAM_FILE = Plural("  {path}（{n:,} 字节）", "  {path}  ({n:,} byte)", "  {path}  ({n:,} bytes)")
EXAM_TIME = BiText("用时：{stages}", "time: {stages}")
EXAM_STAGE = BiText("{stage} {seconds:.2f} 秒", "{stage} {seconds:.2f} s")

# --- a graded exam (`exam grade`: terminal, report.html) ---------------------------------------------------------
# Verdicts of an exam question: the grader's own, and why a question earned nothing without being graded.
EXAM_VERDICTS: dict[str, BiText] = {
    "correct": BiText("正确", "correct"),
    "partial": BiText("部分正确", "partly correct"),
    "incorrect": BiText("错误", "incorrect"),
    "unanswered": BiText("未作答", "no answer"),
    "unreadable": BiText("无法识别", "unreadable"),
    "missing": BiText("缺少该行", "row missing"),
    "conflict": BiText("答案冲突", "conflicting rows"),
}
EXAM_FLAGS: dict[str, BiText] = {
    "negative-discrimination": BiText("区分度为负", "negative discrimination"),
    "too-hard": BiText("过难（难度系数 < 10%）", "too hard (facility < 10%)"),
    "too-easy": BiText("过易（难度系数 > 95%）", "too easy (facility > 95%)"),
}
REPORT_TITLE = BiText("成绩报告", "Exam report")
REPORT_STUDENTS = BiText("学生", "students")
REPORT_MEAN = BiText("平均分", "mean")
REPORT_MEDIAN = BiText("中位数", "median")
REPORT_SD = BiText("标准差", "std. dev.")
REPORT_HISTOGRAM = BiText("分数分布", "Distribution of scores")
REPORT_ISSUES = BiText("答案文件中的问题", "Problems in the answers file")
REPORT_ITEMS = BiText("题目分析", "Item analysis")
REPORT_QUESTION = BiText("题目", "question")
REPORT_NUMBERS = BiText("各版本题号", "number per version")
REPORT_N = BiText("人数", "n")
REPORT_FACILITY = BiText("难度系数", "facility")
REPORT_DISCRIMINATION = BiText("区分度（点二列）", "discrimination (point-biserial)")
REPORT_UPPER_LOWER = BiText("区分度（上下 27%）", "discrimination (upper−lower 27%)")
REPORT_OPTIONS = BiText("选项被选次数", "times each option was chosen")
REPORT_MISTAKES = BiText("常见错误", "typical mistakes")
REPORT_FLAGS = BiText("提示", "flags")
REPORT_STUDENT = BiText("学生", "student")
REPORT_VERSION = BiText("版本", "version")
REPORT_VERDICT = BiText("判定", "verdict")
REPORT_ANSWER = BiText("作答", "answer")
REPORT_EXPECTED = BiText("正确答案", "expected")
REPORT_DIAGNOSIS = BiText("诊断", "diagnosed mistake")
REPORT_EXPLANATION = BiText("讲解", "explanation")
REPORT_POINTS = BiText("分值", "points")
REPORT_NO_ISSUES = BiText("无", "none")
REPORT_PERCENT = BiText("百分比", "percent")
REPORT_COUNT = BiText("人数", "students")
REPORT_RECORDED = BiText("已记录到学习档案", "recorded in progress profiles")
REPORT_ALREADY_RECORDED = BiText("此前已记录，未重复", "already recorded earlier, not added again")

# --- exports (`export`: Anki cards, Moodle feedback, the summary line) -------------------------------------------
EXPORT_DECK = BiText("深度学习测验", "Deep learning quiz")
EXPORT_CORRECTION = BiText("笔记勘误：", "Correction to the notes: ")
EXPORT_WROTE = Plural(
    "{n} 道题 → {path}（{parts}）", "{n} question → {path} ({parts})", "{n} questions → {path} ({parts})"
)
EXPORT_LEFT_OUT = BiText("未导出 {n}：{reason}", "left out {n}: {reason}")
EXPORT_SEVERAL_NUMBERS = BiText(
    "一个答案含多个数（GIFT 没有对应题型；请用 moodle-xml）",
    "several numbers in one answer (no GIFT type; use moodle-xml)",
)

# --- problems in a filled answers CSV (`exam grade`) ---------------------------------------------------------------
# Values shown as the student typed them are quoted with repr() by the caller, so blanks and odd characters show.
ISSUE_LINE = BiText("第 {line} 行：{issue}", "line {line}: {issue}")
ISSUE_UNUSED_COLUMN = BiText("未使用的列 {name}，已忽略", "column {name} is not used and was ignored")
ISSUE_SHORT_ROW = BiText(
    "只有 {cells} 个单元格（表头有 {columns} 列），该行已忽略",
    "{cells} cells where the header has {columns}; row ignored",
)
ISSUE_NO_STUDENT = BiText("答案 {answer} 没有学号，该行已忽略", "answer {answer} has no student id; row ignored")
ISSUE_LONG_ID = BiText("学号超过 {limit} 个字符，该行已忽略", "student id longer than {limit} characters; row ignored")
ISSUE_TEMPLATE_ROWS = Plural(
    "{n} 行既无学号也无答案（未填写的模板行），已忽略",
    "{n} row with neither student nor answer (an unfilled template row) ignored",
    "{n} rows with neither student nor answer (unfilled template rows) ignored",
)
NOTE_UNREADABLE = BiText("无法识别 {answer}：{hint}", "could not read {answer}: {hint}")
ISSUE_UNREADABLE = BiText(
    "学生 {student} 第 {number} 题：{note}；不得分", "student {student} question {number}: {note}; no credit"
)
ISSUE_UNKNOWN_STUDENT = BiText(
    "名单中没有学生 {student}，该行已忽略", "unknown student {student} (not in the roster); row ignored"
)
ISSUE_NO_ANSWERS = BiText(
    "学生 {student} 在名单中但没有任何答案，未评分", "student {student} is on the roster but has no answers; not graded"
)
ISSUE_UNKNOWN_VERSION = BiText(
    "学生 {student}：没有版本 {version}（版本：{known}），该行已忽略",
    "student {student}: unknown version {version} (versions: {known}); row ignored",
)
ISSUE_MORE_VERSIONS = Plural("…（共 {n} 个版本）", "… ({n} version)", "… ({n} versions)")
ISSUE_OTHER_VERSION = BiText(
    "学生 {student} 前面的行是版本 {version}，这一行却是 {other}，该行已忽略",
    "student {student} answered version {version} on earlier rows, this row says {other}; row ignored",
)
ISSUE_NO_QUESTION = BiText(
    "学生 {student}：版本 {version} 没有第 {question} 题（共 1–{count} 题），该行已忽略",
    "student {student}: version {version} has no question {question} (questions 1–{count}); row ignored",
)
NOTE_NO_ROW = BiText("答案文件中没有这一题", "no row for this question")
ISSUE_MISSING = BiText(
    "学生 {student} 版本 {version}：{note}：第 {number} 题；不得分",
    "student {student} version {version}: {note}: question {number}; no credit",
)
NOTE_CONFLICT = BiText("第 {lines} 行的答案不一致（{shown}）", "rows {lines} give different answers ({shown})")
ISSUE_CONFLICT = BiText(
    "学生 {student} 第 {number} 题：{note}；改正答案文件前不得分",
    "student {student} question {number}: {note}; no credit until the CSV is fixed",
)
DUPLICATE_SAME = BiText("答案相同", "same answer")
DUPLICATE_BLANK = BiText("空白", "blank")
ISSUE_DUPLICATE = BiText(
    "学生 {student} 第 {number} 题：与第 {first} 行重复（{same}），已忽略",
    "student {student} question {number}: duplicate of line {first} ({same}); ignored",
)

# A one-language bank item shown in the other language: say why (the text is the only one there is).
ONE_LANGUAGE_ONLY = BiText("（此题只有英文）", "(this question is written in Chinese only)")

# Open answers that make a claim the item expects (the notes' mistakes first): the claim, then the correction.
WRONG_CLAIM_SAID = BiText("你的答案说“{claim}”——不对。", "Your answer says that {claim} — it is not so. ")
WRONG_CLAIM_EXPECTED = BiText(
    "✗ 预期的错误说法：{claim}——{correction}", "✗ expected wrong claim: {claim} — {correction}"
)

# --- exam scan: reading scanned answer sheets ----------------------------------------------------------
SCAN_WHY: dict[str, BiText] = {
    # why a question goes to the review queue
    "unclear": BiText(
        "标记不清（介于空白与涂满之间）：{bubbles}", "unclear mark (between empty and filled): {bubbles}"
    ),
    "double": BiText("单选题涂了多个选项：{bubbles}", "more than one option marked on a single-choice item: {bubbles}"),
    "two-digits": BiText("第 {column} 列涂了两个数字", "two digits marked in column {column}"),
    "gap": BiText("第 {column} 列缺少数字（前后都有数字）", "digit column {column} is empty between filled columns"),
    "two-signs": BiText("正负号都涂了", "both signs marked"),
    "two-decimals": BiText("小数位数涂了多个", "more than one decimal-places bubble marked"),
    "no-digits": BiText("涂了符号或小数位数，但没有数字", "a sign or decimal places marked without any digit"),
    "no-score": BiText("没有给分（教师应涂一个分数）", "no score marked (the teacher marks one)"),
    "two-scores": BiText("涂了多个分数", "more than one score marked"),
    "student-gap": BiText("学号格第 {column} 列缺少数字", "student-number column {column} is empty between digits"),
    "student-double": BiText("学号格第 {column} 列涂了两个数字", "two digits in student-number column {column}"),
    # a multi-number answer (shape, vector, record): which component's grid, prefixed to the reason
    "part": BiText("第 {part} 个数：", "component {part}: "),
    "part-blank": BiText("没有填写（其他数已填写）", "left blank while other components are filled"),
}
SCAN_PAGE_FAILED: dict[str, BiText] = {
    "unreadable": BiText("文件无法读取：{detail}", "file cannot be read: {detail}"),
    "no-qr": BiText("找不到二维码", "no QR code"),
    "bad-qr": BiText("二维码 {payload} 不是 quizzer 答题卡", "QR code {payload} is not a quizzer answer sheet"),
    "unknown-exam": BiText(
        "未知考试 {exam}（本目录的考试是 {known}）", "unknown exam {exam} (this directory's: {known})"
    ),
    "unknown-page": BiText(
        "清单中没有版本 {version} 第 {copy} 份第 {page} 页",
        "no version {version} copy {copy} page {page} in the manifest",
    ),
    "no-marks": BiText("找不到角标（至少需要 3 个）", "corner marks not found (3 are needed)"),
    "duplicate": BiText("与 {first} 是同一页，已忽略", "same sheet page as {first}; ignored"),
}
SCAN_FALLBACK_ID = BiText(
    "版本 {version} 第 {copy} 份：学号格空白，以份号 {student} 代替",
    "version {version} copy {copy}: student-number grid empty; graded as {student}",
)
SCAN_ID_IN_REVIEW = BiText(
    "版本 {version} 第 {copy} 份：学号待复核，暂以份号 {student} 代替",
    "version {version} copy {copy}: student number awaiting review; graded as {student} until then",
)
SCAN_SAME_ID = BiText(
    "学号 {student} 出现在多份答题卡上：{copies}", "student number {student} appears on several answer sheets: {copies}"
)
SCAN_MISSING_PAGE = BiText(
    "版本 {version} 第 {copy} 份：没有扫描第 {page} 页", "version {version} copy {copy}: page {page} was not scanned"
)
SCAN_PENDING = BiText("等待人工复核：{why}", "awaiting review: {why}")
SCAN_RESOLVE_UNKNOWN = BiText(
    "复核表中的版本 {version} 第 {copy} 份第 {question} 题不在扫描结果中，已忽略",
    "review.csv names version {version} copy {copy} question {question}, which no scanned page has; ignored",
)
SCAN_RESOLVE_BAD_COPY = BiText("复核表的份号不是数字，该行已忽略", "review.csv: copy is not a number; row ignored")
SCAN_PAGES_TITLE = BiText("扫描页", "Scanned pages")
SCAN_COLUMNS = (
    BiText("文件", "file"),
    BiText("页", "page"),
    BiText("版本", "version"),
    BiText("份号", "copy"),
    BiText("答题卡页", "sheet page"),
    BiText("状态", "status"),
    BiText("置信度", "confidence"),
    BiText("说明", "note"),
)
SCAN_STATUS = {
    "read": BiText("已读取", "read"),
    "review": BiText("待复核", "review"),
    "failed": BiText("无法读取", "failed"),
}
SCAN_SUMMARY = BiText(
    "读取 {read} 页，{review} 页有程序无法判定的题目，{failed} 页无法读取；仍待复核 {pending} 处，见 {html}",
    "{read} page(s) read, {review} with questions the reader left to a person, {failed} unreadable; "
    "{pending} still to review: see {html}",
)
SCAN_TURNED = BiText("倒置", "upside down")
SCAN_THREE_MARKS = BiText("仅 3 个角标", "3 corner marks")
# review.html: the page the teacher decides doubtful marks on
SCAN_REVIEW_TITLE = BiText("复核", "review")
SCAN_REVIEW_COLUMNS = (
    BiText("版本", "version"),
    BiText("份号", "copy"),
    BiText("题号", "question"),
    BiText("读到", "read"),
    BiText("原因", "why"),
    BiText("扫描", "scan"),
)
SCAN_REVIEW_HOW = BiText(
    "在 review.csv 的 answer 列填写答案（如 B、AC、-4.2；主观题填分数；学号填学号；无作答填 -），"
    "然后运行 quizzer exam scan … --resolve review.csv。",
    "Fill the answer column of review.csv (as typed in the answers CSV: B, AC, -4.2; points for an open "
    "item; the id for a student number; - for no answer), then run quizzer exam scan … --resolve review.csv.",
)
SCAN_REVIEW_COUNT = BiText("{n} 处待复核", "{n} to review")

# --- the per-layer table of a stack family (`solve receptive-field`, `solve conv-stack-shape`) ---------------------
STACK_TABLE_TITLE = Plural("逐层表（{n} 层）", "Layer by layer ({n} layer)", "Layer by layer ({n} layers)")
STACK_NUMBER = BiText("#", "#")
STACK_LAYER = BiText("层", "layer")
STACK_OUTPUT = BiText("输出", "output")
STACK_RF = BiText("感受野", "RF")
STACK_JUMP = BiText("跳距", "jump")
STACK_START = BiText("中心", "start")
STACK_HIDDEN = Plural(
    "… 隐去 {n} 层，加 --all 显示全部", "… {n} layer hidden, --all to show", "… {n} layers hidden, --all to show"
)
