"""Open answers: the notes' own mistakes do not pass, wrong claims are caught (and negations are not),
key points require the corrected fact, and the grader agrees with an examiner's labels."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from quizzer.bank.schema import BankItem, OpenItem
from quizzer.grading.keypoints import clauses, contains, coverage, fold, makes_claim
from quizzer.grading.kinds import grade_item
from quizzer.grading.kinds.open import OPEN_CORRECT, WRONG_CLAIM_CAP
from tests.bankfiles import text
from tests.test_bank_content import ITEMS, NOTES

ITEM = TypeAdapter(BankItem)
OPEN_ITEMS = {i.id: i for i in ITEMS if isinstance(i, OpenItem)}
LABELLED = Path(__file__).parent / "data" / "open-answers.yaml"
# Written after the patterns were tuned on LABELLED and graded without tuning on it: an honest estimate.
HELD_OUT = Path(__file__).parent / "data" / "open-answers-heldout.yaml"
AGREEMENT_TARGET = 0.90


def notes_sections() -> dict[int, str]:
    """The notes' 13 sections by number: each starts at a ``- #### **question**`` line."""
    parts = re.split(r"^- #### ", NOTES.read_text(encoding="utf-8"), flags=re.M)[1:]
    assert len(parts) == 13, f"expected 13 sections in the notes, found {len(parts)}"
    return dict(enumerate(parts, start=1))


# --- the notes pasted as the answer ---------------------------------------------------------------


@pytest.mark.parametrize("item_id", sorted(i for i, item in OPEN_ITEMS.items() if item.notes_correction))
def test_pasting_the_notes_section_is_not_correct_and_shows_the_correction(item_id: str) -> None:
    if not NOTES.exists():
        pytest.skip("the learner's notes are not beside this checkout")
    item = OPEN_ITEMS[item_id]
    result = grade_item(item, notes_sections()[item.section])
    assert result.verdict != "correct", (item_id, result.score)
    assert result.score < OPEN_CORRECT and result.diagnosis == "wrong-claim"
    # The correction of the specific wrong claim the notes make, not only the item's general note.
    shown = [line.text.en for line in result.feedback if line.kind == "diagnosis"]
    assert any(claim.correction.en in line for claim in item.wrong_claims for line in shown), shown


# --- the labelled set ------------------------------------------------------------------------------


