"""Exceptions raised by the library. The CLI maps each to a message and an exit code."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    """Every exit code quizzer uses, by name (as httpie's ``status.py``); tests compare against these."""

    OK = 0
    ERROR = 1  # bad data: a malformed bank file, an answer key torch does not confirm
    NOT_FOUND = 2  # an id, family, file or parameter the user named is wrong (also click's usage errors)
    STORE = 3  # the database cannot be opened, migrated, read or written


class QuizzerError(Exception):
    """Base class: anything the user can fix by changing input or configuration."""

    exit_code: ExitStatus = ExitStatus.ERROR


class BankError(QuizzerError):
    """A bank file is malformed. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[BankProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class BankProblem:
    """One problem in a bank file, printed as ``file:line: item-id: field: message``."""

    def __init__(self, file: str, line: int | None, item: str | None, field: str | None, message: str):
        self.file, self.line, self.item, self.field, self.message = file, line, item, field, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where, self.item or "-", self.field or "-", self.message]
        return ": ".join(parts)

    def __repr__(self) -> str:
        return f"BankProblem({str(self)!r})"


class NotFound(QuizzerError):
    """An id, family or file the user named does not exist."""

    exit_code = ExitStatus.NOT_FOUND


class BadParameters(QuizzerError):
    """Parameters given for a problem family are invalid."""

    exit_code = ExitStatus.NOT_FOUND


class StoreError(QuizzerError):
    """The database cannot be opened or migrated."""

    exit_code = ExitStatus.STORE


class AnswerParseError(QuizzerError):
    """An answer could not be understood; ``hint`` (a BiText) says what form is expected."""

    def __init__(self, message: str, hint: Any = None):
        self.hint = hint
        super().__init__(message)


class VerificationFailed(QuizzerError):
    """Closed form and torch disagree: the answer key cannot be trusted."""

    exit_code = ExitStatus.ERROR


class OutputError(QuizzerError):
    """A file the user asked quizzer to write cannot be written (missing directory, exists, disk full)."""

    exit_code = ExitStatus.NOT_FOUND
