"""Importing bank files into the store: one transaction, idempotent by id and content hash."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from quizzer.errors import BadParameters
from quizzer.resources import bundled_questions_dir
from quizzer.store.engine import Store
from quizzer.store.meta import get_meta, set_meta
from quizzer.store.models import BankItemRow, BankItemVersion, utcnow

if TYPE_CHECKING:
    from quizzer.bank.loader import LoadedItem

BUNDLED = "bundled"
USER = "user"
# The bank the bundled items (and files imported with plain `bank import`) belong to; quizzes use it by default.
DEFAULT_BANK = "bundled"
_BUNDLE_HASH_KEY = "bundled_bank_hash"
_BANK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def check_bank_name(name: str) -> str:
    """``name`` when it can name a bank (it prefixes item ids, so: lower-case letters, digits and dashes)."""
    if not _BANK_NAME.fullmatch(name):
        raise BadParameters(
            f"bad bank name {name[:60]!r}: use 1 to 40 lower-case letters, digits and dashes, "
            "starting with a letter or digit (e.g. dl-interview)"
        )
    return name


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("added", "changed", "unchanged", "retired")}


def payload_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _apply(
    session: Session, loaded: list[LoadedItem], *, origin: str, scope_files: set[str] | None, bank: str = DEFAULT_BANK
) -> SyncReport:
    """Upsert ``loaded`` into ``bank``; retire the bank's items of ``origin`` that were in ``scope_files``
    (all of origin if None) but are gone."""
    report = SyncReport()
    now = utcnow()
    ids = [entry.item.id for entry in loaded]
    # Only the rows this import can touch: its own ids, and the bank's active rows of this origin (to retire).
    wanted = (BankItemRow.bank == bank) & (BankItemRow.origin == origin) & BankItemRow.retired.is_(False)
    existing = {row.id: row for row in session.scalars(select(BankItemRow).where(wanted))}
    for chunk in range(0, len(ids), 500):
        existing.update(
            (row.id, row)
            for row in session.scalars(select(BankItemRow).where(BankItemRow.id.in_(ids[chunk : chunk + 500])))
        )
    seen: set[str] = set()
    new_rows: list[dict] = []
    new_versions: list[dict] = []
    for entry in loaded:
        item = entry.item
        seen.add(item.id)
        payload = item.model_dump(mode="json")
        digest = payload_hash(payload)  # = item.content_hash(), without dumping the item a second time
        row = existing.get(item.id)
        if row is None:
            # Collected and inserted in bulk below: a notes file of a thousand questions is thousands of rows.
            new_rows.append(
                dict(
                    id=item.id,
                    topic=item.topic,
                    kind=item.kind,
                    difficulty=item.difficulty,
                    content_hash=digest,
                    version=1,
                    payload=payload,
                    source_file=entry.file,
                    origin=origin,
                    bank=bank,
                    retired=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            new_versions.append(dict(item_id=item.id, version=1, content_hash=digest, payload=payload, imported_at=now))
            report.added.append(item.id)
            continue
        row.source_file, row.origin, row.bank = entry.file, origin, bank
        if row.content_hash == digest and not row.retired:
            report.unchanged.append(item.id)
            continue
        if row.content_hash != digest:
            row.version += 1
            session.add(
                BankItemVersion(
                    item_id=item.id, version=row.version, content_hash=digest, payload=payload, imported_at=now
                )
            )
        row.topic, row.kind, row.difficulty = item.topic, item.kind, item.difficulty
        row.content_hash, row.payload, row.retired, row.updated_at = digest, payload, False, now
        report.changed.append(item.id)
    for row in existing.values():
        if row.id in seen or row.retired or row.origin != origin or row.bank != bank:
            continue
        if scope_files is None or row.source_file in scope_files:
            row.retired, row.updated_at = True, now
            report.retired.append(row.id)
    if new_rows:
        session.execute(insert(BankItemRow), new_rows)
        session.execute(insert(BankItemVersion), new_versions)
    return report


def import_files(
    store: Store, paths: list[Path], *, origin: str = USER, replace_bundled: bool = False, bank: str = DEFAULT_BANK
) -> SyncReport:
    """Validate every file first (nothing is written on any problem), then import in one transaction.

    Items that a re-imported file no longer contains are retired, never deleted, so their history stays.
    A user item whose id a bundled item already has would silently replace it: that needs ``replace_bundled``.
    """
    from quizzer.bank.loader import bank_files, load_bank

    check_bank_name(bank)
    loaded = load_bank(paths)
    # Errors name files as the user typed them; the store records absolute paths so that
    # `questions/x.yaml` and `./questions/x.yaml` are the same file on the next import.
    resolved = {str(p): str(p.resolve()) for p in bank_files(paths)}
    loaded = [replace(entry, file=resolved.get(entry.file, entry.file)) for entry in loaded]
    scope = set(resolved.values())
    return import_loaded(store, loaded, scope_files=scope, origin=origin, replace_bundled=replace_bundled, bank=bank)


def import_loaded(
    store: Store,
    loaded: list[LoadedItem],
    *,
    scope_files: set[str],
    origin: str = USER,
    replace_bundled: bool = False,
    bank: str = DEFAULT_BANK,
) -> SyncReport:
    """Import validated items into ``bank`` in one transaction (``quizzer notes import`` comes in here too).

    An id that another bank already holds is refused: one item belongs to one bank.
    """
    with store.session(exclusive="bank") as session:
        _refuse_other_banks(session, loaded, bank)
        if origin != BUNDLED and not replace_bundled:
            _refuse_bundled_ids(session, loaded)
        return _apply(session, loaded, origin=origin, scope_files=scope_files, bank=bank)


def _refuse_other_banks(session: Session, loaded: list[LoadedItem], bank: str) -> None:
    from quizzer.errors import BankError, BankProblem

    ids = [entry.item.id for entry in loaded]
    elsewhere = dict(
        session.execute(
            select(BankItemRow.id, BankItemRow.bank).where(BankItemRow.id.in_(ids), BankItemRow.bank != bank)
        ).all()
    )
    problems = [
        BankProblem(
            entry.file,
            entry.line,
            entry.item.id,
            "id",
            f"bank {elsewhere[entry.item.id]!r} already has this id; an item belongs to one bank: rename the id",
        )
        for entry in loaded
        if entry.item.id in elsewhere
    ]
    if problems:
        raise BankError(problems)


def _refuse_bundled_ids(session: Session, loaded: list[LoadedItem]) -> None:
    from quizzer.errors import BankError, BankProblem

    ids = [entry.item.id for entry in loaded]
    bundled = dict(
        session.execute(
            select(BankItemRow.id, BankItemRow.source_file).where(
                BankItemRow.id.in_(ids), BankItemRow.origin == BUNDLED, BankItemRow.retired.is_(False)
            )
        ).all()
    )
    problems = [
        BankProblem(
            entry.file,
            entry.line,
            entry.item.id,
            "id",
            f"the bundled bank already has this id ({bundled[entry.item.id]}); importing would replace "
            "the bundled item: rename the id, or pass --replace",
        )
        for entry in loaded
        if entry.item.id in bundled
    ]
    if problems:
        raise BankError(problems)


def bundle_hash(directory: Path | None = None) -> str:
    directory = directory or bundled_questions_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sync_bundled(store: Store, *, force: bool = False) -> SyncReport | None:
    """Import the bundled bank when it differs from what was last synced; None when already current."""
    directory = bundled_questions_dir()
    current = bundle_hash(directory)
    with store.session(read_only=True) as session:
        if get_meta(session, _BUNDLE_HASH_KEY) == current and not force:
            return None
    # Only now, when the bundle changed, pay for YAML parsing and validation.
    from quizzer.bank.loader import load_bank

    loaded = load_bank([directory], base=directory.parent, bundled=True)
    with store.session(exclusive="bank") as session:
        report = _apply(session, loaded, origin=BUNDLED, scope_files=None)
        set_meta(session, _BUNDLE_HASH_KEY, current)
    return report
