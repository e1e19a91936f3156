"""The CLI boundary: library exceptions become click errors with meaningful exit codes."""

from __future__ import annotations

from typing import Any

import click

from quizzer.errors import BankError, QuizzerError


class QuizzerClickError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def to_click(exc: QuizzerError) -> click.ClickException:
    if isinstance(exc, BankError):
        count = len(exc.problems)
        header = f"{count} problem{'s' if count != 1 else ''} found; nothing was imported."
        return QuizzerClickError("\n".join([header, *map(str, exc.problems)]), exc.exit_code)
    return QuizzerClickError(str(exc), exc.exit_code)
