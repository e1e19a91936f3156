"""Bank question kinds: one module each, found without a list, dispatched through one registry."""

from __future__ import annotations

import re
import string
import sys
import textwrap
from pathlib import Path
from typing import assert_never

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from quizzer.bank.loader import load_bank
from quizzer.bank.schema import KINDS, BankFile, BankItem
from quizzer.errors import AnswerParseError
from quizzer.grading import kinds
from quizzer.grading.kinds.base import (
    BankKind,
    ChoiceAnswer,
    EssayAnswer,
    NumberAnswer,
    TextAnswer,
    TrueFalseAnswer,
)
from quizzer.grading.kinds.choice import MultiItem
from quizzer.quiz.question import BankQuestion, question_from_item
from quizzer.resources import bundled_questions_dir
from quizzer.text import BiText
from tests.answers import right_answer, wrong_answer
from tests.bankfiles import multi_item, text

ITEM = TypeAdapter(BankItem)
# The kinds this checkout ships; tests name them so that adding a kind does not mean editing this file.
SHIPPED = ("single", "multi", "truefalse", "fill", "numeric", "open")
BUNDLED = [loaded.item for loaded in load_bank([bundled_questions_dir()])]


def concrete_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        if not getattr(sub, "__abstractmethods__", None):
            found.add(sub)
        found |= concrete_subclasses(sub)
    return found


def test_every_kind_class_is_registered_once_under_its_models_name() -> None:
    registered = {type(kind) for kind in kinds.REGISTRY.values()}
    # Kinds made up by other tests are gone from sys.modules but may linger as subclasses until collected.
    defined = {cls for cls in concrete_subclasses(BankKind) if cls.__module__ in sys.modules}
    assert registered == defined  # a kind module that forgot its KINDS tuple fails here
    for name, kind in kinds.REGISTRY.items():
        assert kind.model.model_fields["kind"].annotation.__args__ == (name,)


