"""What ``quizzer db`` reports: where the data lives, the schema revision, the migrations."""

from __future__ import annotations

from dataclasses import dataclass

from quizzer.store.backup import public_url, rolling_backups, sqlite_file
from quizzer.store.engine import HEAD_REVISION, current_revision, make_engine, store_error
from quizzer.store.home import data_home, engine_url


@dataclass(frozen=True)
class Migration:
    revision: str
    down_revision: str | None
    title: str
    applied: bool
    current: bool


def migration_history(revision: str | None) -> list[Migration]:
    """Every migration in db/, oldest first, marked applied up to ``revision`` (the database's)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from quizzer.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    scripts = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    order = [s.revision for s in scripts]
    reached = order.index(revision) if revision in order else -1
    return [
        Migration(
            s.revision,
            s.down_revision if isinstance(s.down_revision, str) else None,
            (s.doc or "").strip().splitlines()[0] if s.doc else "",
            i <= reached,
            s.revision == revision,
        )
        for i, s in enumerate(scripts)
    ]


def database_revision(url: str | None = None) -> tuple[str, str | None]:
    """(the URL fit to print, its schema revision or None) without creating or migrating anything."""
    from sqlalchemy.exc import SQLAlchemyError

    resolved = engine_url(url)
    engine = make_engine(resolved)
    try:
        return public_url(resolved), current_revision(engine)
    except SQLAlchemyError as exc:
        # The same one-line diagnosis every command gives (damaged, read-only, …), naming what to do.
        raise store_error(exc, resolved) from None
    finally:
        engine.dispose()


def info(url: str | None = None) -> dict[str, object]:
    shown, revision = database_revision(url)
    resolved = engine_url(url)
    data: dict[str, object] = {
        "data_home": str(data_home()),
        "database": shown,
        "revision": revision,
        "latest_revision": HEAD_REVISION,
    }
    source = sqlite_file(resolved)
    if source is not None:
        # Copies taken before each migration (the newest few are kept) and before each restore.
        data["backups"] = [str(p) for p in rolling_backups(source.stem, kind="")]
    return data
