"""Chinese wraps at the terminal's width: quizzer.textwrap_cjk over the whole bank and generated problems.

The checks measure with rich's ``cell_len`` (not the module's own width function), find every line in the
original text by itself, and decide what "the next word" is with their own scanner, written from the
rules (a CJK character or an ASCII run; opening punctuation sticks to what follows, closing punctuation
to what precedes, an operator between spaces joins a formula), not from the module's code.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from quizzer.bank.loader import load_bank
from quizzer.bank.schema import MultiItem, SingleItem
from quizzer.generators.registry import all_families, make_problem
from quizzer.resources import bundled_questions_dir
from quizzer.textwrap_cjk import cell_width, wrap

WIDTHS = (60, 80, 120)
SLACK = 4  # the issue: every line but a paragraph's last is filled to within 4 cells of the width
# Closing and opening punctuation as W3C clreq lists them (only the ones our text can contain matter).
CLOSING = set("，。、；：？！）」』】〉》”’…")
OPENING = set("（「『【〈《“‘")
OPS = {"=", "+", "-", "−", "×", "·", "/", "*", "≈", "≠", "<", ">", "≤", "≥", "→", "←", "⇒", "⇔", "∝", "∈", "±"}
ASCII_RUN = re.compile(r"[!-~]+")

ITEMS = [loaded.item for loaded in load_bank([bundled_questions_dir()])]
PROBLEMS = [make_problem(f, seed, d) for f in all_families() for d in f.difficulties for seed in (0, 1)]


def texts(lang: str) -> list[tuple[str, str, str, str]]:
    """(label, text, prefix, indent) as the quiz prints them: prompts bare, explanations after their label,
    options after their letter, worked-solution steps indented with a hanging indent."""
    out = []
    for item in ITEMS:
        out.append((item.id, item.prompt.get(lang), "", ""))
        out.append((item.id, item.explanation.get(lang), "解析：" if lang == "zh" else "Explanation: ", ""))
        if isinstance(item, (SingleItem, MultiItem)):
            out += [(item.id, o.text.get(lang), "  A. ", "     ") for o in item.options]
    for p in PROBLEMS:
        label = f"{p.family}/{p.difficulty}/{p.seed}"
        out.append((label, p.prompt.get(lang), "", ""))
        for step in p.solution.get(lang).splitlines():
            depth = 2 + len(step) - len(step.lstrip(" "))
            out.append((label, step.lstrip(" "), " " * depth, " " * (depth + 2)))
        out += [
            (label, m.diagnosis.get(lang), "诊断：" if lang == "zh" else "Diagnosis: ", "") for m in p.misconceptions
        ]
    return out


def wide(ch: str) -> bool:
    return cell_len(ch) == 2


def first_word(line: str) -> str:
    """The part of a line that could not have been put on the line before it."""
    i, n = 0, len(line)
    while i < n and (line[i] in OPENING or (i == 0 and line[i] == '"')):
        i += 1
    while True:
        if i < n and wide(line[i]):
            i += 1
        else:
            token_start = i
            while i < n and not line[i].isspace() and not wide(line[i]):
                i += 1
            # A formula: "a = b" is one word; so is an opening bracket with what follows it.
            spaced = re.match(r"( +)(\S+?)(?=\s|$|[^\x00-\x7f])", line[i:])
            token = line[token_start:i]
            if spaced and (token in OPS or spaced.group(2) in OPS):
                i += len(spaced.group(1))
                continue
        closing = re.match(r" *[" + "".join(CLOSING) + "]", line[i:])
        if closing or (i < n and line[i] == '"' and not line[i - 1].isspace()):
            i += len(closing.group()) if closing else 1
            continue  # closing punctuation, even after a space, belongs to the word before it
        if i < n and line[i - 1] in OPENING:
            continue
        return line[:i]


def locate(text: str, lines: list[str], prefix: str, indent: str) -> list[tuple[int, int, int]]:
    """(paragraph, start, end) of each line's own text inside ``text``, found by searching."""
    places, pos = [], 0
    for k, line in enumerate(lines):
        own = line[len(prefix if k == 0 else indent) :]
        start = text.index(own, pos) if own else pos
        # Only white space may be skipped between two lines.
        assert not text[pos:start].strip(), (text[pos:start], own)
        places.append((text.count("\n", 0, start), start, start + len(own)))
        pos = start + len(own)
    assert not text[pos:].strip()
    return places


def check(label: str, text: str, width: int, prefix: str, indent: str) -> None:
    lines = wrap(text, width, prefix=prefix, indent=indent)
    places = locate(text, lines, prefix, indent)
    for k, (line, (para, start, end)) in enumerate(zip(lines, places, strict=False)):
        where = f"{label} at {width}: {line!r}"
        assert cell_len(line) <= width, where
        own = text[start:end]
        if own:
            assert own[0] not in CLOSING or start == 0 or text[start - 1] == "\n", where
            assert own[-1] not in OPENING, where
        for run in ASCII_RUN.finditer(text):  # ASCII words, numbers and formulas are never cut
            if cell_len(run.group()) <= width - cell_len(indent):
                assert not run.start() < start < run.end() and not run.start() < end < run.end(), (where, run.group())
        if k + 1 < len(lines) and places[k + 1][0] == para:  # not a paragraph's last line
            slack = width - cell_len(line)
            nxt_start = places[k + 1][1]
            gap = cell_len(text[end:nxt_start])
            word = first_word(text[nxt_start : places[k + 1][2]])
            assert slack <= SLACK or gap + cell_len(word) > slack, (where, slack, word)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bank_and_generated_text_wraps_full_and_by_the_rules(lang: str, width: int) -> None:
    cases = texts(lang)
    assert len(cases) > 2 * len(ITEMS) + 3 * len(PROBLEMS)  # prompts, explanations, options, steps, diagnoses
    for label, text, prefix, indent in cases:
        check(label, text, width, prefix, indent)


