"""The CLI boundary: library exceptions become click errors with meaningful exit codes."""

from __future__ import annotations

from typing import Any

import click

from quizzer.errors import BankError, QuizzerError, StoreError


class QuizzerClickError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        # click types exit_code as a ClassVar for subclasses to override, but reads it from the instance
        # (e.exit_code), so a per-instance code is honoured; the stub only forbids the spelling.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        from quizzer.safety import strip_controls

        # Messages quote file names, keys and URLs the user supplied: no escape sequence reaches the terminal.
        click.echo(f"Error: {strip_controls(self.format_message())}", err=True)


def to_click(exc: QuizzerError) -> click.ClickException:
    if isinstance(exc, BankError):
        count = len(exc.problems)
        header = f"{count} problem{'s' if count != 1 else ''} found; nothing was imported."
        return QuizzerClickError("\n".join([header, *map(str, exc.problems)]), exc.exit_code)
    return QuizzerClickError(str(exc), exc.exit_code)


def database_fault(exc: Exception, db_url: str | None) -> StoreError | None:
    """A StoreError for an exception raised by the database driver or SQLAlchemy; None for anything else."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    if not isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return None
    from quizzer.store.engine import store_error
    from quizzer.store.home import database_url

    return store_error(exc, database_url(db_url))
