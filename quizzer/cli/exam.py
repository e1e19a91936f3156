"""``quizzer exam``: a placeholder group holding ``grade`` until the exam-build branch's group is merged."""

from __future__ import annotations

import click

from quizzer.cli.exam_grade import grade


@click.group()
def exam() -> None:
    """Build exam sheets and grade filled answers."""


exam.add_command(grade)
