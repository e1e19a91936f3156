"""The interactive (or scripted) quiz loop in the terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from quizzer.errors import AnswerParseError
from quizzer.grading.grade import HINT_PENALTY, Result
from quizzer.grading.parse import MAX_ANSWER_CHARS, UndecodableAnswer, clean_answer
from quizzer.messages import ONE_LANGUAGE_ONLY, TOPIC_TITLES
from quizzer.quiz.question import GeneratedQuestion, Question
from quizzer.quiz.session import SELF_RATINGS, Answered, QuizRun, Summary
from quizzer.text import BiText
from quizzer.ui.render import Wrapped

HELP = BiText(
    "命令：? 或 help 显示本帮助；hint 给出下一条提示（先是概念，再是本题的第一步，最后是只差最后一步计算的解答；"
    "每条扣本题 1/4 的分，扣分前会先告诉你）；skip 跳过本题；"
    "quit 结束（之后用 quizzer quiz --resume 继续）。Ctrl-C 也会保存已作答的题目。",
    "Commands: ? or help shows this; hint gives the next hint (first the concept, then this problem's first step, then "
    "everything but the last arithmetic; each costs a quarter of the credit, and the cost is shown before you take it); "
    "skip skips this question; quit stops (continue later with quizzer quiz --resume). Ctrl-C also keeps every answer given.",
)
HINT_WORDS = ("hint", "提示")
TAKE_WORDS = (*HINT_WORDS, "y", "yes", "是")  # after a hint's cost is shown, these take it
STYLES = {"correct": "bold green", "partial": "bold yellow", "incorrect": "bold red", "void": "bold magenta"}
RATING_WORDS = {
    "again": "again",
    "a": "again",
    "1": "again",
    "重来": "again",
    "hard": "hard",
    "h": "hard",
    "2": "hard",
    "困难": "hard",
    "good": "good",
    "g": "good",
    "3": "good",
    "良好": "good",
    "easy": "easy",
    "e": "easy",
    "4": "easy",
    "简单": "easy",
}


class Ended(Exception):
    """The learner quit, pressed Ctrl-C, or input ran out."""


class QuizLoop:
    def __init__(
        self,
        run: QuizRun,
        console: Console,
        *,
        answers: Iterator[str] | None = None,
        ask: Callable[[str], str] | None = None,
        pictures: bool = False,
    ):
        self.run = run
        self.pictures = pictures  # draw a picture after a generated problem's worked solution
        self.out = console
        self.lang = run.lang
        self.answers = answers  # scripted mode: one line per question
        self.ask = ask or (lambda prompt: console.input(prompt))
        self.started = time.monotonic()

    def t(self, text: BiText) -> str:
        return text.get(self.lang)

    def read(self, prompt: str) -> str:
        if self.answers is not None:
            try:
                line, cut = clean_answer(next(self.answers))
            except StopIteration:
                raise Ended from None
            self.out.print(Text(prompt + line), highlight=False)
        else:
            try:
                line, cut = clean_answer(self.ask(prompt))
            except (EOFError, KeyboardInterrupt):
                self.out.print()
                raise Ended from None
        if cut:
            note = BiText(
                f"（答案过长，只保留前 {MAX_ANSWER_CHARS:,} 个字符）",
                f"(answer too long: only its first {MAX_ANSWER_CHARS:,} characters are kept)",
            )
            self.out.print(Text(self.t(note), style="cyan"))
        return line

    # --- rendering ------------------------------------------------------------------------------

    def show_question(self, q: Question) -> None:
        topic = self.t(TOPIC_TITLES[q.topic])
        header = f"{self.run.position + 1}/{self.run.total} · {topic} · {'★' * q.difficulty} · {self.t(q.kind_title)}"
        self.out.rule(escape(header), align="left")
        # Chinese has no spaces for rich to break at: every paragraph is wrapped by quizzer.textwrap_cjk.
        self.out.print(Wrapped(self.t(q.prompt)))
        if not q.prompt.has(self.lang):  # a one-language bank: say why the text is not in the chosen language
            self.out.print(Text(self.t(ONE_LANGUAGE_ONLY), style="dim"))
        for letter, option in zip(q.letters, q.options, strict=False):
            self.out.print(Wrapped(self.t(option), prefix=Text(f"  {letter}. ", style="bold"), indent="     "))
        form = BiText("答案形式：", "Answer form: ") + q.form
        self.out.print(Wrapped(self.t(form) + self.t(BiText("　（? 查看命令）", "  (? for commands)")), style="dim"))

    def show_result(self, result: Result, question: Question | None = None) -> None:
        for line in result.feedback:
            text = self.t(line.text)
            if line.kind == "verdict":
                self.out.print(Wrapped(text, style=STYLES.get(result.verdict, "bold")))
            elif line.kind == "diagnosis":
                self.out.print(
                    Wrapped(text, prefix=Text(self.t(BiText("诊断：", "Diagnosis: ")), style="bold magenta"))
                )
            elif line.kind in ("point-ok", "point-miss"):
                mark, style = ("✓", "green") if line.kind == "point-ok" else ("✗", "red")
                self.out.print(Wrapped(text, prefix=Text(f"  {mark} ", style=style), indent="    "))
            elif line.kind == "solution":
                self.out.print(Text(self.t(BiText("解答：", "Worked solution:")), style="bold"))
                for step in text.splitlines():
                    # A step's own indent is kept; its continuation lines hang two cells further in.
                    depth = 2 + len(step) - len(step.lstrip(" "))
                    self.out.print(Wrapped(step.lstrip(" "), prefix=" " * depth, indent=" " * (depth + 2)))
                if self.pictures and isinstance(question, GeneratedQuestion):
                    from quizzer.ui.pictures import show

                    show(self.out, question.problem, self.lang)
            elif line.kind == "explanation":
                self.out.print(Wrapped(text, prefix=Text(self.t(BiText("解析：", "Explanation: ")), style="bold")))
            elif line.kind == "correction":
                self.out.print(Wrapped(text, style="yellow"))
            else:
                self.out.print(Wrapped(text))
        if result.verdict in ("correct", "partial", "incorrect"):
            self.out.print(Text(self.t(BiText(f"得分 {result.score:.2f}", f"Score {result.score:.2f}")), style="dim"))

    def offer_hint(self, number: int, total: int) -> None:
        """The next hint's cost, before it is taken: what a right answer would still earn."""
        best = max(0.0, 1 - HINT_PENALTY * number)
        self.out.print(
            Wrapped(
                self.t(
                    BiText(
                        f"第 {number}/{total} 条提示要扣本题 {HINT_PENALTY:.0%} 的分（之后答对最多得 {best:.2f} 分）。"
                        "再输入 hint 查看，或直接作答。",
                        f"Hint {number} of {total} costs {HINT_PENALTY:.0%} of this question's credit (a right answer would then "
                        f"earn at most {best:.2f}). Type hint again to take it, or answer.",
                    )
                ),
                style="cyan",
            )
        )

    def show_hint(self, hint: BiText, number: int, total: int) -> None:
        label = BiText(f"提示 {number}/{total}：", f"Hint {number} of {total}: ")
        first, *rest = self.t(hint).splitlines() or [""]
        self.out.print(Wrapped(Text(first, style="cyan"), prefix=Text(self.t(label), style="bold cyan"), indent="  "))
        for line in rest:
            self.out.print(Wrapped(line, prefix="  ", indent="    ", style="cyan"))

    def show_summary(self, summary: Summary) -> None:
        self.out.rule(self.t(BiText("小结", "Summary")), align="left")
        status = (
            BiText("已完成", "finished")
            if summary.finished
            else BiText("未完成 —— 用 quizzer quiz --resume 继续", "not finished — continue with quizzer quiz --resume")
        )
        self.out.print(
            Wrapped(
                self.t(
                    BiText(
                        f"第 {summary.session_id} 次练习（{status.zh}）：得分 {summary.score:.2f}/{summary.graded}（{summary.percent:.0f}%），"
                        f"作答 {summary.answered} 题，跳过 {summary.skipped} 题，用时 {summary.seconds:.0f} 秒。",
                        f"Session {summary.session_id} ({status.en}): score {summary.score:.2f}/{summary.graded} ({summary.percent:.0f}%), "
                        f"{summary.answered} answered, {summary.skipped} skipped, {summary.seconds:.0f} s answering.",
                    )
                )
            )
        )
        if summary.by_topic:
            table = Table(show_edge=False)
            table.add_column(self.t(BiText("主题", "topic")))
            table.add_column(self.t(BiText("题数", "graded")), justify="right")
            table.add_column(self.t(BiText("得分", "score")), justify="right")
            for topic, (n, score) in sorted(summary.by_topic.items()):
                table.add_row(self.t(TOPIC_TITLES[topic]), str(n), f"{score:.2f} ({100 * score / n:.0f}%)")
            self.out.print(table)
        if summary.review:
            self.out.print(Text(self.t(BiText("需要复习：", "To review:")), style="bold"))
            marks = {"incorrect": "✗", "partial": "½", "skipped": "–"}
            for key, verdict, prompt in summary.review:
                first = self.t(prompt).splitlines()[0] if self.t(prompt) else ""
                label = key.split(":")[1] if key.startswith("gen:") else key.removeprefix("bank:")
                line = Text(f"  {marks.get(verdict, '?')} {label}  {first}", no_wrap=True, overflow="ellipsis")
                self.out.print(line)

    # --- the loop ---------------------------------------------------------------------------------

    def ask_one(self, q: Question) -> Answered:
        hints = q.hints()
        used = 0
        offered = False  # the next hint's cost is on screen: `hint` again takes it
        shown_at = time.monotonic()
        while True:
            raw = self.read("> ")
            command = raw.strip().lower()
            if offered and command in TAKE_WORDS:
                offered = False
                used += 1
                self.show_hint(hints[used - 1], used, len(hints))
                continue
            offered = False
            if command in ("?", "help", "h", "？", "帮助"):
                self.out.print(Wrapped(self.t(HELP), style="cyan"))
                continue
            if command in ("quit", "exit", "q", "退出"):
                raise Ended
            if command in ("skip", "s", "跳过"):
                return self.run.skip(response_ms=_ms(shown_at))
            if command in HINT_WORDS:
                if used < len(hints):
                    self.offer_hint(used + 1, len(hints))
                    offered = True
                else:
                    none = (
                        BiText("没有更多提示了。", "No more hints.")
                        if hints
                        else BiText("本题没有提示。", "This question has no hints.")
                    )
                    self.out.print(Text(self.t(none), style="cyan"))
                continue
            if isinstance(raw, UndecodableAnswer):
                error = AnswerParseError("the line is not valid UTF-8 text")
                return self.run.submit_unreadable(raw, error, hints_used=used, response_ms=_ms(shown_at))
            if not raw.strip():
                self.out.print(
                    Text(
                        self.t(BiText("请输入答案，或 ? 查看命令。", "Type an answer, or ? for commands.")),
                        style="cyan",
                    )
                )
                if self.answers is None:
                    continue
            try:
                return self.run.submit(raw, hints_used=used, response_ms=_ms(shown_at))
            except AnswerParseError as exc:
                if self.answers is not None:
                    return self.run.submit_unreadable(raw, exc, hints_used=used, response_ms=_ms(shown_at))
                hint = self.t(exc.hint) if exc.hint is not None else ""
                self.out.print(Wrapped(f"{exc} — {hint}", style="cyan"))

    def self_rate(self, answered: Answered) -> None:
        if self.answers is not None or not answered.question.self_rated or answered.result is None:
            return
        prompt = self.t(
            BiText("自评（again/hard/good/easy，回车跳过）：", "Rate yourself (again/hard/good/easy, Enter to skip): ")
        )
        while True:
            word = self.read(prompt).strip().lower()
            if not word:
                return
            rating = RATING_WORDS.get(word)
            if rating in SELF_RATINGS:
                self.run.rate(answered.attempt_id, rating)
                return
            self.out.print(
                Text(
                    self.t(BiText("请输入 again、hard、good 或 easy。", "Type again, hard, good or easy.")),
                    style="cyan",
                )
            )

    def play(self) -> Summary:
        try:
            first = True
            while (q := self.run.current) is not None:
                self.show_question(q)
                if first:
                    self.run.verifier.start()  # after the first question is on screen: torch loads while the learner reads
                    first = False
                answered = self.ask_one(q)
                if answered.result is None:
                    self.out.print(Text(self.t(BiText("已跳过。", "Skipped.")), style="dim"))
                else:
                    self.show_result(answered.result, q)
                    self.self_rate(answered)
        except Ended:
            self.run.finish()
        summary = self.run.summary()
        self.show_summary(summary)
        return summary


def _ms(since: float) -> int:
    return int((time.monotonic() - since) * 1000)
