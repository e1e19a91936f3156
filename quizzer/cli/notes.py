"""``quizzer notes import``: draft bank items from markdown notes."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def notes() -> None:
    """Turn markdown study notes into draft bank items."""


@notes.command("import")
@click.argument("notes_file", metavar="NOTES.md", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the draft YAML here instead of stdout.",
)
@click.option("--id-prefix", default="notes", show_default=True, help="Prefix of the generated item ids.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def import_(notes_file: Path, output: Path | None, id_prefix: str, force: bool) -> None:
    """Draft one `open` item per `####` question in NOTES.md.

    Each section's numbered/bulleted points, `**term**：…` paragraphs and text
    under `#####` sub-headings become key points with Chinese keywords. The
    English side is left empty: fill it in, then `quizzer bank validate` the file.
    """
    from quizzer.bank.notes_import import import_notes

    text = import_notes(notes_file, id_prefix=id_prefix)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    output.write_text(text, encoding="utf-8")
    count = text.count("\n- id: ")
    click.echo(
        f"Wrote {count} draft items to {output}. Next: fill in the English text, then `quizzer bank validate {output}`."
    )
