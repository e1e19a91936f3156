"""``quizzer db …``: where the data lives and the schema revision."""

from __future__ import annotations

import click

from quizzer.cli.common import echo_json, json_option


@click.group()
def db() -> None:
    """Show where data lives; upgrade the database schema."""


@db.command()
@json_option
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Print the data home, the database URL and its schema revision."""
    from quizzer.store.engine import HEAD_REVISION, current_revision, make_engine
    from quizzer.store.home import data_home, database_url, engine_url

    explicit = ctx.find_root().obj.get("db_url")
    url = database_url(explicit)
    engine = make_engine(engine_url(explicit))
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    data = {"data_home": str(data_home()), "database": url, "revision": revision, "latest_revision": HEAD_REVISION}
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        click.echo(f"{key:16} {value if value is not None else '(not created yet)'}")


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Create the database or migrate it to the latest schema (also done automatically on use)."""
    from quizzer.store.engine import HEAD_REVISION, open_store

    store = open_store(ctx.find_root().obj.get("db_url"))
    store.close()
    click.echo(f"{store.url} is at schema revision {HEAD_REVISION}.")
