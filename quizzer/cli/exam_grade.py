"""``quizzer exam grade DIR --answers FILLED.csv``: grade filled answers, report per student, analyse items."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from quizzer.cli.common import console, echo_json, json_option, open_store_from

F = TypeVar("F", bound=Callable[..., Any])


def report_options(*, ids_from: str, out_default: str, earlier: str) -> Callable[[F], F]:
    """The options `exam grade` and `exam scan` share: who the class is, where the reports go, what to show and
    whether to record. Only the help differs: where the ids come from, the default folder, what is overwritten."""

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--roster",
                    type=click.Path(path_type=Path, dir_okay=False),
                    help=f"Student ids, one per line: any other id {ids_from} is reported as unknown.",
                ),
                click.option(
                    "--out",
                    type=click.Path(path_type=Path, file_okay=False),
                    help=f"Where to write {out_default}.",
                ),
                click.option("--student", metavar="ID", help="Also show this student's answers question by question."),
                click.option("--force", is_flag=True, help=f"Overwrite the reports of {earlier}."),
                click.option(
                    "--record",
                    is_flag=True,
                    help="Store the answers in each student's progress profile (profile = id).",
                ),
                click.option(
                    "--lang", type=click.Choice(["zh", "en"]), help="Language of the reports [default: the exam's]."
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--answers",
    "answers",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The filled CSV: student,version,question,answer (the manifest's template, filled in).",
)
@report_options(
    ids_from="in the answers",
    out_default="scores.csv, report.csv, item-analysis.csv, report.html [default: DIR/graded]",
    earlier="an earlier grading run",
)
@json_option
@click.pass_context
def grade(
    ctx: click.Context,
    directory: Path,
    answers: Path,
    roster: Path | None,
    out: Path | None,
    student: str | None,
    force: bool,
    record: bool,
    lang: str | None,
    as_json: bool,
) -> None:
    """Grade the filled answers CSV against the exam built into DIRECTORY.

    Every answer goes through the quiz's own grader. Prints each student's score
    and the problems found in the CSV (unknown students, versions or question
    numbers; missing, duplicated or conflicting rows; unreadable answers), and
    writes a per-student report with the expected answers, explanations and
    diagnosed mistakes, plus an item analysis (facility, discrimination,
    distractors, typical mistakes) as CSV and as a printable HTML page.
    """
    from quizzer.exam.grade import read_roster
    from quizzer.exam.report import grade_to_files

    names = read_roster(roster) if roster else None
    graded, analysis, paths = grade_to_files(
        open_store_from(ctx), directory, answers, out=out, force=force, roster=names, record=record, lang=lang
    )
    lang = lang or graded.manifest.lang
    if as_json:
        data = graded.to_json(lang)
        data["files"] = [str(p) for p in paths]
        echo_json(data)
        return
    from quizzer.ui.exam_report import render_grade

    render_grade(console(), graded, analysis, paths, lang, student)
