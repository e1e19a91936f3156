"""One answer graded against one bank item or one generated problem: the door scripts, LMS plug-ins and tests use.

``grade_one`` finds the question (a bank item by id, or a family with typed-in parameters), parses and grades
the answer exactly as a quiz would, and returns the result. It stores nothing and opens no database: bank items
come from the bundled bank files (plus any files the caller names), problems from the generator registry.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizzer.bank.schema import BankItem
from quizzer.errors import AnswerParseError, BadParameters, NotFound
from quizzer.generators.base import Problem
from quizzer.grading import grade
from quizzer.text import BiText


@dataclass(frozen=True)
class GradedAnswer:
    """What ``grade_one`` found and decided."""

    target: str  # the bank item id or the family name
    source: str  # "bank" or "generated"
    prompt: BiText
    result: grade.Result
    params: dict[str, Any] | None = None  # the validated parameters of a generated problem

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """A JSON-ready dict; with ``lang`` every text is in that language, otherwise both."""

        def text(t: BiText) -> Any:
            return t.get(lang) if lang else t.as_dict()

        r = self.result
        return {
            "target": self.target,
            "source": self.source,
            "params": self.params,
            "verdict": r.verdict,
            "score": r.score,
            "expected": text(r.expected),
            "parsed": r.parsed,
            "diagnosis": r.diagnosis,
            "feedback": [{"kind": f.kind, "text": text(f.text)} for f in r.feedback],
        }


def grade_one(
    target: str, answer: str, *, params: dict[str, str] | None = None, bank_paths: list[Path] | None = None
) -> GradedAnswer:
    """Grade ``answer`` against the bank item ``target``, or the problem of family ``target`` with ``params``.

    Raises ``NotFound`` for an unknown id or family, ``BadParameters`` for parameters that do not fit, and
    ``AnswerParseError`` (whose message says what form is expected) for an answer that cannot be read.
    """
    from quizzer.generators.registry import all_families

    families = [f.name for f in all_families()]
    if target in families:
        return _grade_problem(target, answer, params or {})
    if params:
        close = difflib.get_close_matches(target, families, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else " (see `quizzer families`)"
        raise BadParameters(f"{target!r} is not a problem family, so it takes no parameters{hint}")
    return _grade_item(_find_item(target, bank_paths or [], families), answer)


def _grade_problem(name: str, answer: str, params: dict[str, str]) -> GradedAnswer:
    from quizzer.generators.registry import get_family, parse_params

    family = get_family(name)
    if not params:
        names = ", ".join(family.params_model.model_fields)
        raise BadParameters(f"{name}: give the problem's parameters with --params KEY=VALUE (parameters: {names})")
    problem: Problem = family.build(parse_params(family, params), difficulty=0, seed=None)
    parsed = _parse(lambda raw: grade.parse_problem_answer(problem, raw), answer)
    return GradedAnswer(name, "generated", problem.prompt, grade.grade_problem(problem, parsed), problem.params)


def _grade_item(item: BankItem, answer: str) -> GradedAnswer:
    from quizzer.grading.kinds import grade_item, parse_item_answer
    from quizzer.grading.kinds.base import bi

    parsed = _parse(lambda raw: parse_item_answer(item, raw), answer)
    return GradedAnswer(item.id, "bank", bi(item.prompt), grade_item(item, parsed))


def _parse(parser: Any, answer: str) -> Any:
    try:
        return parser(answer)
    except AnswerParseError as exc:
        hint = f" {exc.hint.en}" if isinstance(exc.hint, BiText) else ""
        raise AnswerParseError(f"cannot read the answer {answer!r}: {exc}.{hint}", exc.hint) from None


@functools.lru_cache(maxsize=1)
def _bundled_items() -> dict[str, BankItem]:
    """The bundled bank by id, read once per process (a script grading many answers pays for the YAML once)."""
    from quizzer.bank.loader import load_bank
    from quizzer.resources import bundled_questions_dir

    return {loaded.item.id: loaded.item for loaded in load_bank([bundled_questions_dir()])}


def _find_item(item_id: str, bank_paths: list[Path], families: list[str]) -> BankItem:
    from quizzer.bank.loader import load_bank

    items = dict(_bundled_items())
    if bank_paths:  # the caller's own files, whose items win over bundled ones with the same id
        items.update({loaded.item.id: loaded.item for loaded in load_bank(bank_paths)})
    if item_id in items:
        return items[item_id]
    close = difflib.get_close_matches(item_id, [*items, *families], n=3)  # a mistyped family is as likely
    suggestion = f"; did you mean {', '.join(close)}?" if close else " (see `quizzer bank list` and `quizzer families`)"
    raise NotFound(f"no bank item or problem family named {item_id!r}{suggestion}")
