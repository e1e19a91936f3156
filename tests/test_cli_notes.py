"""``quizzer notes import`` into a named bank, and that bank through quiz, bank list and progress."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select

from quizzer.store.engine import open_store
from quizzer.store.models import AttemptRow, BankItemRow, BankItemVersion

CORPUS = Path(__file__).parent / "data" / "notes"


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(CORPUS / name, target)
    return target


def _rows(bank: str) -> dict[str, BankItemRow]:
    store = open_store(None)
    with store.session() as session:
        rows = {r.id: r for r in session.scalars(select(BankItemRow).where(BankItemRow.bank == bank))}
        session.expunge_all()
    store.close()
    return rows


def test_import_prints_shapes_and_kinds_and_is_idempotent(run, tmp_path: Path) -> None:
    notes = _copy(tmp_path, "bold-items.en.md")
    out = run("notes", "import", str(notes), "--bank", "reg").output
    assert "3 questions found (3 bold); 5 items drafted (3 open, 2 cloze); English only" in out
    assert "Bank 'reg': 5 added, 0 changed, 0 unchanged, 0 retired" in out
    assert "0 added, 0 changed, 5 unchanged, 0 retired" in run("notes", "import", str(notes), "--bank", "reg").output
    rows = _rows("reg")
    assert len(rows) == 5 and {r.topic for r in rows.values()} == {"Dropout", "Weight decay"}
    assert all(r.origin == "user" and r.id.startswith("reg-") for r in rows.values())


def test_reimporting_edited_notes_updates_in_place_keeps_history_and_retires(run, tmp_path: Path) -> None:
    notes = _copy(tmp_path, "qa-pairs.en.md")
    run("notes", "import", str(notes), "--bank", "conv")
    before = _rows("conv")
    # Answer every question once so there is history to keep.
    run("quiz", "--bank", "conv", "--answers", "-", "-n", "3", "--seed", "1", input="channels\n73728\n5x5\n")
    text = notes.read_text(encoding="utf-8")
    text = text.replace("the height and width stay the same.", "height and width are unchanged.")
    text = text.replace("Q: How many weights", "Q: 2. How many weights")  # renumbered: the same question
    text = text[: text.index("**Q:**")]  # the last question is deleted
    notes.write_text(text, encoding="utf-8")
    out = run("notes", "import", str(notes), "--bank", "conv").output
    assert "0 added, 1 changed, 1 unchanged, 1 retired" in out
    after = _rows("conv")
    assert set(after) == set(before)  # same ids: nothing re-created
    changed = next(r for r in after.values() if "1x1" in r.payload["prompt"]["en"])
    assert changed.version == 2 and "unchanged" in changed.payload["reference"]["en"]
    retired = [r for r in after.values() if r.retired]
    assert len(retired) == 1 and "receptive field" in retired[0].payload["prompt"]["en"]
    store = open_store(None)
    with store.session() as session:
        answered = set(session.scalars(select(AttemptRow.item_id)))
        versions = session.scalars(select(BankItemVersion.version).where(BankItemVersion.item_id == changed.id)).all()
    store.close()
    assert answered == set(before) and sorted(versions) == [1, 2]  # the attempts stay attached


def test_quiz_list_and_progress_use_one_bank_at_a_time(run, tmp_path: Path) -> None:
    run("notes", "import", str(CORPUS / "oneliners.en.md"), "--bank", "cards")
    listed = json.loads(run("bank", "list", "--bank", "cards", "--json").output)
    assert len(listed) == 4 and all(r["id"].startswith("cards-") and r["kind"] == "fill" for r in listed)
    bundled = json.loads(run("bank", "list", "--json").output)
    assert not any(r["id"].startswith("cards-") for r in bundled)  # not mixed by default

    answers = "(0,1)\n1\ntanh\n0.25\n"
    result = json.loads(
        run("quiz", "--bank", "cards", "-n", "4", "--seed", "3", "--answers", "-", "--json", input=answers).stdout
    )
    assert {r["question"].split(":")[1].split("-")[0] for r in result["results"]} == {"cards"}  # only this bank
    assert all(r["kind"] == "fill" for r in result["results"])  # no generated problems
    by_prompt = {r["prompt"]: r for r in result["results"]}
    expected = {
        "Output range of the sigmoid function": "(0, 1)",
        "Derivative of ReLU for positive inputs": "1",
        "The activation that is zero-centred and saturates at -1 and 1": "tanh",
        "Largest value of the sigmoid derivative": "0.25",
    }
    assert {p: r["expected"] for p, r in by_prompt.items()} == expected

    progress = json.loads(run("progress", "--bank", "cards", "--json").output)
    assert [t["topic"] for t in progress["topics"]] == ["Flashcards: activations"]
    assert progress["topics"][0]["attempts"] == 4 and progress["families"] == []
    default = json.loads(run("progress", "--json").output)
    assert "Flashcards: activations" not in [t["topic"] for t in default["topics"]]


def test_bank_and_option_errors_are_one_line(run, tmp_path: Path) -> None:
    out = run("quiz", "--bank", "nothing", expect=2).output
    assert "no bank named 'nothing'; banks: bundled" in out and "Traceback" not in out
    assert "bad bank name" in run("notes", "import", str(CORPUS / "qa-pairs.en.md"), "--bank", "A B", expect=2).output
    assert (
        "no question found" in run("notes", "import", str(CORPUS / "no-questions.md"), "--bank", "x", expect=1).output
    )
    assert (
        "use one of them"
        in run(
            "notes", "import", str(CORPUS / "qa-pairs.en.md"), "--bank", "x", "-o", str(tmp_path / "d.yaml"), expect=2
        ).output
    )
    run("notes", "import", str(CORPUS / "qa-pairs.en.md"), "--bank", "x")
    assert (
        "generated problems belong to the bundled bank"
        in run("quiz", "--bank", "x", "--family", "conv-output", expect=2).output
    )


def test_a_draft_written_with_o_imports_into_a_bank(run, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    out = run("notes", "import", str(CORPUS / "headings-numbered.zh.md"), "-o", str(draft)).output
    assert "4 questions found (4 heading); 5 items drafted (4 open, 1 cloze); Chinese only" in out
    assert (
        "exists" in run("notes", "import", str(CORPUS / "headings-numbered.zh.md"), "-o", str(draft), expect=2).output
    )
    assert "OK: 5 items in 1 file" in run("bank", "validate", str(draft)).output
    assert "5 added" in run("bank", "import", str(draft), "--bank", "opt").output
    stats = json.loads(run("bank", "stats", "--bank", "opt", "--json").output)
    assert stats["by_topic"] == {"2.1 梯度下降": 2, "2.2 学习率调度": 3}
