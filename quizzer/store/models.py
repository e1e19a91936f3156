"""ORM models (SQLAlchemy 2.0 typed). The schema itself is owned by the migrations in ``db/``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes; SQLite drops the zone, so it is re-attached on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; quizzer stores UTC-aware times only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class BankItemRow(Base):
    """The current version of a bank item. Its id never changes, so history attached to it survives edits."""

    __tablename__ = "bank_items"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(16))  # "bundled" or "user"
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    versions: Mapped[list["BankItemVersion"]] = relationship(back_populates="item", order_by="BankItemVersion.version")


class BankItemVersion(Base):
    """Every version an item has had, so an old attempt can be shown against the text it answered."""

    __tablename__ = "bank_item_versions"

    item_id: Mapped[str] = mapped_column(ForeignKey("bank_items.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    item: Mapped[BankItemRow] = relationship(back_populates="versions")


class MetaRow(Base):
    """Small key/value facts about the store, e.g. the hash of the last bundled bank synced."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GeneratedInstanceRow(Base):
    """A generated problem as served: enough to show it again and to re-check its key later."""

    __tablename__ = "generated_instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family: Mapped[str] = mapped_column(String(60), index=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    answer: Mapped[Any] = mapped_column(JSON)
    torch_answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    agree: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    torch_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
