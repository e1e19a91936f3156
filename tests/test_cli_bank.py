"""`quizzer bank …` end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from quizzer.bank.schema import KINDS
from quizzer.topics import TOPIC_SLUGS
from tests.bankfiles import numeric_item, single_item, write_bank


def test_stats_on_first_use_imports_the_bundled_bank(run, db_file: Path) -> None:
    assert not db_file.exists()
    data = json.loads(run("bank", "stats", "--json").output)
    assert db_file.exists()
    assert data["total"] >= 180
    assert all(data["by_topic"][t] >= 12 for t in TOPIC_SLUGS), data["by_topic"]
    assert all(n > 0 for n in data["by_kind"].values()), data["by_kind"]


def test_stats_table(run) -> None:
    output = run("bank", "stats").output
    assert "receptive-field" in output and f"13 topics and {len(KINDS)} kinds" in output


def test_validate_reports_and_exits_1(run, tmp_path: Path) -> None:
    good = write_bank(tmp_path / "good.yaml", single_item("good-a"))
    assert "OK: 1 item in 1 file" in run("bank", "validate", str(good)).output
    bad = write_bank(tmp_path / "bad.yaml", single_item("bad-b", answer="C"))
    result = run("bank", "validate", str(bad), expect=1)
    assert f"{bad}:" in result.output and ": bad-b: answer: option 'C' is out of range" in result.output


def test_validate_defaults_to_bundled_bank(run) -> None:
    assert run("bank", "validate").output.startswith("OK: ")


def test_import_reports_counts(run, tmp_path: Path) -> None:
    path = write_bank(tmp_path / "mine.yaml", single_item("m1"), numeric_item("m2"))
    assert "2 added, 0 changed, 0 unchanged, 0 retired" in run("bank", "import", str(path)).output
    assert "0 added, 0 changed, 2 unchanged, 0 retired" in run("bank", "import", str(path)).output


def test_list_filters_and_show(run) -> None:
    listed = json.loads(run("bank", "list", "--topic", "pooling", "--kind", "numeric", "--json").output)
    assert listed and all(i["topic"] == "pooling" and i["kind"] == "numeric" for i in listed)
    item_id = listed[0]["id"]
    shown_en = run("bank", "show", item_id, "--lang", "en").output
    shown_zh = run("bank", "show", item_id, "--lang", "zh").output
    assert item_id in shown_en and "Answer" in shown_en and "答案" in shown_zh


def test_show_prints_notes_correction(run) -> None:
    items = json.loads(run("bank", "list", "--json").output)
    corrected = [
        i["id"] for i in items if json.loads(run("bank", "show", i["id"], "--json").output).get("notes_correction")
    ]
    assert len(corrected) >= 10
    assert "Correction to the notes" in run("bank", "show", corrected[0], "--lang", "en").output


def test_unknown_id_topic_and_kind_are_clear_errors(run) -> None:
    assert "no bank item with id 'nope'" in run("bank", "show", "nope", expect=2).output
    assert "unknown topic 'nope'" in run("bank", "list", "--topic", "nope", expect=2).output
    assert "Invalid value for '--kind'" in run("bank", "list", "--kind", "essay", expect=2).output


def test_db_option_and_info(run, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    run("--db", str(target), "bank", "stats")
    assert target.exists()
    info = json.loads(run("--db", str(target), "db", "info", "--json").output)
    assert info["revision"] == info["latest_revision"]
