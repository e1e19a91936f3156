"""The ``quizzer`` command. Sub-commands are imported only when run, so ``--help`` stays fast."""

from __future__ import annotations

import importlib

import click

from quizzer import __version__

# name -> (module:attribute, one-line help shown by `quizzer --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "quiz": ("quizzer.cli.quiz:quiz", "Take a quiz: a mix of bank questions and generated numeric problems."),
    "bank": ("quizzer.cli.bank:bank", "Validate, import and browse question banks (YAML files, one per topic)."),
    "notes": ("quizzer.cli.notes:notes", "Turn markdown study notes into a question bank."),
    "families": (
        "quizzer.cli.generate:families",
        "List the numeric problem families, or FAMILY's parameters with an example command.",
    ),
    "gen": ("quizzer.cli.generate:gen", "Generate COUNT seeded problems of FAMILY with answers and worked solutions."),
    "solve": ("quizzer.cli.generate:solve", "Solve an instance of FAMILY that you type in, e.g. your homework."),
    "verify": ("quizzer.cli.generate:verify", "Check every family's closed form against torch on random instances."),
    "grade": (
        "quizzer.cli.grade:grade",
        "Grade ANSWER against a bank item or a generated problem: verdict, score, feedback, diagnosis.",
    ),
    "db": ("quizzer.cli.db:db", "Show where data lives; upgrade, back up, restore and check the database."),
    "review": ("quizzer.cli.quiz:review", "Review only what is due, most-forgotten first."),
    "due": (
        "quizzer.cli.progress:due",
        "Count what is due for review: now, by the end of today, and on each of the next 7 days.",
    ),
    "progress": ("quizzer.cli.progress:progress", "Show progress per topic and per problem family."),
    "exam": (
        "quizzer.cli.exam:exam",
        "Print exams: randomized versions with answer keys, and grade the filled answers.",
    ),
    "history": (
        "quizzer.cli.progress:history",
        "List past sessions, or the answers of one; export answers as CSV or JSON.",
    ),
    "export": (
        "quizzer.cli.export:export",
        "Export bank items and generated problems as FORMAT (moodle-xml, gift, anki) to OUT.",
    ),
}


class LazyGroup(click.Group):
    """A group whose sub-commands live in modules imported on first use."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            target, _ = self.lazy[name]
            module_name, attr = target.split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        from quizzer.errors import QuizzerError

        try:
            return super().invoke(ctx)
        except QuizzerError as exc:
            from quizzer.cli.errors import to_click

            raise to_click(exc) from None
        except Exception as exc:
            # A database fault can surface from any command (a damaged page is only found when read):
            # translate it once, here, instead of in every command. Anything else is a bug: let it show.
            from quizzer.cli.errors import database_fault, to_click

            fault = database_fault(exc, (ctx.obj or {}).get("db_url"))
            if fault is None:
                raise
            raise to_click(fault) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        rows += [(name, cmd.get_short_help_str(60)) for name, cmd in sorted(self.commands.items())]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Data lives in $QUIZZER_HOME (default: your user data directory); see `quizzer db info`.",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="QUIZZER_DB",
    help="SQLAlchemy database URL or SQLite file path [env: QUIZZER_DB; default: SQLite in the data home].",
)
@click.version_option(__version__, prog_name="quizzer")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """quizzer: practise deep learning in the terminal.

    Question banks written from the study notes, numeric problems whose answers
    are checked by torch, and graded answers with explanations.
    """
    ctx.obj = {"db_url": db_url}


def main() -> None:
    cli(prog_name="quizzer")
