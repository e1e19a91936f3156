"""``quizzer families | gen | solve | verify``: the numeric problem generator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from quizzer.cli.common import console, echo_json, json_option, lang_option, pictures_option, resolve_lang

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console

    from quizzer.text import BiText


@click.command()
@click.argument("family", required=False)
@lang_option
@json_option
def families(family: str | None, lang: str | None, as_json: bool) -> None:
    """List the numeric problem families, or FAMILY's parameters with an example command.

    \b
      quizzer families               every family: name, difficulties, answer type, what it asks
      quizzer families conv-output   its parameters: type, allowed range, default, meaning
    """
    if family is not None:
        show_family(family, lang, as_json=as_json)
        return
    from quizzer.generators.registry import all_families

    rows: list[dict[str, Any]] = [
        {
            "name": f.name,
            "topic": f.topic,
            "answer": f.answer_spec.kind,
            "difficulties": list(f.difficulties),
            "title": f.title.as_dict(),
        }
        for f in all_families()
    ]
    if as_json:
        echo_json(rows)
        return
    from quizzer.ui.families import family_list

    console().print(family_list(rows, resolve_lang(lang)))


def show_family(name: str, lang: str | None, *, as_json: bool = False, usage: str | None = None) -> None:
    """``families FAMILY`` and ``solve FAMILY --help``: the family's parameters, as JSON or for the terminal.

    With ``usage`` (``solve FAMILY --help``) the terminal listing adds the solve options that apply to FAMILY.
    """
    from quizzer.generators.describe import describe_family
    from quizzer.generators.registry import get_family

    fam = get_family(name)
    doc = describe_family(fam)
    if as_json:
        echo_json(doc.as_dict(lang))
        return
    from quizzer.ui.families import family_doc

    options = _solve_options(fam) if usage else ()
    console().print(family_doc(doc, resolve_lang(lang), usage=usage, options=options), crop=False)


def _solve_options(fam: Any) -> tuple[tuple[str, BiText], ...]:
    """``solve``'s options for this family: --layers-file and --all only where they apply (the stack families)."""
    from quizzer import messages as msg
    from quizzer.generators.netfile import layers_key
    from quizzer.generators.stack_table import TABLE_FAMILIES

    options: list[tuple[str, BiText]] = []
    if (key := layers_key(fam)) is not None:
        options.append(("--layers-file FILE", msg.OPT_LAYERS_FILE.format(key=key)))
    if fam.name in TABLE_FAMILIES:
        options.append(("--all", msg.OPT_ALL))
    options += [("--lang [zh|en]", msg.OPT_LANG), ("--json", msg.OPT_JSON), ("--no-pictures", msg.OPT_NO_PICTURES)]
    return tuple(options)


@click.command()
@click.argument("family")
@click.option("-n", "--count", default=1, show_default=True, type=click.IntRange(1, 10_000), help="How many problems.")
@click.option(
    "--seed", default=0, show_default=True, type=int, help="Seed: the same arguments always give the same problems."
)
@click.option(
    "-d", "--difficulty", default=1, show_default=True, type=click.IntRange(1, 3), help="1 friendly … 3 tricky."
)
@click.option("--no-solutions", is_flag=True, help="Print only the problems, without answers and solutions.")
@lang_option
@json_option
@pictures_option
def gen(
    family: str,
    count: int,
    seed: int,
    difficulty: int,
    no_solutions: bool,
    lang: str | None,
    as_json: bool,
    no_pictures: bool,
) -> None:
    """Generate COUNT seeded problems of FAMILY with answers and worked solutions.

    Output depends only on the arguments (byte-identical on every run and machine).
    Answers come from the closed form; `quizzer verify` checks it against torch.
    """
    from quizzer.generators.registry import generate
    from quizzer.generators.serialize import problem_to_dict, problem_to_text

    problems = generate(family, count=count, seed=seed, difficulty=difficulty)
    if as_json:
        echo_json([problem_to_dict(p, lang) for p in problems])
        return
    lang = resolve_lang(lang)
    from quizzer.ui.pictures import wanted

    out = console()
    if no_solutions or not wanted(out, no_pictures=no_pictures):  # the byte-identical text, as in a pipe
        click.echo(
            "\n\n".join(
                problem_to_text(p, lang, number=i + 1, solutions=not no_solutions) for i, p in enumerate(problems)
            )
        )
        return
    from quizzer.ui.pictures import show

    for i, p in enumerate(problems):
        click.echo(("\n" if i else "") + problem_to_text(p, lang, number=i + 1, solutions=True))
        show(out, p, lang)