def test_kinds_are_listed_in_their_declared_order() -> None:
    assert [name for name in KINDS if name in SHIPPED] == list(SHIPPED)
    orders = [kind.order for kind in kinds.REGISTRY.values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_the_bank_union_accepts_exactly_the_registered_models() -> None:
    union_members = BankFile.model_fields["items"].annotation.__args__[0].__origin__.__args__
    assert set(union_members) == {kind.model for kind in kinds.REGISTRY.values()}
    with pytest.raises(ValueError, match=".*".join(SHIPPED)):
        ITEM.validate_python({"kind": "essay"})


def test_old_import_paths_keep_working() -> None:
    # Branches written against the old layout import the item models from bank.schema.
    from quizzer.bank import schema
    from quizzer.grading.kinds.open import OpenItem

    assert schema.OpenItem is OpenItem and schema.MultiItem is MultiItem
    with pytest.raises(AttributeError):
        schema.EssayItem  # noqa: B018


@pytest.mark.parametrize("item", BUNDLED, ids=lambda item: item.id)
def test_every_bundled_item_grades_its_right_answer_correct_and_a_wrong_one_not(item) -> None:
    question = question_from_item(item, 1)
    right = question.grade(question.parse(right_answer(question)))
    assert right.verdict == "correct" and right.score == 1.0
    assert right.feedback[0].kind == "verdict" and any(line.kind == "explanation" for line in right.feedback)
    wrong = question.grade(question.parse(wrong_answer(question)))
    assert wrong.verdict != "correct" and wrong.score < 1.0
    expected = question.expected()
    assert expected.zh.strip() and expected.en.strip()
    assert all(isinstance(h, BiText) and h.zh and h.en for h in question.hints())


def test_each_kind_is_asked_in_its_own_words() -> None:
    by_kind = {}
    for item in BUNDLED:
        if item.kind in SHIPPED:
            by_kind.setdefault(item.kind, item)
    questions = {kind: question_from_item(item, 1) for kind, item in by_kind.items()}
    assert {kind: q.kind_title.en for kind, q in questions.items()} == {
        "single": "single choice",
        "multi": "multiple choice",
        "truefalse": "true/false",
        "fill": "fill in",
        "numeric": "numeric",
        "open": "open",
    }
    assert [kind for kind, q in questions.items() if q.self_rated] == ["open"]
    assert [kind for kind, q in questions.items() if q.options] == ["single", "multi"]


def test_grading_adds_the_explanation_and_the_notes_correction_for_every_kind() -> None:
    corrected = [item for item in BUNDLED if item.notes_correction]
    assert {item.kind for item in corrected} >= {"single", "truefalse", "numeric"}
    for item in corrected:
        question = question_from_item(item, 1)
        lines = question.grade(question.parse(wrong_answer(question))).feedback
        kinds_of_lines = [line.kind for line in lines]
        assert kinds_of_lines[-4:] == ["explanation", "correction", "correction", "correction"]
        assert lines[-3].text.en == "The notes say: " + item.notes_correction.claim.en


@st.composite
def multi_and_pick(draw):
    n = draw(st.integers(2, 8))
    letters = string.ascii_uppercase[:n]
    correct = draw(st.lists(st.sampled_from(letters), min_size=1, unique=True))
    picked = draw(st.lists(st.sampled_from(letters), min_size=1, unique=True))
    options = [{"text": text(f"选{c}", f"option {c}"), "why": text(f"因{c}", f"because {c}")} for c in letters]
    return ITEM.validate_python(multi_item("m-prop", options=options, answer=correct)), set(correct), picked


@given(multi_and_pick())
def test_multi_choice_credit_is_right_picks_minus_wrong_picks(case) -> None:
    item, correct, picked = case
    question = question_from_item(item, 1)
    result = question.grade(question.parse(" ".join(picked)))
    hits = sum(1 for p in picked if p in correct)
    misses = len(picked) - hits
    expected = max(0.0, (hits - misses) / len(correct))
    assert result.score == pytest.approx(expected, abs=1e-4)
    assert result.verdict == ("correct" if expected == 1 else "partial" if expected > 0 else "incorrect")
    # Every wrong pick is explained; so is every correct option missed.
    reasons = " ".join(line.text.en for line in result.feedback if line.kind == "why")
    assert all(f"because {c}" in reasons for c in set(picked) - correct)
    assert all(f"because {c}" in reasons for c in correct - set(picked))


@given(st.text(max_size=60))
def test_parsing_any_text_either_reads_it_or_says_how_to_type_it(raw) -> None:
    for item in {item.kind: item for item in BUNDLED}.values():
        question = question_from_item(item, 1)
        try:
            parsed = question.parse(raw)
        except AnswerParseError as exc:
            assert exc.hint is None or exc.hint.en
            continue
        assert question.grade(parsed).verdict in ("correct", "partial", "incorrect")


def test_a_new_kind_module_is_found_without_being_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping a module into the package is all it takes; the registry orders it by its ``order``."""
    package = tmp_path / "extra"
    package.mkdir()
    (package / "echo.py").write_text(
        textwrap.dedent("""
        from typing import Literal
        from quizzer.bank.schema import ItemBase
        from quizzer.grading.grade import Result
        from quizzer.grading.kinds.base import BankKind, Reveal, TextAnswer
        from quizzer.text import BiText

        class EchoItem(ItemBase):
            kind: Literal["echo"]
            word: str

        class EchoKind(BankKind[EchoItem, str]):
            model = EchoItem
            order = 15
            title = form = BiText("回声", "echo")
            def parse(self, item, raw): return raw
            def grade(self, item, parsed): return Result("correct", 1.0, self.expected(item), parsed)
            def expected(self, item): return BiText(item.word, item.word)
            def hints(self, item): return []
            def reveal(self, item): return Reveal(self.expected(item))
            def shape(self, item): return TextAnswer((item.word,))

        KINDS = (EchoKind(),)
    """),
        encoding="utf-8",
    )
    monkeypatch.setattr(kinds, "__path__", [*kinds.__path__, str(package)])
    try:
        found = kinds._discover()
    finally:
        sys.modules.pop("quizzer.grading.kinds.echo", None)
    names = list(found)
    assert names.index("echo") == names.index("single") + 1  # order 15: between single (10) and multi (20)
    assert [name for name in names if name != "echo"] == list(kinds.REGISTRY)
    assert found["echo"].expected(
        found["echo"].model.model_validate(
            {
                "id": "e-1",
                "kind": "echo",
                "topic": "pooling",
                "difficulty": 1,
                "section": 9,
                "word": "max",
                "prompt": text("问", "Q"),
                "explanation": text("解", "E"),
            }
        )
    ) == BiText("max", "max")


def test_a_kind_defined_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "dupe"
    package.mkdir()
    (package / "again.py").write_text(
        "from quizzer.grading.kinds.fill import FillKind\nKINDS = (FillKind(),)\n", encoding="utf-8"
    )
    monkeypatch.setattr(kinds, "__path__", [*kinds.__path__, str(package)])
    try:
        with pytest.raises(TypeError, match="'fill' is defined twice"):
            kinds._discover()
    finally:
        sys.modules.pop("quizzer.grading.kinds.again", None)


def test_bank_question_is_its_item_seen_through_its_kind() -> None:
    item = next(item for item in BUNDLED if item.kind == "single")
    question = question_from_item(item, 4)
    assert isinstance(question, BankQuestion) and question.item is item and question.item_version == 4
    assert question.ref.key == f"bank:{item.id}" and question.topic == item.topic
    assert question.prompt == BiText(item.prompt.zh, item.prompt.en)
    assert question.letters == string.ascii_uppercase[: len(item.options)]
    assert [o.en for o in question.options] == [o.text.en for o in item.options]
    assert not hasattr(question, "problem")


# --- the answer shape: what exam sheets and exporters lay out without naming a kind ----------------------------


def _graded(question: BankQuestion, raw: str) -> str:
    return question.grade(question.parse(raw)).verdict


@pytest.mark.parametrize("item", BUNDLED, ids=lambda item: item.id)
def test_every_bundled_items_shape_states_the_answer_its_own_grader_accepts(item) -> None:
    question = question_from_item(item, 1)
    shape = question.shape()
    match shape:
        case ChoiceAnswer():
            assert [c.text for c in shape.options] == list(question.options)
            assert shape.several == isinstance(item, MultiItem)
            assert _graded(question, "".join(shape.correct)) == "correct"
            wrong = [c.letter for c in shape.options if not c.correct]
            assert _graded(question, wrong[0]) != "correct"
        case TrueFalseAnswer():
            assert _graded(question, "true" if shape.value else "false") == "correct"
            assert _graded(question, "false" if shape.value else "true") == "incorrect"
        case TextAnswer():
            assert shape.accepted and all(_graded(question, a) == "correct" for a in shape.accepted)
        case NumberAnswer():
            assert _graded(question, repr(shape.value)) == "correct"
            assert _graded(question, repr(shape.value + 10 * shape.tolerance + 1)) == "incorrect"
        case EssayAnswer():
            assert shape.reference == question.expected() and shape.points
        case _:
            assert_never(shape)


CHOICE_ITEMS = [item for item in BUNDLED if isinstance(kinds.item_shape(item), ChoiceAnswer)]


@given(st.sampled_from(CHOICE_ITEMS), st.randoms(use_true_random=False))
def test_reordered_options_keep_their_texts_and_the_answer_follows_them(item, rng) -> None:
    kind = kinds.kind_of(item)
    order = list(range(len(item.options)))
    rng.shuffle(order)
    printed = kind.reordered(item, order)
    assert printed.options == [item.options[i] for i in order]
    right_texts = {c.text for c in kind.shape(item).options if c.correct}
    assert {c.text for c in kind.shape(printed).options if c.correct} == right_texts
    question = question_from_item(printed, 1)
    assert _graded(question, "".join(kind.shape(printed).correct)) == "correct"


def test_an_order_that_is_not_a_permutation_of_the_options_is_refused() -> None:
    item = ITEM.validate_python(multi_item())
    with pytest.raises(ValueError, match="not an order"):
        kinds.kind_of(item).reordered(item, [0, 0])


def test_a_multi_item_with_one_right_option_says_so_in_the_singular() -> None:
    question = question_from_item(ITEM.validate_python(multi_item()), 1)
    assert question.hints()[0] == BiText("共有 1 个正确选项。", "1 option is correct.")


def test_exam_and_export_code_never_names_a_kind() -> None:
    """The issue's promise: a new kind touches its own module, not the exam builder, grader or exporters."""
    root = Path(kinds.__file__).parents[2]
    models = "|".join(kind.model.__name__ for kind in kinds.REGISTRY.values())
    names = "|".join(kinds.REGISTRY)
    forbidden = re.compile(rf"\b({models})\b|\.kind\s*(==|!=|in\b)|case\s+[\"']({names})[\"']")
    offenders = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for folder in ("exam", "export")
        for path in sorted((root / "quizzer" / folder).glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert not offenders, "\n".join(offenders)
