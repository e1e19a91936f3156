"""Every command and group explains itself."""

from __future__ import annotations

import click
import pytest

from quizzer.cli.main import COMMANDS, cli


def _walk(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, ctx, (*prefix, name))


ALL = list(_walk(cli, click.Context(cli)))


def test_there_are_commands() -> None:
    names = {" ".join(path) for path, _ in ALL}
    assert {
        "bank validate",
        "bank import",
        "bank list",
        "bank show",
        "bank stats",
        "notes import",
        "families",
        "gen",
        "solve",
        "verify",
        "db info",
    } <= names


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) for p, _ in ALL])
def test_every_command_has_help(run, path) -> None:
    output = run(*path, "--help").output
    command = dict((p, c) for p, c in ALL)[path]
    assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} has no real help text"
    flat = " ".join(output.split())
    assert "Usage: " in output and " ".join(command.help.strip().splitlines()[0].split()) in flat


def test_lazy_help_matches_the_commands_own_help() -> None:
    for name, (_, short) in COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command.help.strip().splitlines()[0] == short, name


def test_root_help_lists_commands(run) -> None:
    output = run("--help").output
    assert all(name in output for name in COMMANDS)
