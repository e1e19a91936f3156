"""Select an exam's questions and lay out its versions: the same bank items in every version (so that the
versions can be compared question by question), generated problems of the same family and difficulty in the
same slot with a new instance per version, question order (within a section) and option order shuffled per
version. Everything follows from the spec and the seed: the same pair gives the same exam on any machine.

Every question goes through the quiz's ``Question`` (one grader, one set of explanations).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import string
from dataclasses import dataclass
from typing import Any, assert_never

from quizzer import __version__
from quizzer.bank.catalog import ItemRecord, list_items
from quizzer.errors import BadParameters, VerificationFailed
from quizzer.exam.manifest import CSV_HEADER, Manifest, ManifestItem, ManifestVersion
from quizzer.exam.spec import BankDraw, ExamSpec, GeneratedDraw
from quizzer.generators.registry import get_family, make_problem
from quizzer.grading import kinds
from quizzer.grading.kinds.base import (
    AnswerShape,
    ChoiceAnswer,
    EssayAnswer,
    NumberAnswer,
    TextAnswer,
    TrueFalseAnswer,
)
from quizzer.quiz.question import BankQuestion, GeneratedQuestion, Question, question_from_item, question_from_problem
from quizzer.safety import write_csv
from quizzer.store.engine import Store

MAX_VERSIONS = 500
# How many fresh instance seeds a generated slot tries before accepting a repeat of another version's problem
# (a family with a small parameter space at difficulty 1 may simply not have N different problems: e.g.
# activation-derivative has 15 at difficulty 1, receptive-field 40).
DISTINCT_TRIES = 25


@dataclass(frozen=True)
class Slot:
    """One question of the exam before versions: which section and draw it came from, and what fills it."""

    section: int
    draw: int
    index: int  # within its draw
    points: float
    record: ItemRecord | None = None
    family: str | None = None
    difficulty: int | None = None


@dataclass(frozen=True)
class PrintedQuestion:
    """One question as printed on one version's sheet: a bank item with options is rebuilt by its kind with the
    options in printed order (``BankKind.reordered``), so its answer, key and feedback use the printed letters."""

    number: int
    section: int
    points: float
    question: Question
    # permutation[i] = index in the item's options of the option printed at position i (items with options only)
    permutation: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ExamVersion:
    code: str
    questions: tuple[PrintedQuestion, ...]


@dataclass(frozen=True)
class BuiltExam:
    spec: ExamSpec
    lang: str
    seed: int
    versions: tuple[ExamVersion, ...]
    manifest: Manifest


def version_codes(count: int) -> list[str]:
    """A, B, … Z for up to 26 versions; V01, V02 … (zero-padded to a common width) beyond."""
    if count <= 26:
        return list(string.ascii_uppercase[:count])
    width = max(2, len(str(count)))
    return [f"V{i + 1:0{width}d}" for i in range(count)]


def _derive(*parts: object) -> int:
    """A 63-bit seed that depends only on its parts (stable across machines, runs and PYTHONHASHSEED)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _matches(draw: BankDraw, record: ItemRecord) -> bool:
    item = record.item
    return (
        (not draw.topics or item.topic in draw.topics)
        and (not draw.kinds or item.kind in draw.kinds)
        and (not draw.difficulty or item.difficulty in draw.difficulty)
    )


