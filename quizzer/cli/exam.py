"""``quizzer exam …``: build printable exam versions with answer keys (and grade filled answer sheets)."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import lang_option, open_store_from, resolve_lang


@click.group()
def exam() -> None:
    """Print exams: randomized versions with answer keys, and grade the filled answers."""


@exam.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--versions", "-n", type=int, default=1, show_default=True, help="How many versions (A, B, …).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same spec and seed give the same exam.")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), required=True, help="Output directory.")
@click.option(
    "--format",
    "formats",
    default="pdf,html,md",
    show_default=True,
    metavar="LIST",
    help="Comma-separated: pdf, html, md (manifest.json and answers-template.csv are always written).",
)
@click.option("--force", is_flag=True, help="Write into a directory that is not empty (overwrites same-named files).")
@click.option("--no-verify", is_flag=True, help="Skip checking generated answer keys against torch (faster).")
@click.option("--answer-sheets", is_flag=True, help="Also write answer-sheets.pdf (bubble sheets to scan).")
@click.option(
    "--copies", type=int, default=1, show_default=True, help="Answer sheets per version (each copy its own QR codes)."
)
@click.option(
    "--key-pictures/--no-key-pictures",
    default=True,
    show_default=True,
    help="Draw the pictures of worked solutions in the pdf and html keys (about 20 ms each).",
)
@lang_option
@click.pass_context
def build(
    ctx: click.Context,
    spec: Path,
    versions: int,
    seed: int,
    out: Path,
    formats: str,
    force: bool,
    no_verify: bool,
    answer_sheets: bool,
    copies: int,
    key_pictures: bool,
    lang: str | None,
) -> None:
    """Build exam sheets and answer keys from SPEC (a YAML exam spec, see examples/exam.yaml).

    Every version has the same bank items in its own question and option order, and its own generated
    problems of the same family and difficulty. Writes sheets and keys (pdf, html, md), manifest.json (what
    `exam grade` needs) and answers-template.csv (student,version,question,answer) to OUT.
    """
    from quizzer import messages as M
    from quizzer.exam.write import build_to_dir, parse_formats
    from quizzer.text import BiText

    chosen = parse_formats(formats)
    store = open_store_from(ctx)
    lang = resolve_lang(lang)
    sheets = copies if answer_sheets else None
    report = build_to_dir(
        store,
        spec,
        out,
        versions=versions,
        seed=seed,
        lang=lang,
        formats=chosen,
        force=force,
        verify=not no_verify,
        answer_sheets=sheets,
        key_pictures=key_pictures,
    )
    manifest = report.exam.manifest
    count, total = len(manifest.versions), manifest.total_points
    codes = ", ".join(v.code for v in manifest.versions[:5]) + (", …" if count > 5 else "")
    points = M.EXAM_POINTS.format(total)
    click.echo(
        M.EXAM_BUILT.format(
            versions=M.EXAM_VERSIONS.format(count),
            codes=codes,
            points=points,
            questions=M.EXAM_QUESTIONS.format(report.questions),
            seed=manifest.seed,
        ).get(lang)
    )
    for name, size in report.files:
        click.echo(M.EXAM_FILE.format(size, path=out / name).get(lang))
    stages = [M.EXAM_STAGE.format(stage=stage, seconds=secs) for stage, secs in report.seconds.items()]
    click.echo(M.EXAM_TIME.format(stages=BiText.join(stages, ", ")).get(lang))


# --- exam grade -------------------------------------------------------------------------------------------
# The grading half (``exam grade``) registers here: exam.add_command(grade) from its own module.
from quizzer.cli.exam_grade import grade  # noqa: E402  (the group is defined above; its commands join it here)

exam.add_command(grade)
from quizzer.cli.exam_scan import scan  # noqa: E402

exam.add_command(scan)
