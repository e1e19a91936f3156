"""Exam specs: validated strictly, every problem located as file:line: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzer.exam.spec import BankDraw, GeneratedDraw, SpecError, load_spec
from tests.conftest import REPO

VALID = """\
title: {zh: 期中测验, en: Midterm}
time_minutes: 30
sections:
  - title: Part 1
    draws:
      - {source: bank, topics: [pooling], kinds: [single], count: 2, points: 2}
      - {source: generated, family: conv-output, difficulty: 2, count: 3, points: 4}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exam.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, text), "exam.yaml")
    assert str(info.value).splitlines()[0].endswith("nothing was written.")
    return [str(p) for p in info.value.problems]


def test_valid_spec_loads_with_both_text_forms(tmp_path) -> None:
    spec, digest = load_spec(write(tmp_path, VALID))
    assert spec.title.bi().zh == "期中测验" and spec.title.bi().en == "Midterm"
    # A plain string stands for both languages.
    assert spec.sections[0].title.bi().zh == spec.sections[0].title.bi().en == "Part 1"
    bank, generated = spec.sections[0].draws
    assert isinstance(bank, BankDraw) and bank.needed == 2
    assert isinstance(generated, GeneratedDraw) and generated.needed == 3
    import hashlib

    assert digest == hashlib.sha256(VALID.encode()).hexdigest()


def test_the_shipped_example_is_valid_and_has_10_bank_and_10_generated_questions() -> None:
    spec, _ = load_spec(REPO / "examples" / "exam.yaml")
    draws = [d for s in spec.sections for d in s.draws]
    assert sum(d.needed for d in draws if isinstance(d, BankDraw)) == 10
    generated = [d for d in draws if isinstance(d, GeneratedDraw)]
    assert sum(d.needed for d in generated) == 10 and len({d.family for d in generated}) >= 5
    assert len({t for d in draws if isinstance(d, BankDraw) for t in d.topics}) >= 5
    assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.title.bi().zh)


def test_unknown_field_is_located(tmp_path) -> None:
    text = VALID.replace("time_minutes: 30", "time_minutes: 30\ncolour: blue")
    assert problems(tmp_path, text) == ["exam.yaml:3: colour: unknown field"]


def test_errors_inside_draws_point_at_their_line(tmp_path) -> None:
    text = VALID.replace("count: 2, points: 2", "count: 0, points: 2")
    text = text.replace("family: conv-output", "family: conv-outptu")
    found = problems(tmp_path, text)
    assert found[0] == "exam.yaml:6: sections.0.draws.0.count: Input should be greater than or equal to 1"
    assert found[1].startswith("exam.yaml:7: sections.0.draws.1.family: no problem family named 'conv-outptu'")


def test_unknown_topic_kind_and_source(tmp_path) -> None:
    text = VALID.replace("topics: [pooling]", "topics: [poolin]").replace("kinds: [single]", "kinds: [essay]")
    found = problems(tmp_path, text)
    assert any(p.startswith("exam.yaml:6: sections.0.draws.0.topics: unknown topic 'poolin'") for p in found)
    assert any(p.startswith("exam.yaml:6: sections.0.draws.0.kinds: unknown kind 'essay'") for p in found)
    found = problems(tmp_path, VALID.replace("source: generated", "source: magic"))
    assert found == ["exam.yaml:7: sections.0.draws.1: source must be 'bank' or 'generated'"]


def test_missing_title_and_missing_language(tmp_path) -> None:
    assert problems(tmp_path, VALID.replace("title: {zh: 期中测验, en: Midterm}\n", "")) == [
        "exam.yaml:1: title: required field is missing"
    ]
    assert problems(tmp_path, VALID.replace(", en: Midterm", "")) == [
        "exam.yaml:1: title.en: required field is missing"
    ]


def test_yaml_problems_are_one_line_errors(tmp_path) -> None:
    assert problems(tmp_path, "title: [unclosed\n")[0].startswith("exam.yaml:2: -: invalid YAML")
    assert problems(tmp_path, "- just\n- a list\n") == [
        "exam.yaml:1: -: an exam spec is a mapping with 'title:' and 'sections:'"
    ]
    assert "aliases" in problems(tmp_path, "a: &x 1\nb: *x\n")[0]
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "missing.yaml")


def test_too_many_questions_is_refused(tmp_path) -> None:
    text = VALID.replace("count: 3, points: 4", "count: 200, points: 4")
    assert problems(tmp_path, text) == ["exam.yaml:3: sections: the exam has 202 questions; at most 200 are allowed"]


def test_the_readme_spec_example_is_valid(tmp_path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("A spec in short", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    spec, _ = load_spec(write(tmp_path, block))
    assert [len(s.draws) for s in spec.sections] == [2, 1]
    assert spec.sections[0].draws[1].ids == ["rf-pool-doubles-tf"]


def test_a_difficulty_the_family_does_not_have_is_located(tmp_path, monkeypatch) -> None:
    from quizzer.generators.registry import get_family

    monkeypatch.setattr(get_family("conv-output"), "difficulties", (1, 3))
    assert problems(tmp_path, VALID) == [
        "exam.yaml:7: sections.0.draws.1: family 'conv-output' has difficulties [1, 3], not 2"
    ]
