"""``quizzer grade``: one answer against one bank item or one generated problem; nothing is stored."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from quizzer.grading.single import GradedAnswer

from quizzer.cli.common import echo_json, json_option, lang_option, resolve_lang


@click.command()
@click.argument("target", metavar="ITEM-ID|FAMILY")
@click.argument("rest", nargs=-1, metavar="[KEY=VALUE...] ANSWER")
@click.option(
    "-p",
    "--params",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter of the FAMILY's problem (repeatable; more KEY=VALUE may follow as arguments).",
)
@click.option(
    "--bank",
    "bank_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also look for ITEM-ID in these bank files or directories (repeatable).",
)
@lang_option
@json_option
def grade(
    target: str,
    rest: tuple[str, ...],
    assignments: tuple[str, ...],
    bank_paths: tuple[Path, ...],
    lang: str | None,
    as_json: bool,
) -> None:
    """Grade ANSWER against a bank item or a generated problem: verdict, score, feedback, diagnosis.

    Nothing is stored and no database is opened: the same answer always gets the same result.

    \b
      quizzer grade rf-pool-doubles-tf false
      quizzer grade res-open-meaning "The skip connection adds the identity ..." --lang en
      quizzer grade conv-output --params input_size=224 kernel_size=7 stride=2 padding=3 112
      quizzer grade pool-output -p input_size=7 -p kernel_size=2 -p ceil_mode=true 4 --json

    ANSWER is the last argument (quote it if it has spaces; '-' reads it from standard input). The exit
    status is 0 for any graded answer (the verdict is in the output), 1 for an answer that cannot be read,
    2 for an unknown item, family or parameter.
    """
    from quizzer.cli.generate import _parse_assignments
    from quizzer.grading.single import grade_one

    if not rest:
        raise click.UsageError("missing ANSWER (the last argument)")
    *extra, answer = rest
    if answer == "-":
        answer = sys.stdin.read().strip()
    if extra and not all("=" in word for word in extra):
        raise click.UsageError(
            f"expected one ANSWER after {target}; quote an answer that has spaces: {' '.join(rest)!r}"
        )
    params = _parse_assignments(assignments + tuple(extra))
    graded = grade_one(target, answer, params=params or None, bank_paths=list(bank_paths))
    if as_json:
        echo_json(graded.to_dict(lang))
    else:
        click.echo(_as_text(graded, resolve_lang(lang)))


def _as_text(graded: GradedAnswer, lang: str) -> str:
    """Plain text, the same on every terminal: the verdict, score and diagnosis first, then the feedback."""
    from quizzer import messages as msg
    from quizzer.text import BiText

    r = graded.result
    lines: list[str] = []
    for line in r.feedback:
        text = line.text.get(lang)
        if line.kind == "verdict":
            lines.append(text)
            lines.append(BiText("得分：", "Score: ").get(lang) + f"{r.score:.2f}")
        elif line.kind == "diagnosis":
            lines.append(
                BiText("诊断（", "Diagnosis (").get(lang) + f"{r.diagnosis}" + BiText("）：", "): ").get(lang) + text
            )
        elif line.kind in ("point-ok", "point-miss"):
            lines.append(("  ✓ " if line.kind == "point-ok" else "  ✗ ") + text)
        elif line.kind == "solution":
            lines.append(msg.heading(msg.SOLUTION, lang))
            lines.extend("  " + step for step in text.splitlines())
        elif line.kind == "explanation":
            lines.append(msg.label(msg.EXPLANATION, lang) + text)
        else:
            lines.append(text)
    return "\n".join(lines)
