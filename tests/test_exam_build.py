"""Exam versions: same bank items everywhere, shuffled orders, equal-difficulty generated problems, the manifest."""

from __future__ import annotations

import csv
import io
import json
import string
from collections import Counter

import pytest

from quizzer.bank.sync import sync_bundled
from quizzer.errors import BadParameters, VerificationFailed
from quizzer.exam.build import build_exam, verify_keys, version_codes
from quizzer.exam.manifest import CSV_HEADER, Manifest
from quizzer.exam.spec import load_spec
from quizzer.exam.write import build_to_dir
from quizzer.generators.registry import get_family, make_problem
from quizzer.quiz.question import BankQuestion, GeneratedQuestion, QuestionRef
from quizzer.quiz.session import load_question
from quizzer.store.engine import open_store
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "exam.yaml"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('exam-db') / 'q.db'}")
    sync_bundled(store)
    return store


@pytest.fixture(scope="module")
def example(store):
    spec, digest = load_spec(EXAMPLE)
    return build_exam(store, spec, digest, versions=4, seed=11, lang="zh", verify=False)


def bank_ids(version) -> list[str]:
    return [i.item_id for i in version.items if i.source == "bank"]


def test_every_version_has_the_same_bank_items_in_its_own_order(example) -> None:
    versions = example.manifest.versions
    assert [v.code for v in versions] == ["A", "B", "C", "D"]
    assert all(len(v.items) == 20 for v in versions)
    assert all(sorted(bank_ids(v)) == sorted(bank_ids(versions[0])) for v in versions)
    assert len(set(bank_ids(versions[0]))) == 10
    assert len({tuple(bank_ids(v)) for v in versions}) > 1  # orders differ
    # Sections keep their order: all of part 1 (bank) before part 2 (generated), numbered 1..20.
    for v in versions:
        assert [i.number for i in v.items] == list(range(1, 21))
        assert [i.section for i in v.items] == [0] * 10 + [1] * 10


def test_bank_draws_respect_their_filters(example, store) -> None:
    spec = example.spec
    for version in example.manifest.versions:
        by_draw: dict[int, list[str]] = {}
        for item in version.items:
            if item.source == "bank":
                question = load_question(store, QuestionRef("bank", item_id=item.item_id))
                draws = [
                    d
                    for d in spec.sections[item.section].draws
                    if d.source == "bank" and question.topic in d.topics and question.kind in d.kinds
                ]
                assert draws, f"{item.item_id} matches no draw of its section"
                by_draw.setdefault(id(draws[0]), []).append(item.item_id)
        assert sorted(map(len, by_draw.values())) == [1, 1, 2, 2, 2, 2]


def test_printed_answers_follow_the_option_permutation(example, store) -> None:
    """Un-permuting the printed key gives the bank's key, and the quiz's own grader marks it correct."""
    permutations = set()
    for version in example.manifest.versions:
        for item in version.items:
            if item.source != "bank":
                continue
            question = load_question(store, QuestionRef("bank", item_id=item.item_id))
            assert item.item_version == question.item_version
            if not question.options:
                assert item.permutation is None
                continue
            assert sorted(item.permutation) == list(range(len(question.options)))
            permutations.add((item.item_id, tuple(item.permutation)))
            printed = [item.answer] if isinstance(item.answer, str) else item.answer

            def original(letter: str) -> str:
                return string.ascii_uppercase[item.permutation[string.ascii_uppercase.index(letter)]]

            bank_key = question.item.answer if question.kind == "single" else sorted(question.item.answer)
            assert sorted(original(letter) for letter in printed) == sorted(
                [bank_key] if isinstance(bank_key, str) else bank_key
            )
            result = question.grade(question.parse("".join(original(letter) for letter in printed)))
            assert result.verdict == "correct"
    # Option orders really vary between versions of the same item.
    assert len(permutations) > len({item_id for item_id, _ in permutations})


def test_generated_slots_have_equal_difficulty_and_new_instances(example) -> None:
    versions = example.manifest.versions
    mixes = [Counter((i.family, i.difficulty) for i in v.items if i.source == "generated") for v in versions]
    assert all(mix == mixes[0] for mix in mixes)
    assert mixes[0][("conv-output", 2)] == 2 and sum(mixes[0].values()) == 10
    for family, difficulty in mixes[0]:
        instances = [
            tuple(sorted(map(str, i.params.items())))
            for v in versions
            for i in v.items
            if i.family == family and i.difficulty == difficulty
        ]
        assert len(set(instances)) == len(instances), f"{family}: a problem repeats across versions"


def test_manifest_rebuilds_every_generated_problem(example) -> None:
    for version in example.manifest.versions:
        for item in version.items:
            if item.source != "generated":
                continue
            problem = make_problem(get_family(item.family), item.seed, item.difficulty)
            assert problem.params == item.params and problem.answer == item.answer
            assert (item.rel_tol, item.abs_tol) == (problem.spec.rel_tol, problem.spec.abs_tol)
            assert item.kind == "numeric" and item.points > 0


def test_manifest_totals_csv_template_and_round_trip(example) -> None:
    manifest = example.manifest
    assert manifest.total_points == sum(i.points for i in manifest.versions[0].items) == 68
    rows = list(csv.reader(io.StringIO(manifest.csv_template)))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [["", v.code, str(i.number), ""] for v in manifest.versions for i in v.items]
    assert Manifest.model_validate_json(manifest.model_dump_json()) == manifest
    assert manifest.lang == "zh" and manifest.title == "深度学习基础 · 期中测验" and len(manifest.spec_sha256) == 64