def _parse_assignments(assignments: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"expected key=value, got {text!r} (e.g. kernel_size=3)")
        values[key.strip()] = value.strip()
    return values


class SolveCommand(click.Command):
    """``solve FAMILY --help`` shows FAMILY's parameters; ``solve --help`` alone keeps the general help.

    click acts on ``--help`` before it looks at the arguments, so the family is picked out of the raw words here.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        helps = set(self.get_help_option_names(ctx))
        if any(a in helps for a in args) and not ctx.resilient_parsing:
            family, lang, as_json = self._family_and_options(args, helps)
            if lang is not None:
                lang = click.Choice(["zh", "en"]).convert(lang, None, ctx)
            if family is not None:
                show_family(family, lang, as_json=as_json, usage=self.get_usage(ctx))
                ctx.exit()
        return super().parse_args(ctx, args)

    def _family_and_options(self, args: list[str], helps: set[str]) -> tuple[str | None, str | None, bool]:
        """The first positional word (the family), and ``--lang`` / ``--json`` among the options."""
        takes_value = {o for p in self.params if isinstance(p, click.Option) and not p.is_flag for o in p.opts}
        family, lang, as_json = None, None, False
        words = iter(args)
        for word in words:
            name, eq, value = word.partition("=")
            if name in takes_value:
                value = value if eq else next(words, "")
                lang = value if name == "--lang" else lang
            elif word == "--json":
                as_json = True
            elif not word.startswith("-") and family is None:
                family = word
            elif word == "--":
                family = family or next(words, None)
        return family, lang, as_json


@click.command(cls=SolveCommand)
@click.argument("family")
@click.argument("assignments", nargs=-1, metavar="KEY=VALUE...")
@click.option(
    "--layers-file",
    metavar="FILE",
    help="Read the layers from FILE: one layer per line, '#' comments (see examples/networks/).",
)
@click.option("--all", "show_all", is_flag=True, help="Show every row of a stack's per-layer table (folded past 40).")
@lang_option
@json_option
@pictures_option
def solve(
    family: str,
    assignments: tuple[str, ...],
    layers_file: str | None,
    show_all: bool,
    lang: str | None,
    as_json: bool,
    no_pictures: bool,
) -> None:
    """Solve an instance of FAMILY that you type in, e.g. your homework.

    Parameters use torch's own argument names:

    \b
      quizzer solve conv-output input_size=224 kernel_size=7 stride=2 padding=3
      quizzer solve pool-output input_size=7 kernel_size=2 stride=2 ceil_mode=true
      quizzer solve lr-schedule scheduler=multistep lr=0.1 milestones=30,80 gamma=0.1 step=85
      quizzer solve lr-schedule scheduler=sequential lr=0.1 milestones=5 step=20 \\
          schedulers='linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'
      quizzer solve adaptive-optimizer optimizer=adamw lr=0.01 amsgrad=true p0=1 grads=0.5,-0.2,0.1
      quizzer solve receptive-field layers='conv k=3; conv k=3; maxpool k=2 s=2'
      quizzer solve receptive-field --layers-file examples/networks/resnet50.txt
      quizzer solve conv-stack-shape input_shape=3,224,224 --layers-file examples/networks/vgg16.txt

    Prints the answer, the worked solution and torch's own computation of the same quantity.
    A family's parameters (type, allowed range, default, meaning, an example):
    `quizzer solve FAMILY --help` or `quizzer families FAMILY`.
    """
    from quizzer.generators.netfile import params_with_layers_file
    from quizzer.generators.registry import get_family
    from quizzer.generators.serialize import format_answer
    from quizzer.generators.stack_table import table_for
    from quizzer.generators.verification import check

    fam = get_family(family)
    params = params_with_layers_file(fam, _parse_assignments(assignments), layers_file)
    problem = fam.build(params, difficulty=0, seed=None)
    result = check(fam, params)
    if as_json:
        echo_json(
            {
                "family": fam.name,
                "params": problem.params,
                "answer": result.answer,
                "torch_answer": result.torch_answer,
                "agree": result.agree,
            }
        )
    else:
        from quizzer import messages as msg

        lang = resolve_lang(lang)
        say = _paragraphs(console())
        say(problem.prompt.get(lang))
        say(msg.label(msg.ANSWER, lang) + format_answer(problem))
        say(msg.heading(msg.SOLUTION, lang))
        for line in problem.solution.get(lang).splitlines():
            say(line, indent="  ")
        verdict = (msg.TORCH_AGREES if result.agree else msg.TORCH_DISAGREES).format(
            answer=format_answer(problem, result.torch_answer)
        )
        say(msg.label(msg.TORCH_CHECK, lang) + verdict.get(lang))
        if (table := table_for(fam.name, params)) is not None:
            from quizzer.ui.stack_table import show_stack_table

            show_stack_table(console(), table, lang, show_all=show_all)
        from quizzer.ui.pictures import show, wanted

        if wanted(out := console(), no_pictures=no_pictures):
            show(out, problem, lang)
    if not result.agree:
        from quizzer.errors import VerificationFailed

        raise VerificationFailed(
            f"{fam.name}: the closed form and torch disagree on this instance; its answer key cannot be trusted"
        )


def _paragraphs(out: Console) -> Callable[..., None]:
    """Print a paragraph: in a terminal wrapped at its width by the CJK-aware wrapper (a Chinese line breaks
    between characters, never inside a formula or a number, and hangs under its indent); piped, as it is."""
    if not out.is_terminal:

        def plain(text: str, indent: str = "") -> None:
            click.echo(indent + text)

        return plain
    from quizzer.ui.render import Wrapped

    def wrapped(text: str, indent: str = "") -> None:
        out.print(Wrapped(text, prefix=indent, indent=indent + "  " if indent else ""))

    return wrapped


@click.command()
@click.option("--family", "family_name", metavar="FAMILY", help="Only this family (default: all).")
@click.option(
    "--samples",
    default=100,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Random instances per family and difficulty.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for the random instances.")
@lang_option
@json_option
def verify(family_name: str | None, samples: int, seed: int, lang: str | None, as_json: bool) -> None:
    """Check every family's closed form against torch on random instances.

    Exit status 1 if any instance disagrees; the offending parameters are printed.
    """
    from quizzer.generators.verification import verify_all

    reports = verify_all(family=family_name, samples=samples, seed=seed)
    bad = [d for r in reports for d in r.disagreements]
    if as_json:
        echo_json(
            {
                "families": [
                    {
                        "family": r.family,
                        "samples": r.samples,
                        "agreements": r.agreements,
                        "max_rel_error": r.max_rel_error,
                        "seconds": round(r.seconds, 3),
                    }
                    for r in reports
                ],
                "disagreements": [d.__dict__ for d in bad],
            }
        )
    else:
        from rich.table import Table
        from rich.text import Text

        from quizzer import messages as msg

        lang = resolve_lang(lang)
        table = Table(title=msg.VERIFY_TITLE.format(seed=seed).get(lang))
        table.add_column(msg.FAMILY.get(lang))
        for col in (msg.VERIFY_SAMPLES, msg.VERIFY_AGREE, msg.VERIFY_MAX_ERROR, msg.VERIFY_SECONDS):
            table.add_column(col.get(lang), justify="right")
        for r in reports:
            style = None if r.ok else "bold red"
            table.add_row(
                r.family, str(r.samples), str(r.agreements), f"{r.max_rel_error:.2e}", f"{r.seconds:.2f}", style=style
            )
        total = sum(r.samples for r in reports)
        agree = sum(r.agreements for r in reports)
        seconds = sum(r.seconds for r in reports)
        table.add_row(msg.VERIFY_TOTAL.get(lang), str(total), str(agree), "", f"{seconds:.2f}", style="bold")
        out = console()
        out.print(table)
        for d in bad[:20]:
            # A Text object, not markup: the parameters are data and may hold brackets.
            line = msg.VERIFY_DISAGREEMENT.format(
                family=d.family,
                difficulty=d.difficulty,
                seed=d.seed,
                params=d.params,
                closed=repr(d.closed_form),
                torch=repr(d.torch_value),
            )
            out.print(Text.assemble((msg.VERIFY_DISAGREE.get(lang), "red"), " ", line.get(lang)))
    if bad:
        from quizzer.errors import VerificationFailed

        total = sum(r.samples for r in reports)
        raise VerificationFailed(
            f"the closed form and torch disagree on {len(bad)} of {total} instances (listed above)"
        )
