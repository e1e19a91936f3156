"""``quizzer db …``: where the data lives, the schema, backups and integrity."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import echo_json, json_option


def _url(ctx: click.Context) -> str | None:
    return (ctx.find_root().obj or {}).get("db_url")


@click.group()
def db() -> None:
    """Show where data lives; upgrade, back up, restore and check the database."""


@db.command()
@json_option
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Print the data home, the database URL, its schema revision and the automatic backups."""
    from quizzer.store.admin import info as db_info
    from quizzer.store.backup import BACKUPS_KEPT

    data = db_info(_url(ctx))
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        if key == "backups":
            continue
        click.echo(f"{key:16} {value if value is not None else '(not created yet)'}")
    if "backups" in data:
        backups = data["backups"]
        assert isinstance(backups, list)  # store.admin.info puts a list of paths under "backups"
        click.echo(
            f"{'backups':16} {len(backups)} automatic, taken before each migration (the last "
            f"{BACKUPS_KEPT} are kept) and each restore"
        )
        for path in backups:
            click.echo(f"{'':16} {path}")


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Create the database or migrate it to the latest schema (also done automatically on use)."""
    from quizzer.store.backup import public_url
    from quizzer.store.engine import HEAD_REVISION, open_store

    store = open_store(_url(ctx))
    store.close()
    click.echo(f"{public_url(store.url)} is at schema revision {HEAD_REVISION}.")


@db.command()
@click.pass_context
def current(ctx: click.Context) -> None:
    """Print the database's schema revision (nothing is created or migrated)."""
    from quizzer.store.admin import database_revision
    from quizzer.store.engine import HEAD_REVISION

    shown, revision = database_revision(_url(ctx))
    if revision is None:
        click.echo(f"{shown}: no schema yet (created on first use)")
    else:
        state = "latest" if revision == HEAD_REVISION else f"latest is {HEAD_REVISION}"
        click.echo(f"{revision} ({state})")


@db.command()
@click.pass_context
def history(ctx: click.Context) -> None:
    """List the schema migrations, oldest first, and which ones this database has."""
    from quizzer.store.admin import database_revision, migration_history

    _, revision = database_revision(_url(ctx))
    for m in migration_history(revision):
        mark = "*" if m.current else ("x" if m.applied else " ")
        click.echo(f"[{mark}] {m.revision}  {m.title}")
    click.echo("(x applied, * current)")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_context
def backup(ctx: click.Context, file: Path, force: bool) -> None:
    """Write a consistent copy of the database to FILE, even while others are answering (SQLite).

    For PostgreSQL, prints how to use pg_dump instead.
    """
    from quizzer.store.backup import backup as take_backup
    from quizzer.store.home import engine_url

    written = take_backup(engine_url(_url(ctx)), file, force=force)
    click.echo(f"Backed up to {written} ({written.stat().st_size:,} bytes).")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, file: Path) -> None:
    """Replace the database by the backup FILE (checked first; the current one is kept as a safety copy)."""
    from quizzer.store.backup import restore as do_restore
    from quizzer.store.home import engine_url

    done = do_restore(engine_url(_url(ctx)), file)
    click.echo(f"Restored {done.source} (schema revision {done.revision}).")
    if done.safety_copy is not None:
        click.echo(f"The database it replaced is kept as {done.safety_copy}.")


@db.command()
@json_option
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check the database's integrity: every page and index, every reference, the schema revision."""
    from quizzer.errors import ExitStatus
    from quizzer.store.backup import check as run_check
    from quizzer.store.engine import make_engine
    from quizzer.store.home import engine_url

    engine = make_engine(engine_url(_url(ctx)))
    try:
        report = run_check(engine)
    finally:
        engine.dispose()
    if as_json:
        echo_json(
            {
                "database": report.database,
                "revision": report.revision,
                "ok": report.ok,
                "problems": report.problems,
                "notes": report.notes,
                "rows": report.rows,
            }
        )
    else:
        click.echo(f"{report.database}: schema revision {report.revision or '(none)'}")
        for table, count in report.rows.items():
            click.echo(f"  {table:20} {count:>10,} rows")
        for note in report.notes:
            click.echo(f"note: {note}")
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        click.echo(
            "OK: no problems found."
            if report.ok
            else f"{len(report.problems)} problem(s) found; restore a backup (`quizzer db info` lists them)."
        )
    if not report.ok:
        ctx.exit(int(ExitStatus.STORE))
