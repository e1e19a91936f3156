"""``quizzer quiz``: take a quiz in the terminal."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO

import click

from quizzer.cli.common import (
    KindChoice,
    bank_option,
    checked_bank,
    json_option,
    lang_option,
    open_store_from,
    pictures_option,
    resolve_lang,
)

# A line longer than this is not an answer: `--answers /dev/zero` would otherwise read until memory runs out.
# A pasted 10 MB line is still read (and cut to MAX_ANSWER_CHARS when graded).
MAX_LINE_BYTES = 16 * 2**20


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """Answer lines, read in bounded pieces; a line that is not UTF-8 comes as an UndecodableAnswer."""
    from quizzer.errors import QuizzerError
    from quizzer.grading.parse import UndecodableAnswer

    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise QuizzerError(
                f"line {number} of the answers file is longer than {MAX_LINE_BYTES >> 20} MiB; "
                "an answers file has one answer per line"
            )
        body = line.rstrip(b"\r\n")
        try:
            yield body.decode("utf-8")
        except UnicodeDecodeError:
            yield UndecodableAnswer(body.decode("utf-8", errors="replace"))


@click.command()
@click.option("--topic", "topics", multiple=True, metavar="SLUG", help="Only this topic (repeatable).")
@click.option("--kind", type=KindChoice(), help="Only this kind of question.")
@click.option("--family", metavar="FAMILY", help="Only generated problems of this family (see `quizzer families`).")
@click.option(
    "-d",
    "--difficulty",
    type=click.IntRange(1, 3),
    help="Only this difficulty (1–3) [default: each problem's level adapts to you].",
)
@click.option(
    "--target",
    type=click.FloatRange(0.3, 0.95),
    default=0.75,
    show_default=True,
    help="Success rate a generated problem's level aims at (higher: easier problems).",
)
@click.option("-n", "--count", default=10, show_default=True, type=click.IntRange(1, 500), help="Number of questions.")
@click.option("--seed", type=int, help="Seed for choosing and generating questions [default: a new one each time].")
@click.option("--profile", default="default", show_default=True, help="Learner profile whose history this adds to.")
@click.option("--resume", is_flag=True, help="Continue the profile's unfinished session instead of starting a new one.")
@click.option("--cram", is_flag=True, help="Practise freely: a random mix that does not change the review schedule.")
@click.option(
    "--answers",
    "answers_file",
    type=click.File("rb"),
    metavar="FILE|-",
    help="Read answers from FILE (or - for stdin), one line per question; unreadable lines are graded incorrect.",
)
@bank_option
@lang_option
@json_option
@pictures_option
@click.pass_context
def quiz(
    ctx: click.Context,
    topics: tuple[str, ...],
    kind: str | None,
    family: str | None,
    difficulty: int | None,
    target: float,
    count: int,
    seed: int | None,
    profile: str,
    resume: bool,
    cram: bool,
    answers_file: IO[bytes] | None,
    lang: str | None,
    bank: str,
    as_json: bool,
    no_pictures: bool,
) -> None:
    """Take a quiz: a mix of bank questions and generated numeric problems.

    What is due for review comes first (most-forgotten first), then your weakest
    topics, then a few new questions. Every answer is graded with an
    explanation: verdict, partial credit, the worked solution, and a diagnosis of
    the likely mistake. In the quiz, type ? for commands (hint, skip, quit).
    Every graded answer is saved at once; after Ctrl-C or quit,
    `quizzer quiz --resume` continues where you stopped.
    """
    _take(
        ctx,
        mode="cram" if cram else "quiz",
        topics=topics,
        kind=kind,
        family=family,
        difficulty=difficulty,
        target=target,
        count=count,
        seed=seed,
        profile=profile,
        resume=resume,
        answers_file=answers_file,
        lang=lang,
        as_json=as_json,
        no_pictures=no_pictures,
        bank=bank,
    )


@click.command()
@click.option("--topic", "topics", multiple=True, metavar="SLUG", help="Only this topic (repeatable).")
@click.option(
    "-n", "--count", default=20, show_default=True, type=click.IntRange(1, 500), help="At most this many questions."
)
@click.option("--profile", default="default", show_default=True, help="Learner profile.")
@click.option(
    "--answers",
    "answers_file",
    type=click.File("rb"),
    metavar="FILE|-",
    help="Read answers from FILE (or - for stdin), one line per question.",
)
@bank_option
@lang_option
@json_option
@pictures_option
@click.pass_context
def review(
    ctx: click.Context,
    topics: tuple[str, ...],
    count: int,
    profile: str,
    answers_file: IO[bytes] | None,
    bank: str,
    lang: str | None,
    as_json: bool,
    no_pictures: bool,
) -> None:
    """Review only what is due, most-forgotten first.

    Nothing due is good news, not an error: it is said (with when the next review is due) and the exit
    status is 0, so a daily `quizzer review` in a script or a cron job does not report a failure.
    """
    from quizzer.quiz.selection import NothingDue

    try:
        _take(
            ctx,
            mode="review",
            topics=topics,
            kind=None,
            family=None,
            difficulty=None,
            target=None,
            count=count,
            seed=None,
            profile=profile,
            resume=False,
            answers_file=answers_file,
            lang=lang,
            as_json=as_json,
            no_pictures=no_pictures,
            bank=bank,
        )
    except NothingDue as nothing:
        from quizzer import messages as msg

        if as_json:
            from quizzer.cli.common import echo_json

            echo_json({"due": 0, "next_due": nothing.next_due.isoformat() if nothing.next_due else None})
            return
        when = f"{nothing.next_due.astimezone():%Y-%m-%d %H:%M}" if nothing.next_due else None
        text = msg.NOTHING_DUE_UNTIL.format(when=when) if when else msg.NOTHING_DUE
        click.echo(text.get(resolve_lang(lang)))


def _take(
    ctx: click.Context,
    *,
    mode: str,
    topics: tuple[str, ...],
    kind: str | None,
    family: str | None,
    difficulty: int | None,
    target: float | None,
    count: int,
    seed: int | None,
    profile: str,
    resume: bool,
    answers_file: IO[bytes] | None,
    lang: str | None,
    as_json: bool,
    no_pictures: bool,
    bank: str,
) -> None:
    import secrets

    from rich.console import Console

    from quizzer.quiz.selection import QuizOptions
    from quizzer.quiz.session import QuizRun
    from quizzer.ui.quiz_loop import QuizLoop

    answers = None
    if answers_file is not None:
        # Read the first line before a session is created, so an answers file that is no such thing
        # (`/dev/zero`) fails with nothing stored.
        lines = _lines(answers_file)
        first = next(lines, None)
        answers = lines if first is None else itertools.chain([first], lines)
    store = open_store_from(ctx)
    if resume:
        run = QuizRun.resume(store, profile, lang=lang)
    else:
        from pydantic import ValidationError

        try:
            options = QuizOptions(
                topics=list(topics),
                kind=kind,
                family=family,
                difficulty=difficulty,
                count=count,
                seed=secrets.randbelow(2**31) if seed is None else seed,
                lang=resolve_lang(lang),
                profile=profile,
                bank=checked_bank(store, bank),
                **({} if target is None else {"target": target}),
            )
        except ValidationError as exc:
            raise click.UsageError("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None
        run = QuizRun.start(store, options, mode=mode)
    # With --json, stdout carries only the JSON document; the session itself goes to stderr.
    console = Console(stderr=as_json, highlight=False)
    from quizzer.ui.pictures import wanted

    loop = QuizLoop(run, console, answers=answers, pictures=wanted(console, no_pictures=no_pictures, as_json=as_json))
    summary = loop.play()
    if as_json:
        from quizzer.cli.common import echo_json

        echo_json(_results_json(run, summary))


def _results_json(run, summary) -> dict:
    lang = run.lang
    return {
        "session": summary.session_id,
        "finished": summary.finished,
        "score": round(summary.score, 4),
        "graded": summary.graded,
        "percent": round(summary.percent, 1),
        "results": [
            {
                "position": a.position + 1,
                "question": a.question.ref.key,
                "topic": a.question.topic,
                "kind": a.question.kind,
                "prompt": a.question.prompt.get(lang),
                "answer": a.raw,
                "parsed": None if a.result is None else a.result.parsed,
                "verdict": "skipped" if a.result is None else a.result.verdict,
                "score": 0.0 if a.result is None else a.result.score,
                "expected": None if a.result is None else a.result.expected.get(lang),
                "diagnosis": None if a.result is None else a.result.diagnosis,
                "hints_used": a.hints_used,
                "response_ms": a.response_ms,
                "feedback": [] if a.result is None else [line.text.get(lang) for line in a.result.feedback],
            }
            for a in run.answered
        ],
    }