def test_the_issue_s_example_no_longer_breaks_at_the_last_space() -> None:
    # The issue: rich ended a line at "……当每个因子都小于 1" and began the next with "时，".
    text = (
        "梯度在反向传播时要逐层连乘各层的局部导数（权重乘以激活函数的导数），当每个因子都小于 1 时，"
        "离输出越远的层梯度越小，前面几层几乎学不到东西。"
    )
    lines = wrap(text, 40)
    assert all(cell_len(line) >= 36 for line in lines[:-1]), lines
    assert not any(line.startswith(("时", "，")) for line in lines[1:])
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_kinsoku_and_whole_words_in_small_cases() -> None:
    assert wrap("甲乙丙丁。", 8) == ["甲乙丙", "丁。"]  # "。" never starts a line: "丁" goes with it
    assert wrap("甲乙丙（丁戊）", 8) == ["甲乙丙", "（丁戊）"]  # "（" never ends a line
    assert wrap("对 conv2d_transpose 求导", 12) == ["对", "conv2d_trans", "pose 求导"]  # too long: cut, as rich folds
    assert wrap("输出是 39×39 的特征图", 14) == ["输出是 39×39", "的特征图"]
    assert wrap("公式 r = r0 + (k − 1)·j 成立", 20) == ["公式", "r = r0 + (k − 1)·j", "成立"]  # the formula stays whole
    assert wrap("感受野", 12, prefix="答案：", indent="  ") == ["答案：感受野"]
    assert wrap("一\n\n二", 10) == ["一", "", "二"]
    assert wrap("　全角空格后", 6) == ["　全角", "空格后"]  # U+3000 takes two cells


def test_width_agrees_with_rich() -> None:
    chars = {ch for item in ITEMS for t in (item.prompt, item.explanation) for ch in t.zh + t.en}
    chars |= {ch for p in PROBLEMS for ch in p.prompt.zh + p.solution.zh}
    assert {ch: cell_width(ch) for ch in chars} == {ch: cell_len(ch) for ch in chars}


TEXT = st.text(st.sampled_from(list("甲乙丙丁戊己，。、（）“”abc xyz 12=+·\n")), max_size=120)


@given(TEXT, st.integers(2, 40))
def test_wrapping_keeps_every_character_and_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join("".join(lines).split()) == "".join(text.split())
    assert len(lines) >= text.count("\n") + 1


@given(TEXT, st.integers(0, 12), st.integers(0, 12), st.integers(2, 40))
def test_a_label_and_an_indent_never_push_a_line_past_the_width(text: str, first: int, rest: int, width: int) -> None:
    prefix, indent = "解" * (first // 2) + ":" * (first % 2), " " * rest
    lines = wrap(text, width + max(first, rest), prefix=prefix, indent=indent)
    assert all(cell_len(line) <= width + max(first, rest) for line in lines), lines
    assert lines[0].startswith(prefix) and all(line.startswith(indent) for line in lines[1:])
    assert "".join(
        "".join(line.removeprefix(indent) for line in [lines[0].removeprefix(prefix), *lines[1:]]).split()
    ) == "".join(text.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_the_quiz_prints_lines_as_wrapped(width: int) -> None:
    """Through the real loop and a real rich console: what is printed is what textwrap_cjk decided."""
    from quizzer.grading.grade import Feedback, Result
    from quizzer.text import BiText
    from quizzer.ui.quiz_loop import QuizLoop

    problem = next(p for p in PROBLEMS if p.family == "receptive-field" and p.difficulty == 3)
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    loop = QuizLoop.__new__(QuizLoop)  # only the rendering methods: no session behind it
    loop.out, loop.lang, loop.pictures = console, "zh", False
    lines = [Feedback("verdict", BiText("不正确", "wrong")), Feedback("solution", problem.solution)]
    lines += [Feedback("diagnosis", m.diagnosis) for m in problem.misconceptions]
    loop.show_result(Result(verdict="incorrect", score=0.0, expected=BiText("", ""), feedback=lines))
    printed = console.file.getvalue().splitlines()
    assert all(cell_len(line) <= width for line in printed)
    expected = ["不正确", "解答："]
    for step in problem.solution.zh.splitlines():
        depth = 2 + len(step) - len(step.lstrip(" "))
        expected += wrap(step.lstrip(" "), width, prefix=" " * depth, indent=" " * (depth + 2))
    for m in problem.misconceptions:
        expected += wrap(m.diagnosis.zh, width, prefix="诊断：")
    assert [line.rstrip() for line in printed[: len(expected)]] == [line.rstrip() for line in expected]
    assert len(expected) > len(problem.solution.zh.splitlines()) + 2 or width == 120  # it did wrap


def test_bank_cards_wrap_inside_their_panel() -> None:
    """`quizzer bank show` draws a panel: its text wraps at the panel's inner width, by the same rules."""
    from quizzer.ui.render import render_item

    for width in (60, 120):
        console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
        for item in ITEMS:
            console.print(render_item(item, "zh"))
        for line in console.file.getvalue().splitlines():
            assert cell_len(line) <= width, line
            inner = line.strip("│ ")
            assert not inner or inner[0] not in CLOSING, line
            assert not inner or inner[-1] not in OPENING, line