def test_same_spec_and_seed_give_the_same_manifest(store, example) -> None:
    spec, digest = load_spec(EXAMPLE)
    again = build_exam(store, spec, digest, versions=4, seed=11, lang="zh", verify=False)
    assert again.manifest.model_dump_json() == example.manifest.model_dump_json()
    other = build_exam(store, spec, digest, versions=4, seed=12, lang="zh", verify=False)
    assert other.manifest.versions != example.manifest.versions


def test_version_codes() -> None:
    assert version_codes(3) == ["A", "B", "C"]
    assert version_codes(26)[-1] == "Z"
    assert version_codes(27)[:2] == ["V01", "V02"] and version_codes(27)[-1] == "V27"
    assert version_codes(100)[0] == "V001" and len(set(version_codes(100))) == 100


def test_a_spec_the_bank_cannot_fill_says_so_and_writes_nothing(store, tmp_path) -> None:
    spec_path = tmp_path / "big.yaml"
    spec_path.write_text(
        "title: Too big\nsections:\n  - draws:\n"
        "      - {source: bank, topics: [pooling], kinds: [single], count: 60, points: 1}\n"
        "      - {source: bank, ids: [no-such-item], points: 1}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with pytest.raises(BadParameters) as info:
        build_to_dir(store, spec_path, out, versions=2, seed=1, lang="en", formats=("md",))
    message = str(info.value)
    assert "cannot fill 2 draws; nothing was written" in message
    assert "section 1, draw 1: asks for 60 bank items (topic pooling, kind single) but only" in message
    assert "section 1, draw 2: no active bank item with id no-such-item" in message
    assert not out.exists()


def test_versions_out_of_range(store) -> None:
    spec, digest = load_spec(EXAMPLE)
    with pytest.raises(BadParameters, match="--versions must be between 1 and 500"):
        build_exam(store, spec, digest, versions=0, seed=1, lang="en", verify=False)


def test_a_key_torch_does_not_confirm_is_never_printed(store, monkeypatch, tmp_path) -> None:
    from quizzer.generators import verification

    spec_path = tmp_path / "one.yaml"
    spec_path.write_text(
        "title: One\nsections:\n  - draws:\n      - {source: generated, family: conv-output, points: 1}\n",
        encoding="utf-8",
    )
    spec, digest = load_spec(spec_path)
    real = verification.check
    checked = build_exam(store, spec, digest, versions=2, seed=3, lang="en", verify=True)  # real torch agrees
    assert len(checked.manifest.versions) == 2

    def disagree(family, params):
        result = real(family, params)
        return verification.Check(result.answer, result.answer + 1, False, 1.0)

    monkeypatch.setattr(verification, "check", disagree)
    with pytest.raises(VerificationFailed, match="conv-output seed .*cannot be printed"):
        build_exam(store, spec, digest, versions=2, seed=3, lang="en", verify=True)
    # build_to_dir checks while it renders: the refusal still comes before any file is written.
    out = tmp_path / "out"
    with pytest.raises(VerificationFailed):
        build_to_dir(store, spec_path, out, versions=2, seed=3, lang="en", formats=("md", "html"))
    assert not out.exists()


def test_a_small_family_repeats_only_once_it_has_run_out(store, tmp_path, monkeypatch) -> None:
    """activation-derivative has few problems at difficulty 1: all of them are used, then the search stops."""
    import json

    from quizzer.exam import build as build_module
    from quizzer.generators.registry import instance_seed

    family = get_family("activation-derivative")
    space = {
        json.dumps(make_problem(family, instance_seed(family.name, 0, 1, i), 1).params, sort_keys=True)
        for i in range(1500)
    }
    assert 5 < len(space) < 40  # the premise: fewer problems than versions
    calls = []
    real = build_module.make_problem
    monkeypatch.setattr(build_module, "make_problem", lambda *a: calls.append(a) or real(*a))
    spec_path = tmp_path / "small.yaml"
    spec_path.write_text(
        "title: Small\nsections:\n  - draws:\n"
        "      - {source: generated, family: activation-derivative, difficulty: 1, points: 1}\n",
        encoding="utf-8",
    )
    spec, digest = load_spec(spec_path)
    exam = build_exam(store, spec, digest, versions=60, seed=2, lang="en", verify=False)
    used = {json.dumps(v.items[0].params, sort_keys=True) for v in exam.manifest.versions}
    assert used == space
    assert len(calls) < 200  # without the stop: up to DISTINCT_TRIES draws for each of the 60 versions


def test_verification_checks_each_generated_problem_once_and_passes_over_bank_items(example) -> None:
    # Bank questions carry no torch key: verifying an exam that holds them once failed with an AttributeError.
    printed = [pq.question for v in example.versions for pq in v.questions]
    assert any(isinstance(q, BankQuestion) for q in printed)
    distinct = {
        (q.problem.family, json.dumps(q.problem.params, sort_keys=True))
        for q in printed
        if isinstance(q, GeneratedQuestion)
    }
    assert verify_keys(example.versions) == len(distinct) > 0
