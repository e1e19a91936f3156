"""``quizzer bank …``: validate, import, list, show, stats."""

from __future__ import annotations

from pathlib import Path

import click

from quizzer.cli.common import (
    KindChoice,
    bank_option,
    checked_bank,
    console,
    echo_json,
    json_option,
    lang_option,
    open_store_from,
    resolve_lang,
)

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _paths_or_bundled(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return list(paths)
    from quizzer.resources import bundled_questions_dir

    return [bundled_questions_dir()]


@click.group()
def bank() -> None:
    """Validate, import and browse question banks (YAML files, one per topic)."""


@bank.command()
@PATHS
@lang_option
def validate(paths: tuple[Path, ...], lang: str | None) -> None:
    """Check bank files without importing anything.

    PATHS are YAML files or directories of them (default: the bundled bank).
    Every problem is printed as file:line: item-id: field: message; exit status 1 if any.
    A fill or numeric item without a hint is a warning (on stderr), not a problem.
    """
    from quizzer import messages as M
    from quizzer.bank.loader import load_bank
    from quizzer.grading.kinds import missing_hints

    items = load_bank(_paths_or_bundled(paths))
    files = len({i.file for i in items})
    lacking = {id(item) for item in missing_hints([i.item for i in items])}
    for loaded in items:
        if id(loaded.item) in lacking:
            # A warning, not an error: the item is valid; its author should still write the first hint.
            click.echo(
                f"{loaded.file}:{loaded.line}: {loaded.item.id}: hint: warning: no hint "
                f"(a {loaded.item.kind} item's first hint is written by its author)",
                err=True,
            )
    counts = {"items": M.BANK_ITEMS.format(len(items)), "files": M.BANK_FILES.format(files)}
    valid = M.BANK_VALID_HINTS.format(**counts, missing=len(lacking)) if lacking else M.BANK_VALID.format(**counts)
    click.echo(valid.get(resolve_lang(lang)))


@bank.command("import")
@PATHS
@click.option("--replace", is_flag=True, help="Let items in PATHS replace bundled items that have the same id.")
@bank_option
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...], replace: bool, bank: str) -> None:
    """Import bank files into the database in one transaction.

    Idempotent: items are matched by id and content hash. A changed item keeps
    its id (and its history) and gets a new version; items that a re-imported
    file no longer holds are retired. With no PATHS, re-syncs the bundled bank.
    """
    from quizzer.bank.sync import SyncReport, import_files, sync_bundled

    # With PATHS, the bundled bank is synced first so that a user item reusing a bundled id is caught.
    store = open_store_from(ctx, sync_bank=bool(paths))
    report: SyncReport | None
    if paths:
        report = import_files(store, list(paths), replace_bundled=replace, bank=bank)
    else:
        report = sync_bundled(store, force=True)
    assert report is not None  # sync_bundled returns None only when it skips, and force=True never skips
    counts = report.counts()
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))
    for name in ("added", "changed", "retired"):
        ids = getattr(report, name)
        if ids and len(ids) <= 20:
            click.echo(f"  {name}: {', '.join(ids)}")


@bank.command("list")
@click.option("--topic", help="Only this topic (a slug, see `quizzer bank stats`).")
@click.option("--kind", type=KindChoice(), help="Only this kind.")
@bank_option
@lang_option
@json_option
@click.pass_context
def list_(ctx: click.Context, topic: str | None, kind: str | None, bank: str, lang: str | None, as_json: bool) -> None:
    """List the bank's active items: id, topic, kind, difficulty and prompt."""
    from quizzer import messages as M
    from quizzer.bank.catalog import list_items

    store = open_store_from(ctx)
    records = list_items(store, topic=topic, kind=kind, bank=checked_bank(store, bank))
    lang = resolve_lang(lang)
    if as_json:
        echo_json(
            [
                {
                    "id": r.item.id,
                    "topic": r.item.topic,
                    "kind": r.item.kind,
                    "difficulty": r.item.difficulty,
                    "version": r.version,
                    "prompt": r.item.prompt.get(lang),
                }
                for r in records
            ]
        )
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=False)
    for col in (M.BANK_ID, M.TOPIC, M.BANK_KIND, M.BANK_DIFFICULTY, M.BANK_PROMPT):
        table.add_column(col.get(lang), overflow="fold")
    for r in records:
        prompt = r.item.prompt.get(lang).replace("\n", " ")
        # Prompts come from bank files: a "[/bold]" in one must print as itself, not as rich markup.
        table.add_row(
            Text(r.item.id),
            r.item.topic,
            r.item.kind,
            str(r.item.difficulty),
            Text(prompt[:70] + ("…" if len(prompt) > 70 else "")),
        )
    out = console()
    out.print(table)
    out.print(M.BANK_ITEMS.format(len(records)).get(lang))


@bank.command()
@click.argument("item_id", metavar="ID")
@lang_option
@json_option
@click.pass_context
def show(ctx: click.Context, item_id: str, lang: str | None, as_json: bool) -> None:
    """Show one item in full: prompt, options, answer, explanation, notes correction."""
    from quizzer.bank.catalog import get_item

    record = get_item(open_store_from(ctx), item_id)
    if as_json:
        echo_json({"version": record.version, "source_file": record.source_file, **record.item.model_dump(mode="json")})
        return
    from quizzer.ui.render import render_item

    console().print(render_item(record.item, resolve_lang(lang), version=record.version))


@bank.command()
@bank_option
@lang_option
@json_option
@click.pass_context
def stats(ctx: click.Context, bank: str, lang: str | None, as_json: bool) -> None:
    """Count the bank's active items per topic and kind."""
    from quizzer import messages as M
    from quizzer.bank.catalog import bank_stats
    from quizzer.bank.schema import KINDS

    store = open_store_from(ctx)
    result = bank_stats(store, checked_bank(store, bank))
    if as_json:
        echo_json(
            {
                "total": result.total,
                "retired": result.retired,
                "by_topic": result.by_topic(),
                "by_kind": result.by_kind(),
                "counts": {t: {k: result.counts.get((t, k), 0) for k in KINDS} for t in result.topics()},
            }
        )
        return
    from rich import box
    from rich.table import Table

    from quizzer.grading.kinds import REGISTRY

    lang = resolve_lang(lang)
    total = M.BANK_TOTAL.get(lang)
    table = Table(
        title=M.BANK_TITLE.get(lang), box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True
    )
    table.add_column(M.TOPIC.get(lang), no_wrap=True)
    for kind in KINDS:
        header = REGISTRY[kind].short or kind
        table.add_column(header, justify="right", min_width=len(header))
    table.add_column(total, justify="right", style="bold", min_width=5)
    for topic in result.topics():
        row = [result.counts.get((topic, k), 0) for k in KINDS]
        table.add_row(topic, *(str(n) if n else "·" for n in row), str(sum(row)))
    kinds = result.by_kind()
    table.add_row(total, *(str(kinds[k]) for k in KINDS), str(result.total), style="bold")
    out = console()
    out.print(table)
    topics_used = sum(1 for n in result.by_topic().values() if n)
    summary = M.BANK_SUMMARY.format(
        items=M.BANK_ITEMS.format(result.total),
        topics=M.BANK_TOPICS.format(topics_used),
        kinds=M.BANK_KINDS.format(sum(1 for n in kinds.values() if n)),
    )
    if result.retired:
        summary += M.BANK_RETIRED.format(n=result.retired)
    out.print(summary.get(lang))