def select_slots(spec: ExamSpec, pool: list[ItemRecord], seed: int) -> list[Slot]:
    """Every slot of the exam, in spec order. Raises BadParameters naming every draw the bank cannot fill."""
    rng = random.Random(_derive("quizzer-exam", seed, "select"))
    by_id = {r.item.id: r for r in pool}
    used: set[str] = set()
    slots: list[Slot] = []
    shortfalls: list[str] = []
    for s, section in enumerate(spec.sections):
        for d, draw in enumerate(section.draws):
            where = f"section {s + 1}, draw {d + 1}"
            if isinstance(draw, GeneratedDraw):
                slots += [
                    Slot(s, d, k, draw.points, family=draw.family, difficulty=draw.difficulty)
                    for k in range(draw.count)
                ]
                continue
            if draw.ids:
                missing = [i for i in draw.ids if i not in by_id]
                if missing:
                    shortfalls.append(f"{where}: no active bank item with id {', '.join(missing)}")
                    continue
                chosen_ids = [i for i in draw.ids if i not in used]
                if len(chosen_ids) < len(draw.ids):
                    shortfalls.append(
                        f"{where}: item(s) already drawn by an earlier draw: "
                        f"{', '.join(i for i in draw.ids if i in used)}"
                    )
                    continue
                if draw.count is not None and draw.count != len(draw.ids):
                    shortfalls.append(f"{where}: count {draw.count} does not match the {len(draw.ids)} ids listed")
                    continue
                chosen = [by_id[i] for i in chosen_ids]
            else:
                candidates = [r for r in pool if r.item.id not in used and _matches(draw, r)]
                if len(candidates) < draw.needed:
                    shortfalls.append(
                        f"{where}: asks for {draw.needed} bank items ({draw.describe()}) "
                        f"but only {len(candidates)} are available"
                    )
                    continue
                chosen = rng.sample(candidates, draw.needed)
            used.update(r.item.id for r in chosen)
            slots += [Slot(s, d, k, draw.points, record=r) for k, r in enumerate(chosen)]
    if shortfalls:
        noun = "draw" if len(shortfalls) == 1 else "draws"
        raise BadParameters(
            f"the bank cannot fill {len(shortfalls)} {noun}; nothing was written.\n  " + "\n  ".join(shortfalls)
        )
    return slots


def _params_key(question: Question) -> str:
    assert isinstance(question, GeneratedQuestion)
    return json.dumps([question.problem.family, question.problem.params], sort_keys=True)


def _generated(slot: Slot, seed: int, code: str, taken: set[str], tries: int) -> tuple[Question, bool]:
    """The slot's problem for one version: same family and difficulty, an instance no other version has.

    Returns the question and whether it is new; after ``tries`` draws that all repeat, the last one is kept.
    """
    family = get_family(slot.family or "")
    question = None
    for attempt in range(tries):
        instance = _derive("quizzer-exam", seed, slot.section, slot.draw, slot.index, code, attempt)
        question = question_from_problem(make_problem(family, instance, slot.difficulty or 1))
        if _params_key(question) not in taken:
            return question, True
    assert question is not None
    return question, False


def verify_keys(versions: tuple[ExamVersion, ...] | list[ExamVersion]) -> int:
    """Check every distinct generated problem against torch; raises VerificationFailed on the first disagreement.

    The quiz voids a question whose key torch does not confirm; a printed key cannot be voided, so it is refused.
    Returns how many distinct problems were checked.
    """
    from quizzer.generators.verification import check

    seen: set[str] = set()
    for version in versions:
        for pq in version.questions:
            # Bank questions carry no generated problem: there is no torch key to check.
            if not isinstance(pq.question, GeneratedQuestion) or _params_key(pq.question) in seen:
                continue
            problem = pq.question.problem
            seen.add(_params_key(pq.question))
            family = get_family(problem.family)
            result = check(family, family.params_model.model_validate(problem.params))
            if not result.agree:
                raise VerificationFailed(
                    f"{problem.family} seed {problem.seed}: closed form {result.answer!r} but "
                    f"torch gives {result.torch_answer!r}; this key cannot be printed"
                )
    return len(seen)


def build_versions(spec: ExamSpec, slots: list[Slot], *, versions: int, seed: int) -> list[ExamVersion]:
    if not 1 <= versions <= MAX_VERSIONS:
        raise BadParameters(f"--versions must be between 1 and {MAX_VERSIONS}, not {versions}")
    bank_questions = {i: question_from_item(s.record.item, s.record.version) for i, s in enumerate(slots) if s.record}
    # Problems already used, per slot across versions and per version across slots. A slot whose family has
    # run out of new problems (difficulty 1 of a small family, many versions) stops searching for one.
    per_slot: dict[int, set[str]] = {i: set() for i in range(len(slots))}
    exhausted: set[int] = set()
    out = []
    for code in version_codes(versions):
        rng = random.Random(_derive("quizzer-exam", seed, "order", code))
        order: list[int] = []
        for s, section in enumerate(spec.sections):
            members = [i for i, slot in enumerate(slots) if slot.section == s]
            if section.shuffle:
                rng.shuffle(members)
            order += members
        in_version: set[str] = set()
        printed = []
        for number, i in enumerate(order, start=1):
            slot = slots[i]
            question: Question
            if slot.record is not None:
                question = bank_questions[i]
                permutation = None
                if question.options:
                    permutation = tuple(rng.sample(range(len(question.options)), len(question.options)))
                    item = kinds.kind_of(question.item).reordered(question.item, list(permutation))
                    question = question_from_item(item, question.item_version)
            else:
                question, new = _generated(
                    slot, seed, code, per_slot[i] | in_version, 1 if i in exhausted else DISTINCT_TRIES
                )
                if not new:
                    exhausted.add(i)
                per_slot[i].add(_params_key(question))
                in_version.add(_params_key(question))
                permutation = None
            printed.append(PrintedQuestion(number, slot.section, slot.points, question, permutation))
        out.append(ExamVersion(code, tuple(printed)))
    return out


