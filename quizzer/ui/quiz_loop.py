"""The interactive (or scripted) quiz loop in the terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from quizzer.errors import AnswerParseError
from quizzer.grading.grade import Result
from quizzer.grading.parse import MAX_ANSWER_CHARS, UndecodableAnswer, clean_answer
from quizzer.messages import TOPIC_TITLES
from quizzer.quiz.question import Question
from quizzer.quiz.session import SELF_RATINGS, Answered, QuizRun, Summary
from quizzer.text import BiText

HELP = BiText(
    "命令：? 或 help 显示本帮助；hint 显示解答的下一步（每次扣 1/4 分）；skip 跳过本题；"
    "quit 结束（之后用 quizzer quiz --resume 继续）。Ctrl-C 也会保存已作答的题目。",
    "Commands: ? or help shows this; hint shows the next step of the solution (each costs a quarter of the credit); "
    "skip skips this question; quit stops (continue later with quizzer quiz --resume). Ctrl-C also keeps every answer given.",
)
STYLES = {"correct": "bold green", "partial": "bold yellow", "incorrect": "bold red", "void": "bold magenta"}
RATING_WORDS = {
    "again": "again", "a": "again", "1": "again", "重来": "again",
    "hard": "hard", "h": "hard", "2": "hard", "困难": "hard",
    "good": "good", "g": "good", "3": "good", "良好": "good",
    "easy": "easy", "e": "easy", "4": "easy", "简单": "easy",
}


class Ended(Exception):
    """The learner quit, pressed Ctrl-C, or input ran out."""


class QuizLoop:
    def __init__(self, run: QuizRun, console: Console, *, answers: Iterator[str] | None = None,
                 ask: Callable[[str], str] | None = None):
        self.run = run
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
            note = BiText(f"（答案过长，只保留前 {MAX_ANSWER_CHARS:,} 个字符）",
                          f"(answer too long: only its first {MAX_ANSWER_CHARS:,} characters are kept)")
            self.out.print(Text(self.t(note), style="cyan"))
        return line

    # --- rendering ------------------------------------------------------------------------------

    def show_question(self, q: Question) -> None:
        topic = self.t(TOPIC_TITLES[q.topic])
        header = f"{self.run.position + 1}/{self.run.total} · {topic} · {'★' * q.difficulty} · {self.t(q.kind_title)}"
        self.out.rule(escape(header), align="left")
        self.out.print(Text(self.t(q.prompt)))
        if not q.prompt.has(self.lang):  # a one-language bank: say why the text is not in the chosen language
            self.out.print(Text(self.t(BiText("（此题只有英文）", "(this question is written in Chinese only)")), style="dim"))
        for letter, option in zip(q.letters, q.options):
            self.out.print(Text.assemble((f"  {letter}. ", "bold"), self.t(option)))
        form = BiText("答案形式：", "Answer form: ") + q.form
        self.out.print(Text(self.t(form) + self.t(BiText("　（? 查看命令）", "  (? for commands)")), style="dim"))

    def show_result(self, result: Result) -> None:
        for line in result.feedback:
            text = self.t(line.text)
            if line.kind == "verdict":
                self.out.print(Text(text, style=STYLES.get(result.verdict, "bold")))
            elif line.kind == "diagnosis":
                self.out.print(Text.assemble((self.t(BiText("诊断：", "Diagnosis: ")), "bold magenta"), text))
            elif line.kind in ("point-ok", "point-miss"):
                mark, style = ("✓", "green") if line.kind == "point-ok" else ("✗", "red")
                self.out.print(Text.assemble((f"  {mark} ", style), text))
            elif line.kind == "solution":
                self.out.print(Text(self.t(BiText("解答：", "Worked solution:")), style="bold"))
                for step in text.splitlines():
                    self.out.print(Text("  " + step))
            elif line.kind == "explanation":
                self.out.print(Text.assemble((self.t(BiText("解析：", "Explanation: ")), "bold"), text))
            elif line.kind == "correction":
                self.out.print(Text(text, style="yellow"))
            else:
                self.out.print(Text(text))
        if result.verdict in ("correct", "partial", "incorrect"):
            self.out.print(Text(self.t(BiText(f"得分 {result.score:.2f}", f"Score {result.score:.2f}")), style="dim"))

    def show_summary(self, summary: Summary) -> None:
        self.out.rule(self.t(BiText("小结", "Summary")), align="left")
        status = BiText("已完成", "finished") if summary.finished else BiText(
            "未完成 —— 用 quizzer quiz --resume 继续", "not finished — continue with quizzer quiz --resume")
        self.out.print(self.t(BiText(
            f"第 {summary.session_id} 次练习（{status.zh}）：得分 {summary.score:.2f}/{summary.graded}（{summary.percent:.0f}%），"
            f"作答 {summary.answered} 题，跳过 {summary.skipped} 题，用时 {summary.seconds:.0f} 秒。",
            f"Session {summary.session_id} ({status.en}): score {summary.score:.2f}/{summary.graded} ({summary.percent:.0f}%), "
            f"{summary.answered} answered, {summary.skipped} skipped, {summary.seconds:.0f} s answering.",
        )))
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
        shown_at = time.monotonic()
        while True:
            raw = self.read("> ")
            command = raw.strip().lower()
            if command in ("?", "help", "h", "？", "帮助"):
                self.out.print(Text(self.t(HELP), style="cyan"))
                continue
            if command in ("quit", "exit", "q", "退出"):
                raise Ended
            if command in ("skip", "s", "跳过"):
                return self.run.skip(response_ms=_ms(shown_at))
            if command in ("hint", "提示"):
                if used < len(hints):
                    self.out.print(Text(self.t(BiText("提示：", "Hint: ") + hints[used]), style="cyan"))
                    used += 1
                else:
                    self.out.print(Text(self.t(BiText("没有更多提示了。", "No more hints.")), style="cyan"))
                continue
            if isinstance(raw, UndecodableAnswer):
                error = AnswerParseError("the line is not valid UTF-8 text")
                return self.run.submit_unreadable(raw, error, hints_used=used, response_ms=_ms(shown_at))
            if not raw.strip():
                self.out.print(Text(self.t(BiText("请输入答案，或 ? 查看命令。", "Type an answer, or ? for commands.")), style="cyan"))
                if self.answers is None:
                    continue
            try:
                return self.run.submit(raw, hints_used=used, response_ms=_ms(shown_at))
            except AnswerParseError as exc:
                if self.answers is not None:
                    return self.run.submit_unreadable(raw, exc, hints_used=used, response_ms=_ms(shown_at))
                hint = self.t(exc.hint) if exc.hint is not None else ""
                self.out.print(Text(f"{exc} — {hint}", style="cyan"))

    def self_rate(self, answered: Answered) -> None:
        if self.answers is not None or not answered.question.self_rated or answered.result is None:
            return
        prompt = self.t(BiText("自评（again/hard/good/easy，回车跳过）：", "Rate yourself (again/hard/good/easy, Enter to skip): "))
        while True:
            word = self.read(prompt).strip().lower()
            if not word:
                return
            rating = RATING_WORDS.get(word)
            if rating in SELF_RATINGS:
                self.run.rate(answered.attempt_id, rating)
                return
            self.out.print(Text(self.t(BiText("请输入 again、hard、good 或 easy。", "Type again, hard, good or easy.")), style="cyan"))

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
                    self.show_result(answered.result)
                    self.self_rate(answered)
        except Ended:
            self.run.finish()
        summary = self.run.summary()
        self.show_summary(summary)
        return summary


def _ms(since: float) -> int:
    return int((time.monotonic() - since) * 1000)
