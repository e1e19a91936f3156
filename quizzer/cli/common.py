"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from quizzer.store.engine import Store


def lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default=None,
        help="Language of the text shown [default: from the locale; Chinese unless it is English].",
    )(func)


def bank_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--bank",
        "bank",
        default="bundled",
        show_default=True,
        metavar="NAME",
        help="Which bank: the bundled one, or a bank made by `quizzer notes import … --bank NAME`.",
    )(func)


def checked_bank(store: Store, bank: str) -> str:
    """``bank`` after checking that the store has it (the default bank always exists)."""
    from quizzer.bank.sync import DEFAULT_BANK

    if bank != DEFAULT_BANK:
        from quizzer.bank.catalog import check_bank_exists

        check_bank_exists(store, bank)
    return bank


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of tables.")(func)


def pictures_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-pictures",
        is_flag=True,
        help="Do not draw pictures in explanations (they are drawn only on a terminal, never with --json).",
    )(func)


def resolve_lang(lang: str | None) -> str:
    if lang:
        return lang
    from quizzer.text import default_lang

    return default_lang()


def open_store_from(ctx: click.Context, *, sync_bank: bool = True) -> Store:
    """The store named by --db/QUIZZER_DB (or the default), with the bundled bank synced in."""
    from quizzer.store.engine import open_store

    root = ctx.find_root()
    store = open_store((root.obj or {}).get("db_url"))
    if sync_bank:
        from quizzer.bank.sync import sync_bundled

        sync_bundled(store)
    ctx.call_on_close(store.close)
    return store


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


class KindChoice(click.Choice):
    """``--kind``: one of the bank's question kinds, looked up when the option is parsed or its help shown.

    The kinds are defined by their modules (``quizzer.grading.kinds``), which load pydantic; looking
    them up lazily keeps loading a command module cheap and means a new kind needs no CLI change.
    """

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from quizzer.bank.schema import KINDS

        return KINDS

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # click.Choice.__init__ stores its argument; the kinds are never stored
