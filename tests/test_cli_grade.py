"""`quizzer grade`: one answer against a bank item or a generated problem, through the CLI; nothing stored."""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path

import pytest

from quizzer.bank.loader import load_bank
from quizzer.bank.schema import FillItem, SingleItem
from quizzer.errors import ExitStatus
from quizzer.resources import bundled_questions_dir

BANK = {loaded.item.id: loaded.item for loaded in load_bank([bundled_questions_dir()])}
CONV = ("conv-output", "--params", "input_size=224", "kernel_size=7", "stride=2", "padding=3")


def graded(run, *args: str, expect: int = 0) -> dict:
    return json.loads(run("grade", *args, "--json", expect=expect).output)


def test_a_true_false_item_read_from_the_bank_file(run) -> None:
    # receptive-field.yaml gives rf-pool-doubles-tf the answer false.
    assert BANK["rf-pool-doubles-tf"].answer is False
    right = graded(run, "rf-pool-doubles-tf", "false", "--lang", "en")
    assert (right["verdict"], right["score"], right["source"]) == ("correct", 1.0, "bank")
    wrong = graded(run, "rf-pool-doubles-tf", "对", "--lang", "en")
    assert (wrong["verdict"], wrong["score"]) == ("incorrect", 0.0)
    # The item corrects the notes: the feedback says so.
    assert any(line["kind"] == "correction" for line in wrong["feedback"])
    text = run("grade", "rf-pool-doubles-tf", "true", "--lang", "en").output
    assert text.startswith("Incorrect") and "Score: 0.00" in text and "The notes say" in text


def test_every_single_choice_item_grades_its_own_key_correct(run) -> None:
    singles = [item for item in BANK.values() if isinstance(item, SingleItem)][:5]
    assert singles
    for item in singles:
        assert graded(run, item.id, item.answer.lower())["verdict"] == "correct"
        other = next(letter for letter in string.ascii_uppercase[: len(item.options)] if letter != item.answer)
        result = graded(run, item.id, other, "--lang", "zh")
        assert result["verdict"] == "incorrect"
        assert any(line["kind"] == "why" and line["text"].startswith(f"{other} 错") for line in result["feedback"])


def test_a_fill_item_accepts_each_of_its_accepted_answers(run) -> None:
    item = next(item for item in BANK.values() if isinstance(item, FillItem))
    for answer in item.accepted:
        assert graded(run, item.id, answer)["verdict"] == "correct", answer


def test_a_generated_problem_from_its_parameters(run) -> None:
    # ⌊(224 + 2·3 − 7)/2⌋ + 1 = 112 (the ResNet stem, torch.nn.Conv2d's documented formula).
    right = graded(run, *CONV, "112")
    assert (right["verdict"], right["score"], right["source"]) == ("correct", 1.0, "generated")
    assert right["params"]["input_size"] == 224 and right["diagnosis"] is None
    # Parameters as repeated -p options, or mixed, are the same problem.
    again = graded(run, "conv-output", "-p", "input_size=224", "-p", "kernel_size=7", "stride=2", "padding=3", "112")
    assert again == right
    # 2·3 padding forgotten: ⌊(224 − 7)/2⌋ + 1 = 109.
    wrong = graded(run, *CONV, "109", "--lang", "en")
    assert wrong["verdict"] == "incorrect" and wrong["diagnosis"] == "forgot-padding"
    assert any(line["kind"] == "diagnosis" and "2p" in line["text"] for line in wrong["feedback"])


def test_a_value_two_mistakes_share_is_diagnosed_as_both(run) -> None:
    # n=28, k=3, p=1: padding one side gives ⌊(28 + 1 − 3)/1⌋ + 1 = 27, and so does dropping the +1 of 28.
    result = graded(run, "conv-output", "--params", "input_size=28", "kernel_size=3", "padding=1", "27", "--lang", "en")
    assert set(result["diagnosis"].split("+")) == {"padding-one-side", "forgot-plus-one"}
    text = run(
        "grade", "conv-output", "--params", "input_size=28", "kernel_size=3", "padding=1", "27", "--lang", "en"
    ).output
    assert "Diagnosis (padding-one-side+forgot-plus-one)" in text and "one side" in text and "+1" in text


