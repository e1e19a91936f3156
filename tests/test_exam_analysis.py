"""Item analysis checked against a recount done here, from the answers this test itself wrote."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from quizzer.bank.catalog import get_item
from quizzer.exam.analysis import analyse, pearson
from quizzer.exam.grade import grade_exam
from quizzer.exam.report import write_reports
from quizzer.generators.base import fmt
from quizzer.generators.registry import get_family, make_problem
from tests.exam_manifests import (  # noqa: F401  (fixtures)
    bank_entry,
    gen_entry,
    make_manifest,
    printed_letter,
    store_fixture,
    synced_template_fixture,
    write_answers,
    write_manifest,
)

S1, S2, TF, NUM = "act-large-input-derivative", "act-zero-centered", "act-relu-sparsity", "act-leaky-relu-default"
PERMS = {"A": {S1: [2, 0, 3, 1], S2: [0, 1, 2, 3]}, "B": {S1: [1, 2, 3, 0], S2: [3, 1, 0, 2]}}
POINTS = {S1: 2.0, S2: 1.0, TF: 1.0, NUM: 1.0, "gen": 3.0}
SEEDS = {"A": 11, "B": 12}
STUDENTS = 30


def build(store, tmp_path: Path) -> Path:
    a = [
        bank_entry(store, S1, 1, POINTS[S1], PERMS["A"][S1]),
        bank_entry(store, S2, 2, POINTS[S2], PERMS["A"][S2]),
        bank_entry(store, TF, 3, POINTS[TF]),
        bank_entry(store, NUM, 4, POINTS[NUM]),
        gen_entry("conv-output", SEEDS["A"], 1, 5, POINTS["gen"]),
    ]
    b = [
        gen_entry("conv-output", SEEDS["B"], 1, 1, POINTS["gen"]),
        bank_entry(store, NUM, 2, POINTS[NUM]),
        bank_entry(store, TF, 3, POINTS[TF]),
        bank_entry(store, S2, 4, POINTS[S2], PERMS["B"][S2]),
        bank_entry(store, S1, 5, POINTS[S1], PERMS["B"][S1]),
    ]
    return write_manifest(tmp_path / "exam", make_manifest({"A": a, "B": b}))


def simulate(store) -> tuple[list[tuple[str, str, str, str]], dict]:
    """A class of 30 of rising ability; returns the CSV rows and what this test knows about every answer."""
    rng = random.Random(7)
    s1, s2 = get_item(store, S1).item, get_item(store, S2).item
    rows, truth = [], {"score": {}, "chosen": Counter(), "mistakes": Counter()}
    for i in range(STUDENTS):
        name, version = f"s{i:02d}", "AB"[i % 2]
        ability = i / (STUDENTS - 1)
        number = {S1: 1, S2: 2, TF: 3, NUM: 4, "gen": 5} if version == "A" else {"gen": 1, NUM: 2, TF: 3, S2: 4, S1: 5}
        score = {}
        # S1 discriminates: the abler, the likelier right; a wrong answer is a random other printed letter.
        for item_id, item, right_p in ((S1, s1, ability), (S2, s2, 0.0)):  # nobody gets S2: too hard
            key = printed_letter(PERMS[version][item_id], item.answer)
            letter = key if rng.random() < right_p else rng.choice([c for c in "ABCD" if c != key])
            original = "ABCD"[PERMS[version][item_id]["ABCD".index(letter)]]
            truth["chosen"][(item_id, original)] += 1
            score[item_id] = 1.0 if letter == key else 0.0
            rows.append((name, version, str(number[item_id]), letter.lower() if i % 3 == 0 else letter))
        # TF discriminates the wrong way: only the weakest third gets it right.
        tf_right = ability < 0.33
        rows.append((name, version, str(number[TF]), "true" if tf_right else "false"))
        score[TF] = 1.0 if tf_right else 0.0
        rows.append((name, version, str(number[NUM]), "-0.03"))  # everybody: too easy
        score[NUM] = 1.0
        problem = make_problem(get_family("conv-output"), SEEDS[version], 1)
        roll = rng.random()
        if roll < ability:
            rows.append((name, version, str(number["gen"]), fmt(problem.answer)))
            score["gen"] = 1.0
        else:
            mistake = problem.misconceptions[0 if roll < (1 + ability) / 2 else 1]
            rows.append((name, version, str(number["gen"]), fmt(mistake.value)))
            truth["mistakes"][mistake.tag] += 1
            score["gen"] = 0.0
        truth["score"][name] = score
    return rows, truth


def recount(truth: dict) -> dict:
    names = sorted(truth["score"])
    total = {n: sum(POINTS[k] * v for k, v in truth["score"][n].items()) for n in names}
    ranked = sorted(names, key=lambda n: (-total[n], n))  # ties by id, as documented
    group = round(0.27 * len(names))
    upper, lower = ranked[:group], ranked[-group:]
    out = {}
    for key in (S1, S2, TF, NUM, "gen"):
        item = np.array([truth["score"][n][key] for n in names])
        rest = np.array([total[n] - POINTS[key] * truth["score"][n][key] for n in names])
        r = None if item.std() == 0 or rest.std() == 0 else float(np.corrcoef(item, rest)[0, 1])
        ul = np.mean([truth["score"][n][key] for n in upper]) - np.mean([truth["score"][n][key] for n in lower])
        out[key] = {"facility": float(item.mean()), "r": r, "ul": float(ul)}
    out["percent"] = sorted(100 * total[n] / sum(POINTS.values()) for n in names)
    return out


def test_item_analysis_matches_a_recount(store, tmp_path: Path) -> None:
    exam = build(store, tmp_path)
    rows, truth = simulate(store)
    graded = grade_exam(store, exam, write_answers(tmp_path / "filled.csv", rows))
    assert graded.issues == []
    analysis = analyse(graded)
    expected = recount(truth)
    by_key = {i.key: i for i in analysis.items}
    assert set(by_key) == {f"bank:{k}" for k in (S1, S2, TF, NUM)} | {"gen:1:conv-output:1"}
    for key, stats in (
        (S1, by_key[f"bank:{S1}"]),
        (S2, by_key[f"bank:{S2}"]),
        (TF, by_key[f"bank:{TF}"]),
        (NUM, by_key[f"bank:{NUM}"]),
        ("gen", by_key["gen:1:conv-output:1"]),
    ):
        want = expected[key]
        assert stats.n == STUDENTS
        assert stats.facility == pytest.approx(want["facility"])
        assert stats.upper_lower == pytest.approx(want["ul"])
        if want["r"] is None:
            assert stats.discrimination is None
        else:
            assert stats.discrimination == pytest.approx(want["r"])
    assert by_key[f"bank:{S1}"].discrimination > 0
    # Distractors counted in the bank's own option order, whatever order each version printed.
    for item_id in (S1, S2):
        counts = {o.letter: o.chosen for o in by_key[f"bank:{item_id}"].options}
        assert counts == {letter: truth["chosen"][(item_id, letter)] for letter in "ABCD"}
        correct = [o.letter for o in by_key[f"bank:{item_id}"].options if o.correct]
        assert correct == [get_item(store, item_id).item.answer]
    assert dict(by_key["gen:1:conv-output:1"].mistakes) == dict(truth["mistakes"])
    assert by_key[f"bank:{TF}"].flags == ["negative-discrimination"]
    assert by_key[f"bank:{S2}"].flags == ["too-hard"]
    assert by_key[f"bank:{NUM}"].flags == ["too-easy"]
    assert by_key[f"bank:{S1}"].flags == []
    assert sorted(analysis.scores) == pytest.approx(expected["percent"])
    assert analysis.mean == pytest.approx(np.mean(expected["percent"]))
    assert analysis.median == pytest.approx(np.median(expected["percent"]))
    assert analysis.stdev == pytest.approx(np.std(expected["percent"], ddof=1))

    paths = write_reports(graded, analysis, tmp_path / "out", "en")
    with paths[2].open(encoding="utf-8") as handle:
        table = {row["item"]: row for row in csv.DictReader(handle)}
    assert float(table[f"bank:{S1}"]["facility"]) == pytest.approx(expected[S1]["facility"], abs=1e-4)
    assert float(table[f"bank:{S1}"]["discrimination"]) == pytest.approx(expected[S1]["r"], abs=1e-4)
    assert table[f"bank:{TF}"]["flags"] == "negative-discrimination" and table[f"bank:{S2}"]["discrimination"] == ""
    assert table["gen:1:conv-output:1"]["numbers"] == "A:5 B:1"


def test_missing_and_conflicting_rows_are_left_out_of_the_statistics(store, tmp_path: Path) -> None:
    exam = build(store, tmp_path)
    rows, _ = simulate(store)
    kept = [r for r in rows if not (r[0] == "s00" and r[2] == "1")]  # s00 (version A) has no row for question 1
    kept.append(("s01", "B", "5", "A"))
    kept.append(("s01", "B", "5", "B"))  # and s01 now has conflicting rows for S1
    analysis = analyse(grade_exam(store, exam, write_answers(tmp_path / "filled.csv", kept)))
    s1 = next(i for i in analysis.items if i.key == f"bank:{S1}")
    assert s1.n == STUDENTS - 2


def test_pearson_edge_cases() -> None:
    assert pearson([], []) is None and pearson([1.0], [2.0]) is None
    assert pearson([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None
    assert pearson([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]) == pytest.approx(np.corrcoef([1, 2, 3], [2, 4, 6.5])[0, 1])


def test_two_problems_for_one_slot_stay_two_questions(store, tmp_path: Path) -> None:
    from quizzer.exam.questions import version_keys

    a = [gen_entry("conv-output", 1, 1, 1, 1), gen_entry("conv-output", 2, 1, 2, 1)]
    b = [gen_entry("conv-output", 3, 1, 2, 1), gen_entry("conv-output", 4, 1, 1, 1)]
    assert version_keys(a) == {1: "gen:1:conv-output:1", 2: "gen:1:conv-output:1#2"}
    assert version_keys(b) == {1: "gen:1:conv-output:1", 2: "gen:1:conv-output:1#2"}
    exam = write_manifest(tmp_path / "two", make_manifest({"A": a, "B": b}))
    rows = [("x", "A", "1", "0"), ("x", "A", "2", "0"), ("y", "B", "1", "0"), ("y", "B", "2", "0")]
    analysis = analyse(grade_exam(store, exam, write_answers(tmp_path / "f.csv", rows)))
    assert [(i.key, i.label, i.n, i.numbers) for i in analysis.items] == [
        ("gen:1:conv-output:1", "conv-output ★1", 2, {"A": 1, "B": 1}),
        ("gen:1:conv-output:1#2", "conv-output ★1 #2", 2, {"A": 2, "B": 2}),
    ]
