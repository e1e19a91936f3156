"""Time-bounded fuzzing of the answer parser and the bank loader (bench/fuzz.py runs the long version).

The only exceptions either may raise are the documented ones: AnswerParseError for an answer, BankError
for a bank file. Example counts are fixed so the suite stays within about 20 s on the 2-core machine.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.bank.loader import load_file
from quizzer.errors import AnswerParseError, BankError
from quizzer.grading.parse import clean_answer
from tests.bankfiles import bank_yaml, multi_item, numeric_item, single_item
from tests.test_hostile_answers import HOSTILE_ANSWERS, sample_questions

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text that looks like the answers people type, so the fuzzer reaches deep into the number grammar.
ANSWER_ALPHABET = "0123456789 .,;+-*/^()[]{}%eE×÷·√πxX_abcdABCD对错是否\t\x1b\x00\u3000\uff10"
answers_ = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=ANSWER_ALPHABET, max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_ANSWERS), st.text(alphabet=ANSWER_ALPHABET, max_size=8)),
    st.binary(max_size=60).map(lambda b: b.decode("utf-8", errors="replace")),
)


@FUZZ
@given(answers_)
def test_fuzz_answers_only_raise_answer_parse_error(answer: str) -> None:
    raw, _ = clean_answer(answer)
    for question in sample_questions():
        started = time.perf_counter()
        with contextlib.suppress(AnswerParseError):
            question.grade(question.parse(raw))
        assert time.perf_counter() - started < 1.0, (question.ref.key, raw)


VALID = bank_yaml(single_item(), multi_item(), numeric_item())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace slices of a valid file with fuzz: the loader sees nearly-valid YAML, the hardest kind."""
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length % 8 :]
    return text


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_file(path)
        except BankError as exc:
            assert exc.problems and all(str(p) for p in exc.problems)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 7), st.text(max_size=6)), min_size=1, max_size=4))
def test_fuzz_mutated_bank_files_only_raise_bank_error(edits: list[tuple[int, int, str]]) -> None:
    _load(_mutate(VALID, edits))


@FUZZ
@given(documents, st.booleans())
def test_fuzz_arbitrary_yaml_documents_only_raise_bank_error(document, wrap: bool) -> None:
    data = {"schema": 1, "items": [document]} if wrap else document
    _load(yaml.safe_dump(data, allow_unicode=True))
