"""``quizzer export moodle-xml|gift|anki OUT``: the bank and generated problems for Moodle or Anki."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import console, echo_json, json_option, lang_option, open_store_from, resolve_lang

FORMATS = {
    "moodle-xml": "quizzer.export.moodle_xml:write_moodle_xml",
    "gift": "quizzer.export.gift:write_gift",
    "anki": "quizzer.export.anki:write_anki",
}


@click.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--topic", "topics", multiple=True, metavar="SLUG", help="Only this topic (repeatable) [default: all].")
@click.option(
    "-n",
    "--count",
    default=3,
    show_default=True,
    type=click.IntRange(0, 100),
    help="Generated instances per problem family (0: bank items only).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the generated instances.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@lang_option
@json_option
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    out: Path,
    topics: tuple[str, ...],
    count: int,
    seed: int,
    force: bool,
    lang: str | None,
    as_json: bool,
) -> None:
    """Export bank items and generated problems as FORMAT (moodle-xml, gift, anki) to OUT.

    Moodle XML: multichoice, truefalse, shortanswer, numerical with tolerance,
    essay, and cloze for answers of several numbers. GIFT: the same, except
    answers of several numbers. Anki: one card per question (.apkg).
    Generated problems are a fixed set of COUNT instances per family (same
    seed, same instances), with their answers; explanations and worked
    solutions go in the feedback fields, typical mistakes as diagnosed answers.
    """
    import importlib

    from quizzer.export.common import check_output, collect

    lang = resolve_lang(lang)
    check_output(out, force=force)  # before any work: a refused overwrite costs nothing
    questions = collect(open_store_from(ctx), topics=list(topics) or None, count=count, seed=seed)
    module, attr = FORMATS[fmt].split(":")
    written = getattr(importlib.import_module(module), attr)(questions, out, lang, force=force)
    if as_json:
        echo_json({"format": fmt, "path": str(written.path), "counts": written.counts, "skipped": written.skipped})
        return
    from rich.text import Text

    from quizzer import messages as M

    term = console()
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(written.counts.items()))
    term.print(Text(M.EXPORT_WROTE.format(written.total, path=written.path, parts=parts).get(lang)))
    for reason, n in written.skipped.items():
        term.print(Text(M.EXPORT_LEFT_OUT.format(n=n, reason=reason).get(lang), style="yellow"))