def shape_answer(shape: AnswerShape, lang: str) -> Any:
    """A bank answer as manifest.json's ``answer`` holds it, per answer shape: one option right: its letter ("C");
    several: the letters, sorted (["A", "C"]); true/false: a bool; a text: every accepted spelling; a number: the
    value (``abs_tol`` = its tolerance); an essay: the reference in the exam's language.
    """
    match shape:
        case ChoiceAnswer():
            return shape.correct if shape.several else shape.correct[0]
        case TrueFalseAnswer():
            return shape.value
        case TextAnswer():
            return list(shape.accepted)
        case NumberAnswer():
            return shape.value
        case EssayAnswer():
            return shape.reference.get(lang)
        case _:
            assert_never(shape)


def printed_answer(pq: PrintedQuestion, lang: str) -> Any:
    """The key in printed form (what manifest.json's ``answer`` holds): see ``shape_answer``; a generated
    problem's is its answer (int, float, list or dict, with ``rel_tol``/``abs_tol`` from the family's spec).
    """
    q = pq.question
    if isinstance(q, GeneratedQuestion):
        return q.problem.answer
    return shape_answer(q.shape(), lang)  # the question is in printed order: its letters are the printed ones


def _manifest_item(pq: PrintedQuestion, lang: str) -> ManifestItem:
    q = pq.question
    common = dict(number=pq.number, section=pq.section, points=pq.points, answer=printed_answer(pq, lang))
    if isinstance(q, GeneratedQuestion):
        p = q.problem
        return ManifestItem(
            source="generated",
            kind=q.kind,
            family=p.family,
            difficulty=p.difficulty,
            seed=p.seed,
            params=p.params,
            rel_tol=p.spec.rel_tol,
            abs_tol=p.spec.abs_tol,
            **common,
        )
    assert isinstance(q, BankQuestion)
    shape = q.shape()
    abs_tol = shape.tolerance if isinstance(shape, NumberAnswer) else None
    return ManifestItem(
        source="bank",
        kind=q.kind,
        item_id=q.item.id,
        item_version=q.item_version,
        abs_tol=abs_tol,
        permutation=list(pq.permutation) if pq.permutation else None,
        **common,
    )


def csv_template(versions: list[ExamVersion]) -> str:
    """The answers CSV to fill in: the header, then one row per (version, question) with the student blank."""
    buffer = io.StringIO()
    write_csv(buffer, CSV_HEADER, (["", v.code, pq.number, ""] for v in versions for pq in v.questions))
    return buffer.getvalue()


def bank_digest(pool: list[ItemRecord]) -> str:
    """What the selection depended on: every active item's id, version and content."""
    lines = sorted(f"{r.item.id}:{r.version}:{r.item.content_hash()}" for r in pool)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def build_exam(
    store: Store, spec: ExamSpec, spec_sha256: str, *, versions: int, seed: int, lang: str, verify: bool = True
) -> BuiltExam:
    """Select, lay out and key every version. Raises before anything is written when the bank cannot fill it."""
    pool = list_items(store)
    slots = select_slots(spec, pool, seed)
    built = build_versions(spec, slots, versions=versions, seed=seed)
    if verify:
        verify_keys(built)
    manifest = Manifest(
        title=spec.title.bi().get(lang),
        lang=lang,
        seed=seed,
        spec_sha256=spec_sha256,
        quizzer_version=__version__,
        bank_sha256=bank_digest(pool),
        total_points=sum(s.points for s in slots),
        versions=[ManifestVersion(code=v.code, items=[_manifest_item(pq, lang) for pq in v.questions]) for v in built],
        csv_template=csv_template(built),
    )
    return BuiltExam(spec, lang, seed, tuple(built), manifest)
