"""``quizzer notes import``: make a learner's markdown notes quizzable."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import open_store_from


@click.group()
def notes() -> None:
    """Turn markdown study notes into a question bank."""


@notes.command("import")
@click.argument("notes_file", metavar="NOTES.md", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--bank", metavar="NAME", help="Import into this bank (created if new; re-importing updates it).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a draft bank file here to edit, instead of importing.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), help="The notes' language [default: detected].")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.pass_context
def import_(
    ctx: click.Context, notes_file: Path, bank: str | None, output: Path | None, lang: str | None, force: bool
) -> None:
    """Find the questions in NOTES.md and import them as a bank (--bank NAME) or write a draft (-o FILE).

    Recognised: headings that ask (`### 3.1.1 神经网络组成？`, any level, numbered or bold), bold
    list-item questions, 问：/答： and Q:/A: pairs, and `question::answer` one-liners. Headings that ask
    nothing group the questions; chapter headings become topics. Each answer becomes an open item (one key
    point per list entry), each **bold** term a fill-in-the-blank item, each one-liner a fill item.
    Then: `quizzer quiz --bank NAME`.
    """
    from quizzer.bank.notes import draft_notes, import_notes

    if bank is not None and output is not None:
        raise click.UsageError("--bank imports and -o writes a draft to edit: use one of them")
    if bank is None:
        draft = draft_notes(notes_file, lang=lang)
        text = draft.yaml()
        if output is None:
            click.echo(text, nl=False)
            return
        from quizzer.outputs import write_output

        write_output(output, text.encode("utf-8"), force=force)
        click.echo(_summary(draft))
        click.echo(
            f"Wrote {len(draft.items)} draft items to {output}. "
            f"Next: edit it, then `quizzer bank import {output} --bank NAME`."
        )
        return
    draft = import_notes(open_store_from(ctx), notes_file, bank=bank, lang=lang)
    click.echo(_summary(draft))
    assert draft.report is not None
    click.echo(f"Bank {bank!r}: " + ", ".join(f"{n} {name}" for name, n in draft.report.counts().items()))
    click.echo(f"Next: quizzer quiz --bank {bank}")


def _summary(draft) -> str:
    from quizzer.bank.notes import SHAPES

    shapes = ", ".join(f"{draft.shapes[s]} {s}" for s in SHAPES if draft.shapes[s])
    kinds = ", ".join(
        f"{n} {kind}"
        for kind, n in sorted(
            draft.kinds.items(),
            key=lambda kv: ("open", "cloze", "fill").index(kv[0]) if kv[0] in ("open", "cloze", "fill") else 9,
        )
    )
    language = {"zh": "Chinese", "en": "English"}[draft.lang]
    topics = list(dict.fromkeys(item["topic"] for item in draft.items))
    shown = ", ".join(topics[:3]) + (f" and {len(topics) - 3} more" if len(topics) > 3 else "")
    return (
        f"{draft.source.name}: {sum(draft.shapes.values())} questions found ({shapes}); "
        f"{len(draft.items)} items drafted ({kinds}); {language} only; "
        f"{len(topics)} topic{'s' if len(topics) != 1 else ''}: {shown}."
    )
