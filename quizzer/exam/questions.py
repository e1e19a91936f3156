"""Rebuilding the Questions of a built exam from its manifest, exactly as they were printed.

The grader reads only ``manifest.json`` (plus the store for bank item versions and the registry for
generated problems), so a bank edited after the exam was printed still grades against the text the
students saw, and a generated problem is rebuilt from its seed and checked against the recorded params.
"""

from __future__ import annotations

import functools
import json
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.manifest import MANIFEST_NAME, Manifest, ManifestItem
from quizzer.quiz.question import Question, question_from_item, question_from_problem
from quizzer.store.engine import Store

LETTERS = string.ascii_uppercase


class ManifestError(QuizzerError):
    """A manifest that cannot be read, or that does not match the bank or the generators any more."""


@dataclass(frozen=True)
class ExamQuestion:
    """One question of one version: what the manifest says, and the Question rebuilt from it.

    For choice items ``question`` is built from the bank item with its options in printed order, so the
    grader and its feedback ("B is wrong: …") speak in the letters the student saw.
    """

    version: str
    entry: ManifestItem
    question: Question
    key: str  # the same question across versions (see ``version_keys``)

    @property
    def number(self) -> int:
        return self.entry.number

    def original_option(self, printed_letter: str) -> int:
        """Index in the bank item's own options of the option printed under ``printed_letter``."""
        position = LETTERS.index(printed_letter)
        return self.entry.permutation[position] if self.entry.permutation else position


def item_key(entry: ManifestItem) -> str:
    """What identifies "the same question" across versions, for item analysis.

    A bank item is itself; generated problems differ per version by design but are drawn for the same
    section slot with the same family and difficulty, so that slot is the question.
    """
    if entry.source == "bank":
        return f"bank:{entry.item_id}"
    return f"gen:{entry.section}:{entry.family}:{entry.difficulty}"


def version_keys(items: list[ManifestItem]) -> dict[int, str]:
    """Question number → key for one version; a second problem for the same slot gets ``#2``, and so on.

    Numbers are taken in section order then printed order, so the n-th problem of a slot matches the n-th
    of the same slot in every other version whatever order the versions print them in.
    """
    seen: dict[str, int] = {}
    keys = {}
    for entry in sorted(items, key=lambda e: (e.section, e.number)):
        base = item_key(entry)
        seen[base] = seen.get(base, 0) + 1
        keys[entry.number] = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return keys


def load_manifest(directory: Path) -> Manifest:
    """The manifest of a built exam; a missing or malformed one is a one-line error naming the file."""
    from pydantic import ValidationError

    if not directory.is_dir():
        raise NotFound(f"{directory}: no such exam directory (the --out of `quizzer exam build`)")
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise NotFound(f"{path}: no manifest; is {directory} the output of `quizzer exam build`?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc})") from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(manifest)"
        raise ManifestError(f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from None


def _bank_payload(store: Store, item_id: str, version: int, cache: dict | None = None) -> dict[str, Any]:
    """The item as it was at ``version``; ``cache`` spares a query per version of the exam for the same item."""
    from quizzer.store.models import BankItemVersion

    if cache is not None and (item_id, version) in cache:
        return dict(cache[(item_id, version)])
    with store.session() as session:
        row = session.get(BankItemVersion, (item_id, version))
        if row is None:
            raise ManifestError(
                f"bank item {item_id!r} version {version} is not in this database; "
                "grade with the database the exam was built from (--db)"
            )
        if cache is not None:
            cache[(item_id, version)] = row.payload
        return dict(row.payload)


def _letters_of(answer: Any) -> list[str]:
    if isinstance(answer, str):
        return sorted(c for c in answer.upper() if c in LETTERS)
    if isinstance(answer, list):
        return sorted(str(a).upper() for a in answer)
    return []


@functools.cache
def _item_adapter() -> Any:
    from pydantic import TypeAdapter

    from quizzer.bank.schema import BankItem

    return TypeAdapter(BankItem)


def rebuild(store: Store, entry: ManifestItem, where: str, cache: dict | None = None) -> Question:
    """The Question ``entry`` describes, with its key checked against the manifest's."""
    if entry.source == "bank":
        if entry.item_id is None or entry.item_version is None:
            raise ManifestError(f"{where}: a bank question needs item_id and item_version")
        from quizzer.grading.kinds import kind_of
        from quizzer.grading.kinds.base import ChoiceAnswer

        item = _item_adapter().validate_python(_bank_payload(store, entry.item_id, entry.item_version, cache))
        if entry.permutation:
            try:
                item = kind_of(item).reordered(item, entry.permutation)  # as printed: the letters the student saw
            except ValueError as exc:
                raise ManifestError(f"{where}: permutation {exc}") from None
        question = question_from_item(item, entry.item_version)
        shape = question.shape()
        if isinstance(shape, ChoiceAnswer) and entry.answer is not None and _letters_of(entry.answer) != shape.correct:
            raise ManifestError(
                f"{where}: the manifest's key {entry.answer!r} disagrees with the bank item "
                f"and permutation ({', '.join(shape.correct)})"
            )
        return question
    from quizzer.generators.base import answers_agree
    from quizzer.generators.registry import get_family, make_problem

    if entry.family is None or entry.seed is None or entry.difficulty is None:
        raise ManifestError(f"{where}: a generated question needs family, seed and difficulty")
    family = get_family(entry.family)
    if entry.params is None:
        problem = make_problem(family, entry.seed, entry.difficulty)
    else:
        # The problem as printed comes from its recorded parameters, not a fresh draw from the seed: a later
        # quizzer may draw differently from the same seed (new layer kinds, new parameters with defaults), and
        # the class wrote the printed one. Its key is still checked against the manifest's below.
        from pydantic import ValidationError

        try:
            params = family.params_model.model_validate(entry.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "params"
            raise ManifestError(
                f"{where}: {entry.family} no longer accepts the recorded params ({field}: {first['msg']}); "
                "the family changed since the exam was built"
            ) from None
        problem = family.build(params, difficulty=entry.difficulty, seed=entry.seed)
    if entry.answer is not None and not answers_agree(problem.spec, entry.answer, problem.answer):
        raise ManifestError(
            f"{where}: the manifest's key {entry.answer!r} differs from the family's {problem.answer!r}"
        )
    return question_from_problem(problem)


def exam_questions(
    store: Store, manifest: Manifest, only: set[str] | None = None
) -> dict[str, dict[int, ExamQuestion]]:
    """version code → question number → ExamQuestion, for every version of the manifest (or those in ``only``).

    Grading a class that sat 3 of 100 printed versions rebuilds 3 versions, not 100.
    """
    out: dict[str, dict[int, ExamQuestion]] = {}
    cache: dict = {}
    codes = [v.code for v in manifest.versions]
    if len(set(codes)) != len(codes):
        raise ManifestError(f"{MANIFEST_NAME}: a version code is used twice ({', '.join(codes)})")
    for version in manifest.versions:
        if only is not None and version.code not in only:
            continue
        numbers: dict[int, ExamQuestion] = {}
        keys = version_keys(version.items)
        for entry in version.items:
            where = f"{MANIFEST_NAME}: version {version.code} question {entry.number}"
            if entry.number in numbers:
                raise ManifestError(f"{where}: the number is used twice")
            question = rebuild(store, entry, where, cache)
            numbers[entry.number] = ExamQuestion(version.code, entry, question, keys[entry.number])
        out[version.code] = dict(sorted(numbers.items()))
    return out
