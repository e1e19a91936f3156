"""Reading the bank back out of the store: list, show, stats."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import TypeAdapter
from sqlalchemy import select

from quizzer.bank.schema import KINDS, BankItem
from quizzer.bank.sync import DEFAULT_BANK
from quizzer.errors import BadParameters, NotFound
from quizzer.store.engine import Store
from quizzer.store.models import BankItemRow
from quizzer.topics import TOPIC_SLUGS

_ITEM = TypeAdapter(BankItem)


@dataclass(frozen=True)
class ItemRecord:
    item: BankItem
    version: int
    source_file: str
    origin: str


def _check_filters(topic: str | None, kind: str | None, bank: str = DEFAULT_BANK) -> None:
    # A learner's bank has free topics (its notes' chapters): there an unknown topic simply lists nothing.
    if topic is not None and bank == DEFAULT_BANK and topic not in TOPIC_SLUGS:
        raise BadParameters(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
    if kind is not None and kind not in KINDS:
        raise BadParameters(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")


def list_items(
    store: Store, *, topic: str | None = None, kind: str | None = None, bank: str = DEFAULT_BANK
) -> list[ItemRecord]:
    _check_filters(topic, kind, bank)
    query = select(BankItemRow).where(BankItemRow.retired.is_(False), BankItemRow.bank == bank)
    if topic:
        query = query.where(BankItemRow.topic == topic)
    if kind:
        query = query.where(BankItemRow.kind == kind)
    with store.session() as session:
        rows = list(session.scalars(query))
    order = {slug: i for i, slug in enumerate(TOPIC_SLUGS)}
    # Free topics are chapter names, usually numbered: their own order is the notes' order.
    rows.sort(key=lambda r: (order.get(r.topic, len(order)), r.topic, r.id))
    return [ItemRecord(_ITEM.validate_python(r.payload), r.version, r.source_file, r.origin) for r in rows]


def get_item(store: Store, item_id: str) -> ItemRecord:
    with store.session() as session:
        row = session.get(BankItemRow, item_id)
        if row is None:
            raise NotFound(f"no bank item with id {item_id!r} (see `quizzer bank list`)")
        return ItemRecord(_ITEM.validate_python(row.payload), row.version, row.source_file, row.origin)


@dataclass(frozen=True)
class BankStats:
    counts: dict[tuple[str, str], int]  # (topic, kind) -> active items
    retired: int
    bank: str = DEFAULT_BANK

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def topics(self) -> list[str]:
        """The 13 slugs for the bundled bank, then any free topic (a learner's bank's chapters) in name order."""
        present = {topic for topic, _ in self.counts}
        slugs = list(TOPIC_SLUGS) if self.bank == DEFAULT_BANK else [t for t in TOPIC_SLUGS if t in present]
        return slugs + sorted(present - set(TOPIC_SLUGS))

    def by_topic(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (topic, _), n in self.counts.items():
            out[topic] += n
        return {t: out.get(t, 0) for t in self.topics()}

    def by_kind(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (_, kind), n in self.counts.items():
            out[kind] += n
        return {k: out.get(k, 0) for k in KINDS}


def bank_names(store: Store) -> dict[str, int]:
    """Every bank in the store with its number of active items, the default bank first."""
    from sqlalchemy import func

    with store.session() as session:
        rows = session.execute(
            select(BankItemRow.bank, func.count()).where(BankItemRow.retired.is_(False)).group_by(BankItemRow.bank)
        ).all()
    counts = dict(rows)
    return {name: counts[name] for name in sorted(counts, key=lambda b: (b != DEFAULT_BANK, b))}


def check_bank_exists(store: Store, bank: str) -> None:
    """Refuse a bank that has no active items, naming the ones that exist."""
    names = bank_names(store)
    if bank not in names:
        known = ", ".join(f"{b} ({n})" for b, n in names.items()) or "none"
        raise BadParameters(
            f"no bank named {bank!r}; banks: {known} (`quizzer notes import NOTES.md --bank NAME` makes one)"
        )


def bank_stats(store: Store, bank: str = DEFAULT_BANK) -> BankStats:
    with store.session() as session:
        rows = session.execute(
            select(BankItemRow.topic, BankItemRow.kind, BankItemRow.retired).where(BankItemRow.bank == bank)
        ).all()
    counts: Counter = Counter()
    retired = 0
    for topic, kind, is_retired in rows:
        if is_retired:
            retired += 1
        else:
            counts[(topic, kind)] += 1
    return BankStats(dict(counts), retired, bank)
