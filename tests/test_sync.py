"""Importing is one transaction, idempotent by id and content hash; changes keep the id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from quizzer.bank.catalog import bank_stats, get_item, list_items
from quizzer.bank.sync import import_files, sync_bundled
from quizzer.store.engine import open_store
from quizzer.store.models import BankItemRow, BankItemVersion
from tests.bankfiles import numeric_item, single_item, text, write_bank


def test_import_is_idempotent_and_tracks_changes(tmp_path: Path) -> None:
    store = open_store()
    path = write_bank(tmp_path / "a.yaml", single_item("s1"), numeric_item("n1"))

    first = import_files(store, [path])
    assert first.counts() == {"added": 2, "changed": 0, "unchanged": 0, "retired": 0}
    again = import_files(store, [path])
    assert again.counts() == {"added": 0, "changed": 0, "unchanged": 2, "retired": 0}

    write_bank(path, single_item("s1", explanation=text("改了。", "Edited.")), numeric_item("n2"))
    third = import_files(store, [path])
    assert third.changed == ["s1"] and third.added == ["n2"] and third.retired == ["n1"]

    edited = get_item(store, "s1")
    assert edited.version == 2 and edited.item.explanation.en == "Edited."
    with store.session() as session:
        versions = session.scalars(select(BankItemVersion).where(BankItemVersion.item_id == "s1")).all()
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].payload["explanation"]["en"] != "Edited."
        retired = session.get(BankItemRow, "n1")
        assert retired is not None and retired.retired
    assert {r.item.id for r in list_items(store)} == {"s1", "n2"}


def test_retired_item_comes_back_when_restored(tmp_path: Path) -> None:
    store = open_store()
    path = write_bank(tmp_path / "a.yaml", single_item("s1"), numeric_item("n1"))
    import_files(store, [path])
    write_bank(path, single_item("s1"))
    assert import_files(store, [path]).retired == ["n1"]
    write_bank(path, single_item("s1"), numeric_item("n1"))
    report = import_files(store, [path])
    assert report.changed == ["n1"]
    assert get_item(store, "n1").version == 1  # same content: no new version, just active again


def test_importing_one_file_does_not_retire_another(tmp_path: Path) -> None:
    store = open_store()
    a = write_bank(tmp_path / "a.yaml", single_item("a1"))
    b = write_bank(tmp_path / "b.yaml", numeric_item("b1"))
    import_files(store, [a, b])
    assert import_files(store, [a]).retired == []
    assert bank_stats(store).total == 2


def test_relative_and_absolute_paths_are_the_same_file(tmp_path: Path, monkeypatch) -> None:
    store = open_store()
    write_bank(tmp_path / "a.yaml", single_item("a1"))
    monkeypatch.chdir(tmp_path)
    import_files(store, [Path("a.yaml")])
    write_bank(tmp_path / "a.yaml", numeric_item("a2"))
    report = import_files(store, [tmp_path / "a.yaml"])
    assert report.retired == ["a1"] and report.added == ["a2"]


def test_bundled_bank_syncs_once_and_again_when_it_changes(tmp_path: Path, monkeypatch) -> None:
    store = open_store()
    first = sync_bundled(store)
    assert first is not None and len(first.added) >= 180
    assert sync_bundled(store) is None  # unchanged bundle: nothing read, nothing written

    bundle = tmp_path / "questions"
    bundle.mkdir()
    write_bank(bundle / "pooling.yaml", single_item("only-one"))
    monkeypatch.setattr("quizzer.bank.sync.bundled_questions_dir", lambda: bundle)
    report = sync_bundled(store)
    assert report is not None and report.added == ["only-one"] and len(report.retired) >= 180
    assert bank_stats(store).total == 1


def test_upgrading_to_named_banks_keeps_every_item_in_the_default_bank(tmp_path: Path) -> None:
    from sqlalchemy import text

    from quizzer.store.engine import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0005")
    with engine.begin() as conn:
        for item_id, origin in (("old-bundled", "bundled"), ("old-user", "user")):
            conn.execute(
                text(
                    "INSERT INTO bank_items (id, topic, kind, difficulty, content_hash, version, payload, source_file,"
                    " origin, retired, created_at, updated_at) VALUES (:id, 'pooling', 'fill', 1, 'h', 1, '{}', 'f.yaml',"
                    " :origin, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"id": item_id, "origin": origin},
            )
    engine.dispose()
    store = open_store(url)
    with store.session() as session:
        banks = dict(session.execute(select(BankItemRow.id, BankItemRow.bank)).all())
    store.close()
    # Both were quizzed together before banks had names: both stay in the bank a plain `quizzer quiz` uses.
    assert banks == {"old-bundled": "bundled", "old-user": "bundled"}


def test_the_stored_hash_is_the_items_content_hash(tmp_path: Path) -> None:
    from quizzer.bank.loader import load_bank
    from quizzer.bank.sync import payload_hash
    from quizzer.resources import bundled_questions_dir

    for entry in load_bank([bundled_questions_dir()])[:40]:
        assert payload_hash(entry.item.model_dump(mode="json")) == entry.item.content_hash()
