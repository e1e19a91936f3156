"""``quizzer exam scan DIR SCANS…``: read scanned answer sheets, queue the doubtful marks, grade the rest."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import console, echo_json, json_option, open_store_from
from quizzer.cli.exam_grade import report_options


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.argument("scans", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dpi", type=int, default=200, show_default=True, help="Resolution to render scanned PDFs at.")
@click.option(
    "--resolve",
    type=click.Path(path_type=Path, dir_okay=False),
    help="review.csv with the teacher's answers filled in: settles those questions and grades again.",
)
@report_options(
    ids_from="read from a sheet",
    out_default="the reports and review.csv / review.html [default: DIR/scanned]",
    earlier="an earlier run",
)
@json_option
@click.pass_context
def scan(
    ctx: click.Context,
    directory: Path,
    scans: tuple[Path, ...],
    dpi: int,
    resolve: Path | None,
    roster: Path | None,
    out: Path | None,
    student: str | None,
    force: bool,
    record: bool,
    lang: str | None,
    as_json: bool,
) -> None:
    """Read scanned answer sheets (PDF, PNG, JPEG, TIFF) of the exam built into DIRECTORY and grade them.

    Each page's QR code says which sheet it is; its corner marks place it (turned
    or shrunk pages too); every bubble is measured. Marks between empty and
    filled, two options on a single-choice item, two digits in a column go to
    review.csv and review.html (the scanned areas, cropped) instead of being
    guessed. Fill in review.csv's answer column and run again with --resolve.
    A page that cannot be read is listed with the reason; the others are graded
    as `exam grade` grades a CSV.
    """
    from quizzer.exam.grade import read_roster
    from quizzer.exam.scan import scan_exam

    names = read_roster(roster) if roster else None
    run = scan_exam(
        open_store_from(ctx),
        directory,
        list(scans),
        dpi=dpi,
        resolve=resolve,
        out=out,
        force=force,
        roster=names,
        record=record,
        lang=lang,
    )
    lang = lang or (run.grade.manifest.lang if run.grade else "en")
    if as_json:
        echo_json(run.to_json(lang))
        return
    from quizzer.ui.exam_scan import render_scan

    render_scan(console(), run, lang, student)
