"""Understanding answers typed the way people type them.

Every parser raises ``AnswerParseError`` (and nothing else) for input it cannot
read; its ``hint`` says, in both languages, what form is expected.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from dataclasses import dataclass

from quizzer.errors import AnswerParseError
from quizzer.grading.expr import MAX_LENGTH, ExpressionError, evaluate
from quizzer.safety import strip_controls
from quizzer.text import BiText

# Longer answers are cut before they are parsed, echoed or stored: a 10 MB pasted line took 21 s and
# was stored verbatim. Open answers are the longest legitimate ones, and they are limited to this too.
MAX_ANSWER_CHARS = 5000


class UndecodableAnswer(str):
    """An answer line that was not valid UTF-8 (shown with U+FFFD); graded as unreadable, never parsed."""


def clean_answer(raw: str) -> tuple[str, bool]:
    """``raw`` without control characters (an ANSI escape must not reach a terminal or the store), cut to
    MAX_ANSWER_CHARS; the flag says whether it was cut, so the learner can be told."""
    cut = len(raw) > MAX_ANSWER_CHARS
    clean = strip_controls(raw[: MAX_ANSWER_CHARS * 2] if cut else raw)[:MAX_ANSWER_CHARS]
    return (UndecodableAnswer(clean) if isinstance(raw, UndecodableAnswer) else clean), cut


NUMBER_HINT = BiText(
    "请输入一个数，例如 112、0.25、1/4、25%、1e-3、2^-3 或 sqrt(2)/2。",
    "Type a number, e.g. 112, 0.25, 1/4, 25%, 1e-3, 2^-3 or sqrt(2)/2.",
)
SHAPE_HINT = BiText("请输入形状，例如 (64, 56, 56) 或 64x56x56。", "Type a shape, e.g. (64, 56, 56) or 64x56x56.")
VECTOR_HINT = BiText(
    "请输入一组数，例如 [0.1, 0.2] 或 0.1 0.2。", "Type a list of numbers, e.g. [0.1, 0.2] or 0.1 0.2."
)
TF_HINT = BiText("请回答 对/错（也可以 t/f、yes/no、√/×）。", "Answer true or false (t/f, yes/no, y/n, √/× also work).")
FILL_HINT = BiText("请输入一个简短的答案。", "Type a short answer.")
OPEN_HINT = BiText("请用几句话作答。", "Answer in a few sentences.")


def choice_hint(n: int, multi: bool) -> BiText:
    letters = string.ascii_uppercase[:n]
    if multi:
        return BiText(
            f"请输入一个或多个选项字母（{letters[0]}–{letters[-1]}），例如 AC 或 a, c。",
            f"Type one or more option letters ({letters[0]}–{letters[-1]}), e.g. AC or a, c.",
        )
    return BiText(
        f"请输入一个选项字母（{letters[0]}–{letters[-1]}）。", f"Type one option letter ({letters[0]}–{letters[-1]})."
    )


def normalize(text: str) -> str:
    """NFKC folds full-width digits, letters and punctuation (３２ → 32, ０．２５ → 0.25)."""
    return unicodedata.normalize("NFKC", text).strip()


def _fail(message: str, hint: BiText) -> AnswerParseError:
    return AnswerParseError(message, hint)


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    # Significant figures the learner wrote for a plain decimal ("0.0299" → 3); None for an
    # expression or fraction, which stands for an exact value.
    sig_figs: int | None = None


_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TIMES_TEN = re.compile(r"(?<=[\d.])\s*[×xX*·]\s*10\s*(?:\^|\*\*)\s*")
_SCIENTIFIC = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*[×xX*·]\s*10\s*(?:\^|\*\*)\s*\(?([+-]?\d{1,4})\)?$")
_PREFIXES = ("≈", "~", "约", "大约", "约为", "=")


def _sig_figs(plain: str) -> int:
    mantissa = re.split(r"[eE]", plain.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0") or digits  # 3400: trailing zeros are ambiguous, count them as not significant
    return max(len(digits), 1)


def parse_number(text: str) -> ParsedNumber:
    raw = normalize(text)
    if len(raw) > MAX_LENGTH:
        raise _fail(f"the answer is longer than {MAX_LENGTH} characters", NUMBER_HINT)
    for prefix in _PREFIXES:
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].strip()
    raw = raw.rstrip("。.") if not raw.endswith("..") and not _PLAIN.match(raw) else raw
    raw = raw.replace("−", "-").replace("–", "-")
    if not raw:
        raise _fail("empty answer", NUMBER_HINT)
    percent = raw.endswith("%")
    if percent:
        raw = raw[:-1].strip()
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    if _PLAIN.match(raw):
        value = float(raw)
        if not math.isfinite(value):
            raise _fail("the number is too large", NUMBER_HINT)
        figs = _sig_figs(raw)
        return ParsedNumber(value / 100 if percent else value, figs)
    scientific = _SCIENTIFIC.match(raw)
    if scientific:
        mantissa, exponent = scientific.groups()
        if abs(int(exponent)) > 300:
            raise _fail("the exponent is too large", NUMBER_HINT)
        value = float(f"{mantissa}e{exponent}")
        return ParsedNumber(value / 100 if percent else value, _sig_figs(mantissa))
    expression = _TIMES_TEN.sub("*10^", raw).replace("×", "*").replace("·", "*").replace("÷", "/")
    try:
        value = evaluate(expression)
    except ExpressionError as exc:
        raise _fail(f"cannot read {text.strip()[:40]!r} as a number: {exc}", NUMBER_HINT) from None
    return ParsedNumber(value / 100 if percent else value, None)


_OPEN = "([{（【"
_CLOSE = ")]}）】"


def _strip_brackets(text: str) -> str:
    text = text.strip()
    while text and text[0] in _OPEN and text[-1] in _CLOSE:
        text = text[1:-1].strip()
    return text


def _split_items(text: str, *, allow_times: bool) -> list[str]:
    body = _strip_brackets(normalize(text).replace("，", ",").replace("、", ",").replace("；", ";"))
    if not body:
        return []
    if "," in body or ";" in body:
        parts = re.split(r"\s*[,;]\s*", body)
    elif (allow_times and re.search(r"[x×X*]", body) and not re.search(r"\s", body.strip())) or (
        allow_times and re.search(r"\s[x×X*]\s", body)
    ):
        parts = re.split(r"\s*[x×X*]\s*", body)
    else:
        parts = body.split()
    return [p for p in (part.strip() for part in parts) if p != ""]


def parse_shape(text: str) -> list[int]:
    if len(text) > MAX_LENGTH:
        raise _fail(f"the answer is longer than {MAX_LENGTH} characters", SHAPE_HINT)
    parts = _split_items(text, allow_times=True)
    if not parts:
        raise _fail("empty answer", SHAPE_HINT)
    dims = []
    for part in parts:
        try:
            value = parse_number(part).value
        except AnswerParseError:
            raise _fail(f"{part!r} is not a size", SHAPE_HINT) from None
        if not value.is_integer() or value < 0:
            raise _fail(f"{part!r} is not a whole, non-negative size", SHAPE_HINT)
        dims.append(int(value))
    return dims


def parse_vector(text: str) -> list[ParsedNumber]:
    if len(text) > MAX_LENGTH * 4:
        raise _fail("the answer is too long", VECTOR_HINT)
    parts = _split_items(text, allow_times=False)
    if not parts:
        raise _fail("empty answer", VECTOR_HINT)
    values = []
    for part in parts:
        try:
            values.append(parse_number(part))
        except AnswerParseError:
            raise _fail(f"{part!r} is not a number", VECTOR_HINT) from None
    return values


def parse_choices(text: str, n_options: int, *, multi: bool) -> list[str]:
    hint = choice_hint(n_options, multi)
    body = normalize(text).upper()
    body = re.sub(r"(选项|选|OPTIONS?|AND|和|与)", " ", body)
    if len(body) > 60:
        raise _fail("that is not an option letter", hint)
    letters = re.sub(r"[\s,;、/&+.。]+", "", body)
    if not letters or not letters.isascii() or not letters.isalpha():
        raise _fail(f"cannot read {text.strip()[:30]!r} as option letters", hint)
    allowed = string.ascii_uppercase[:n_options]
    bad = sorted({c for c in letters if c not in allowed})
    if bad:
        raise _fail(f"there is no option {', '.join(bad)}", hint)
    chosen = sorted(set(letters))
    if not multi and len(chosen) != 1:
        raise _fail("choose exactly one option", hint)
    return chosen


_TRUE = {"t", "true", "y", "yes", "对", "是", "正确", "√", "✓", "✔", "1", "真", "right", "correct"}
_FALSE = {"f", "false", "n", "no", "错", "否", "错误", "×", "✗", "✘", "x", "0", "假", "wrong", "incorrect"}


def parse_truefalse(text: str) -> bool:
    body = normalize(text).lower().rstrip("。.!！")
    if body in _TRUE:
        return True
    if body in _FALSE:
        return False
    raise _fail(f"cannot read {text.strip()[:30]!r} as true or false", TF_HINT)


def fold_text(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used to compare fill-in answers and keywords."""
    return re.sub(r"\s+", "", normalize(text).casefold())


def parse_fill(text: str) -> str:
    folded = fold_text(text).rstrip("。.")
    if not folded:
        raise _fail("empty answer", FILL_HINT)
    if len(folded) > MAX_LENGTH:
        raise _fail(f"the answer is longer than {MAX_LENGTH} characters", FILL_HINT)
    return folded


def parse_open(text: str) -> str:
    body = normalize(text)
    if not body:
        raise _fail("empty answer", OPEN_HINT)
    if len(body) > MAX_ANSWER_CHARS:
        raise _fail(f"the answer is longer than {MAX_ANSWER_CHARS} characters", OPEN_HINT)
    return body
