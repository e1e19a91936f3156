"""Drafting open items from markdown notes written like the learner's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizzer.bank.loader import load_bank
from quizzer.bank.notes_import import guess_topic, import_notes, parse_notes
from quizzer.errors import BankError, QuizzerError

FIXTURE = Path(__file__).parent / "data" / "notes-fixture.md"


def test_sections_and_points_are_found() -> None:
    sections = parse_notes(FIXTURE.read_text(encoding="utf-8"))
    assert [s.question for s in sections] == [
        "为什么要使用池化层",
        "动量法是怎么工作的",
        "What is a validation set for",
    ]
    assert sections[0].points == ["让特征图变小，后面的层计算更省", "对微小平移不敏感"]
    momentum = sections[1].points
    assert momentum[0].startswith("**速度项**")
    # Points under a ##### sub-heading carry it as context; the image is dropped.
    assert momentum[2] == "两种写法：经典写法先乘学习率再累加"
    assert all("<img" not in p for p in momentum)
    assert sections[2].points == ["choosing hyper-parameters without touching the test set"]


def test_topics_are_guessed_from_headings() -> None:
    assert guess_topic("为什么要使用池化层") == "pooling"
    assert guess_topic("1*1的卷积核有什么作用") == "conv1x1"
    assert guess_topic("完全无关的问题") is None


def _fill_english(draft: dict) -> None:
    for item in draft["items"]:
        for key in ("prompt", "reference", "explanation"):
            item[key]["en"] = "filled in"
        for point in item["key_points"]:
            point["point"]["en"] = "filled in"
            point["keywords"]["en"] = ["keyword"]
        if item["topic"] == "TODO":
            item["topic"] = "regularization-normalization"


def test_draft_validates_after_the_english_side_is_filled(tmp_path: Path) -> None:
    text = import_notes(FIXTURE, id_prefix="mynotes")
    draft_path = tmp_path / "draft.yaml"
    draft_path.write_text(text, encoding="utf-8")

    with pytest.raises(BankError) as info:
        load_bank([draft_path])
    missing = {(p.item, p.field) for p in info.value.problems}
    assert ("mynotes-01", "prompt.en") in missing
    assert ("mynotes-02", "key_points.0.keywords.en") in missing
    assert ("mynotes-03", "topic") in missing  # no topic word in that heading: the learner must choose
    assert all(p.line for p in info.value.problems)

    draft = yaml.safe_load(text)
    _fill_english(draft)
    draft_path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    items = load_bank([draft_path])
    assert [i.item.kind for i in items] == ["open"] * 3
    assert [len(i.item.key_points) for i in items] == [2, 4, 1]


def test_learners_real_notes_give_thirteen_sections() -> None:
    notes = Path(__file__).resolve().parents[2] / "shared" / "notes" / "dl-notes.zh.md"
    if not notes.exists():
        pytest.skip("the learner's notes are not beside this checkout")
    sections = parse_notes(notes.read_text(encoding="utf-8"))
    assert len(sections) == 13
    assert all(s.points for s in sections)
    assert all(guess_topic(s.question) for s in sections)


def test_cli_writes_draft_and_refuses_to_overwrite(run, tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    assert "Wrote 3 draft items" in run("notes", "import", str(FIXTURE), "-o", str(out)).output
    assert "exists; pass --force" in run("notes", "import", str(FIXTURE), "-o", str(out), expect=2).output
    result = run("bank", "validate", str(out), expect=1)
    assert "empty English text" in result.output


def test_file_without_headings_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("just text\n", encoding="utf-8")
    with pytest.raises(QuizzerError, match="no '####' question headings"):
        import_notes(path)