def labelled(path: Path = LABELLED) -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pass_fail_agreement(path: Path) -> tuple[int, int, list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(agreeing, total, incorrect answers that passed, disagreements) on the pass/fail decision."""
    agree = total = 0
    passed_incorrect, disagreements = [], []
    for item_id, answers in labelled(path).items():
        for answer in answers:
            passed = grade_item(OPEN_ITEMS[item_id], answer["answer"]).verdict == "correct"
            total += 1
            if passed == (answer["label"] == "correct"):
                agree += 1
            else:
                disagreements.append((item_id, answer["label"], answer["answer"][:50]))
            if passed and answer["label"] == "incorrect":
                passed_incorrect.append((item_id, answer["answer"][:50]))
    return agree, total, passed_incorrect, disagreements


def test_labelled_set_covers_every_open_item_with_each_kind_of_answer() -> None:
    data = labelled()
    assert set(data) == set(OPEN_ITEMS)
    for item_id, answers in data.items():
        assert len(answers) >= 8, item_id
        assert {a["label"] for a in answers} <= {"correct", "partial", "incorrect"}
        kinds = Counter(a["type"] for a in answers)
        assert kinds["paraphrase"] >= 1 and kinds["short"] >= 1, item_id
        assert kinds["wrong-claim"] + kinds["notes"] >= 1, item_id
        languages = {"zh" if re.search(r"[\u4e00-\u9fff]", a["answer"]) else "en" for a in answers}
        assert languages == {"zh", "en"}, item_id


def test_grader_agrees_with_the_examiner_on_pass_or_fail() -> None:
    agree, total, passed_incorrect, disagreements = pass_fail_agreement(LABELLED)
    print(f"\nopen-answer agreement on pass/fail: {agree}/{total} = {agree / total:.1%}")
    assert passed_incorrect == []
    assert agree / total >= AGREEMENT_TARGET, disagreements


def test_held_out_answers_making_wrong_claims_never_pass() -> None:
    # Keyword recall is the grader's weak side (a correct paraphrase in unlisted words can be marked
    # partial), so only the safety property is asserted here; the figure is printed for the record.
    agree, total, passed_incorrect, _ = pass_fail_agreement(HELD_OUT)
    print(f"\nheld-out agreement on pass/fail: {agree}/{total} = {agree / total:.1%}")
    assert passed_incorrect == []
    claims = [
        (i, a["answer"])
        for i, answers in labelled(HELD_OUT).items()
        for a in answers
        if a["type"] in ("wrong-claim", "notes")
    ]
    assert all(grade_item(OPEN_ITEMS[i], answer).verdict != "correct" for i, answer in claims)


# --- wrong claims and negation -----------------------------------------------------------------------

SIGMOID = ["恒小于|总小于|始终小于 & 0.25", "always below|always less than & 0.25"]


@pytest.mark.parametrize(
    "answer",
    [
        "sigmoid 的导数恒小于0.25，所以会梯度消失",
        "The sigmoid's derivative is always below 0.25.",
        "梯度消失：链式法则连乘，sigmoid 导数始终小于 0.25。",
    ],
)
def test_a_claim_is_found_in_either_language(answer: str) -> None:
    assert makes_claim(answer, SIGMOID)


@pytest.mark.parametrize(
    "answer",
    [
        "sigmoid 的导数不是恒小于0.25，而是 ≤ 0.25",
        "sigmoid 导数并非恒小于 0.25",
        "It is not true that the sigmoid's derivative is always below 0.25: it equals 0.25 at 0.",
        "The derivative isn't always below 0.25.",
        "Contrary to the notes, the derivative is never always below 0.25",
        "0 处导数等于 0.25，这不代表 sigmoid 导数恒小于 0.25",
    ],
)
def test_a_negated_claim_is_not_charged(answer: str) -> None:
    assert not makes_claim(answer, SIGMOID)


def test_a_claim_needs_all_its_parts_in_one_clause_and_whole_numbers() -> None:
    assert not makes_claim("导数恒小于1。最大值是 0.25", SIGMOID)  # the parts are in different sentences
    assert not makes_claim("always below 0.255", SIGMOID)  # 0.25 is not 0.255
    assert not makes_claim("always below 10.25", SIGMOID)


def test_negation_after_the_claim_belongs_to_the_next_statement() -> None:
    claim = ["escape & local minim & !sometimes|may"]
    assert makes_claim("Momentum always escapes local minima and never overshoots.", claim)
    assert not makes_claim("Momentum does not always escape local minima.", claim)
    assert not makes_claim("Momentum may escape a shallow local minimum.", claim)  # an absent part present


def test_a_claim_that_contains_a_negation_word_is_still_found() -> None:
    claim = ["cannot converge|不能收敛"]
    assert makes_claim("SGD cannot converge.", claim)
    assert makes_claim("随机梯度下降不能收敛", claim)
    assert not makes_claim("It is wrong that SGD cannot converge.", claim)
    assert not makes_claim("并不是说随机梯度下降不能收敛", claim)


def test_unless_excuses_an_answer_that_states_the_corrected_fact() -> None:
    claim, unless = ["组合 & 任意|复杂函数"], ["sigmoid & 也|同样 & 逼近|做到"]
    assert makes_claim("ReLU 组合后可以拟合任意复杂的函数。", claim, unless)
    assert not makes_claim("ReLU 组合后可以拟合任意复杂的函数，不过 sigmoid 网络同样能做到。", claim, unless)


def test_numbers_fold_whole() -> None:
    assert fold("0.25 和 589,824") == "0.25和589824"
    assert contains(fold("momentum defaults to 0"), "defaults to 0")
    assert not contains(fold("momentum defaults to 0.9"), "defaults to 0")
    assert not contains(fold("lr = 0.26"), "0.25")  # no typo tolerance for numbers
    assert clauses("0.25 is the max. Next, 3,4")[0] == "0.25 is the max"


# --- the open item's fields ----------------------------------------------------------------------------


def open_item(**extra: object) -> OpenItem:
    points = [
        {
            "point": text("≤ 0.25", "≤ 0.25"),
            "keywords": {"zh": ["0.25"], "en": ["0.25"]},
            "requires": [{"zh": ["≤0.25", "最大0.25"], "en": ["at most 0.25", "≤0.25"]}],
        },
        {"point": text("链式法则", "chain rule"), "keywords": {"zh": ["链式法则"], "en": ["chain rule"]}},
    ]
    claim = {
        "claim": text("恒小于 0.25", "always below 0.25"),
        "correction": text("最大为 0.25", "at most 0.25"),
        "detect": {"zh": [SIGMOID[0]], "en": [SIGMOID[1]]},
    }
    item = ITEM.validate_python(
        {
            "id": "o-1",
            "topic": "gradients",
            "kind": "open",
            "difficulty": 2,
            "section": 2,
            "prompt": text("为什么梯度消失？", "Why do gradients vanish?"),
            "reference": text("参考", "reference"),
            "key_points": points,
            "wrong_claims": [claim],
            "explanation": text("解析", "explanation"),
            **extra,
        }
    )
    assert isinstance(item, OpenItem)
    return item


def test_a_point_that_corrects_the_notes_requires_the_corrected_fact() -> None:
    item = open_item()
    assert coverage("链式法则连乘，sigmoid 导数 0.25", item.key_points).covered == [False, True]
    assert coverage("链式法则连乘，sigmoid 导数最大 0.25", item.key_points).covered == [True, True]


def test_an_answer_making_a_wrong_claim_is_capped_below_the_pass_mark_and_corrected() -> None:
    item = open_item()
    good = grade_item(item, "链式法则连乘；sigmoid 导数 ≤ 0.25。")
    assert good.verdict == "correct" and good.score == 1.0 and good.diagnosis is None
    # Every key point named, but with the notes' claim as well.
    bad = grade_item(item, "链式法则连乘；sigmoid 导数 ≤ 0.25。它恒小于 0.25。")
    assert bad.verdict == "partial" and bad.score == WRONG_CLAIM_CAP and bad.diagnosis == "wrong-claim"
    lines = [line.text for line in bad.feedback if line.kind == "diagnosis"]
    assert len(lines) == 1 and "always below 0.25" in lines[0].en and "最大为 0.25" in lines[0].zh


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_no_prefix_lifts_an_answer_with_a_wrong_claim_to_a_pass(prefix: str) -> None:
    result = grade_item(open_item(), prefix + "\n链式法则；导数 ≤ 0.25；sigmoid 导数恒小于0.25。")
    assert result.score <= WRONG_CLAIM_CAP and result.verdict != "correct"


def test_claim_patterns_and_requires_are_validated() -> None:
    with pytest.raises(ValidationError):
        open_item(
            wrong_claims=[
                {"claim": text("a", "a"), "correction": text("b", "b"), "detect": {"zh": [" & | "], "en": ["x"]}}
            ]
        )  # a pattern with no word
    with pytest.raises(ValidationError):
        open_item(
            wrong_claims=[
                {
                    "claim": text("a", "a"),
                    "correction": text("b", "b"),
                    "detect": {"zh": ["x"], "en": ["x"]},
                    "severity": 1,
                }
            ]
        )  # unknown key
    with pytest.raises(ValidationError):
        open_item(
            wrong_claims=[
                {"claim": text("a", "a"), "correction": text("b", "b"), "detect": {"zh": ["!x"], "en": ["!y"]}}
            ]
        )  # only absent parts: matches anything


def test_items_without_the_new_fields_keep_their_content_hash() -> None:
    item = open_item(wrong_claims=[])
    dumped = item.model_dump(mode="json")
    assert "wrong_claims" not in dumped and "requires" not in dumped["key_points"][1]
    assert "requires" in dumped["key_points"][0]


def test_every_open_item_with_a_notes_correction_lists_the_wrong_claims() -> None:
    missing = [i.id for i in OPEN_ITEMS.values() if i.notes_correction and not i.wrong_claims]
    assert missing == []


def test_bank_show_reveals_required_facts_and_expected_wrong_claims() -> None:
    from quizzer.grading.kinds import item_reveal

    shown = item_reveal(open_item()).points
    assert shown[0].keywords.en == "0.25 + (at most 0.25, ≤0.25)"
    assert shown[1].keywords.en == "chain rule"
    assert "expected wrong claim: always below 0.25" in shown[2].point.en and "恒小于|总小于" in shown[2].keywords.zh


@pytest.mark.parametrize("item_id", sorted(OPEN_ITEMS))
def test_each_reference_answer_is_graded_fully_correct_in_both_languages(item_id: str) -> None:
    # The reference mentions the notes' mistakes in order to correct them: that must not count as making them,
    # and its own wording must reach every key point.
    item = OPEN_ITEMS[item_id]
    for reference in (item.reference.zh, item.reference.en):
        result = grade_item(item, reference)
        assert (result.verdict, result.score, result.diagnosis) == ("correct", 1.0, None), (item_id, reference[:40])