def test_json_without_lang_carries_both_languages(run) -> None:
    both = graded(run, "rf-pool-doubles-tf", "false")
    assert set(both["expected"]) == {"zh", "en"}
    assert all(set(line["text"]) == {"zh", "en"} for line in both["feedback"])
    zh = graded(run, "rf-pool-doubles-tf", "false", "--lang", "zh")
    assert zh["expected"] == both["expected"]["zh"]


def test_the_answer_can_come_from_standard_input(run) -> None:
    assert (
        json.loads(run("grade", *CONV, "-", "--json", input="(224 + 2*3 - 7 + 1)/2\n").output)["verdict"] == "correct"
    )
    assert json.loads(run("grade", *CONV, "-", "--json", input="109\n").output)["verdict"] == "incorrect"


@pytest.mark.parametrize(
    "args, status, message",
    [
        (("no-such-item", "a"), ExitStatus.NOT_FOUND, "no bank item or problem family named 'no-such-item'"),
        (("rf-pool-doubles-tx", "a"), ExitStatus.NOT_FOUND, "did you mean rf-pool-doubles-tf"),
        (("rf-pool-doubles-tf", "--params", "k=1", "true"), ExitStatus.NOT_FOUND, "takes no parameters"),
        (("conv-ouptut", "--params", "kernel_size=3", "3"), ExitStatus.NOT_FOUND, "did you mean conv-output"),
        (("conv-ouptut", "3"), ExitStatus.NOT_FOUND, "did you mean conv-output"),
        (("conv-output", "3"), ExitStatus.NOT_FOUND, "give the problem's parameters"),
        (("conv-output", "--params", "input_size=0", "kernel_size=3", "3"), ExitStatus.NOT_FOUND, "input_size"),
        (("conv-output", "--params", "bogus=1", "3"), ExitStatus.NOT_FOUND, "unknown parameter 'bogus'"),
        (("rf-pool-doubles-tf", "maybe"), ExitStatus.ERROR, "cannot read the answer 'maybe'"),
        (("rf-pool-doubles-tf",), ExitStatus.NOT_FOUND, "missing ANSWER"),
        (("rf-pool-doubles-tf", "not", "true"), ExitStatus.NOT_FOUND, "quote an answer"),
    ],
)
def test_bad_input_gets_one_clear_line(run, args: tuple[str, ...], status: int, message: str) -> None:
    result = run("grade", *args, expect=status)
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_item_from_the_callers_own_bank_file(run, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "schema: 1\nitems:\n  - id: my-pool-tf\n    topic: pooling\n    kind: truefalse\n    difficulty: 1\n    section: 9\n"
        "    prompt:\n      zh: 判断：最大池化没有可学习参数。\n      en: 'True or false: max pooling has no learnable parameters.'\n"
        "    answer: true\n    explanation:\n      zh: 池化只取窗口内的最大值。\n      en: Pooling only takes the maximum of each window.\n",
        encoding="utf-8",
    )
    assert graded(run, "my-pool-tf", "yes", "--bank", str(mine))["verdict"] == "correct"
    run("grade", "my-pool-tf", "yes", expect=ExitStatus.NOT_FOUND)


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_grading_stores_nothing(run, db_file: Path) -> None:
    run("grade", "rf-pool-doubles-tf", "false")
    assert not db_file.exists()  # no database is even created
    run("bank", "stats")  # now one exists, with the bank synced in
    before = _fingerprint(db_file), db_file.stat().st_mtime_ns
    for args in (("rf-pool-doubles-tf", "true"), (*CONV, "109"), (*CONV, "112")):
        run("grade", *args)
        run("grade", *args, "--json")
    assert (_fingerprint(db_file), db_file.stat().st_mtime_ns) == before
