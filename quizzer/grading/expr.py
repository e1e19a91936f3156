"""A small, bounded arithmetic-expression evaluator for typed answers.

Learners type ``0.25^10``, ``(227-11)/4+1`` or ``sqrt(2)/2``. This is a
hand-written recursive-descent parser over a fixed grammar — user input never
reaches ``eval`` — with limits on length, nesting, exponent size and result
magnitude, so that a hostile or accidental ``9^9^9^9`` is a polite error.

Grammar::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | implicit) unary)*
    unary  := ('+' | '-') unary | power
    power  := atom (('^' | '**') unary)?
    atom   := NUMBER | CONST | FUNC '(' expr ')' | '(' expr ')'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_LENGTH = 200
MAX_DEPTH = 40
MAX_EXPONENT = 1000.0
MAX_MAGNITUDE = 1e300

FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "ln": math.log,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "abs": abs,
}
CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-zπ][A-Za-z0-9]*)"
    r"|(?P<op>\*\*|[-+*/^()]))"
)


class ExpressionError(ValueError):
    """The text is not a valid or not a safe expression."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def tokenize(text: str) -> list[_Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the answer is longer than {MAX_LENGTH} characters")
    tokens: list[_Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].lstrip()[:1]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise ExpressionError(f"expected {text!r}, found {token.text!r}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply")

    def expr(self) -> float:
        self.enter()
        value = self.term()
        while (t := self.peek()) is not None and t.text in "+-" and t.kind == "op":
            self.take()
            rhs = self.term()
            value = _check(value + rhs if t.text == "+" else value - rhs)
        self.depth -= 1
        return value

    def term(self) -> float:
        value = self.unary()
        while (t := self.peek()) is not None:
            if t.kind == "op" and t.text in ("*", "/"):
                self.take()
                rhs = self.unary()
                if t.text == "/":
                    if rhs == 0:
                        raise ExpressionError("division by zero")
                    value = _check(value / rhs)
                else:
                    value = _check(value * rhs)
            elif t.kind in ("num", "name") or t.text == "(":
                value = _check(value * self.unary())  # implicit product: 2pi, 3(4+1)
            else:
                break
        return value

    def unary(self) -> float:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in "+-":
            self.take()
            self.enter()
            value = self.unary()
            self.depth -= 1
            return -value if t.text == "-" else value
        return self.power()

    def power(self) -> float:
        base = self.atom()
        t = self.peek()
        if t is not None and t.text in ("^", "**"):
            self.take()
            self.enter()
            exponent = self.unary()  # right-associative: 2^3^2 = 2^9
            self.depth -= 1
            if abs(exponent) > MAX_EXPONENT:
                raise ExpressionError(f"the exponent {exponent:g} is too large")
            if base == 0 and exponent < 0:
                raise ExpressionError("zero to a negative power")
            if base < 0 and not float(exponent).is_integer():
                raise ExpressionError("a negative number to a fractional power")
            try:
                return _check(math.pow(base, exponent))
            except OverflowError:
                raise ExpressionError("the result is too large") from None
        return base

    def atom(self) -> float:
        t = self.take()
        if t.kind == "num":
            return _check(float(t.text))
        if t.kind == "name":
            name = t.text.lower() if t.text != "π" else t.text
            if name in CONSTANTS:
                return CONSTANTS[name]
            if name in FUNCTIONS:
                self.expect("(")
                self.enter()
                arg = self.expr()
                self.depth -= 1
                self.expect(")")
                try:
                    return _check(float(FUNCTIONS[name](arg)))
                except (ValueError, OverflowError):
                    raise ExpressionError(f"{name}({arg:g}) is not defined") from None
            raise ExpressionError(f"unknown name {t.text!r}")
        if t.text == "(":
            value = self.expr()
            self.expect(")")
            return value
        raise ExpressionError(f"unexpected {t.text!r}")


def _check(value: float) -> float:
    if math.isnan(value) or math.isinf(value) or abs(value) > MAX_MAGNITUDE:
        raise ExpressionError("the result is not a finite number")
    return value


def evaluate(text: str) -> float:
    """Evaluate ``text``; raises ExpressionError for anything that is not a safe arithmetic expression."""
    tokens = tokenize(text)
    if not tokens:
        raise ExpressionError("empty expression")
    parser = _Parser(tokens)
    value = parser.expr()
    leftover = parser.peek()
    if leftover is not None:
        raise ExpressionError(f"unexpected {leftover.text!r}")
    return value
