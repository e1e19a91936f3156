"""Markdown study notes → a quizzable bank, in one step.

``parse`` finds the questions whatever common shape the notes use, ``draft`` turns them into bank items
(open items, cloze and one-liner fill items), and this module validates them as a single-language bank
with free topics (the notes' chapters) and imports them into a named bank in one transaction, or writes
them as a draft bank file to edit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizzer.bank.notes.draft import Drafted, draft_question, notes_language, topic_of
from quizzer.bank.notes.parse import SHAPES, NoteQuestion, parse_notes
from quizzer.errors import BadParameters, BankError, BankProblem, NotFound, QuizzerError

if TYPE_CHECKING:
    from quizzer.bank.sync import SyncReport
    from quizzer.store.engine import Store

__all__ = ["SHAPES", "NoteQuestion", "NotesDraft", "draft_notes", "import_notes", "parse_notes", "read_notes"]

MAX_NOTES_BYTES = 5_000_000
SHOWN_LINES = 5  # lines of a file with no question that the error quotes


@dataclass
class NotesDraft:
    """The items drafted from one notes file and what was found in it."""

    source: Path
    lang: str
    drafted: list[Drafted]
    shapes: Counter = field(default_factory=Counter)  # questions found per shape
    kinds: Counter = field(default_factory=Counter)  # items drafted per kind ("fill" one-liners, "cloze", "open")
    report: SyncReport | None = None  # set once imported

    @property
    def items(self) -> list[dict[str, Any]]:
        return [item for d in self.drafted for item in d.items]

    def bank_file(self) -> dict[str, Any]:
        """The draft as a bank file mapping: its rules (one language, free topics) and its items."""
        return {"schema": 1, "langs": [self.lang], "topics": "free", "items": self.items}

    def yaml(self) -> str:
        import yaml

        header = (
            f"# Drafted by `quizzer notes import` from {self.source.name}: {sum(self.shapes.values())} questions,"
            f" {len(self.items)} items.\n# Edit freely (ids stay stable from the question text), then "
            "`quizzer bank import THIS.yaml --bank NAME`.\n"
        )
        # The loader refuses YAML aliases, so shared lists must never be written as anchors.
        dumper = type("NoAliases", (yaml.SafeDumper,), {"ignore_aliases": lambda self, data: True})
        return header + yaml.dump(self.bank_file(), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000)


def read_notes(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise QuizzerError(f"{path}: is a directory; name a markdown file") from None
    except OSError as exc:
        raise QuizzerError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_NOTES_BYTES:
        raise QuizzerError(f"{path}: over {MAX_NOTES_BYTES:,} bytes; split the notes into chapters")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizzerError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _no_questions(path: Path, markdown: str) -> QuizzerError:
    shown = [line[:80] for line in markdown.splitlines() if line.strip()][:SHOWN_LINES]
    quoted = " | ".join(shown) if shown else "(the file is empty)"
    looked = "; ".join(SHAPES.values())
    return QuizzerError(f"{path}: no question found. It begins: {quoted} — looked for {looked}")


def draft_notes(path: Path, *, bank: str = "notes", lang: str | None = None) -> NotesDraft:
    """Find the questions in the notes at ``path`` and draft their items (ids prefixed with ``bank``)."""
    markdown = read_notes(path)
    questions = parse_notes(markdown)
    if not questions:
        raise _no_questions(path, markdown)
    lang = lang or notes_language(markdown)
    fallback = _title(markdown) or path.stem
    drafted = [
        draft_question(q, bank=bank, lang=lang, topic=topic_of(q, fallback), source=path.name) for q in questions
    ]
    _unique_ids(drafted)
    draft = NotesDraft(path, lang, drafted)
    for d in drafted:
        draft.shapes[d.question.shape] += 1
        for item in d.items:
            draft.kinds["cloze" if item["kind"] == "fill" and d.question.shape != "oneliner" else item["kind"]] += 1
    return draft


def _title(markdown: str) -> str | None:
    """The document's title (its first heading, when that asks nothing) for questions under no chapter."""
    from quizzer.bank.notes.parse import _HEADING, inline_plain, is_question, strip_numbering

    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            title = inline_plain(heading.group(2))
            return None if is_question(strip_numbering(title)) else title or None
    return None


def _unique_ids(drafted: list[Drafted]) -> None:
    """The same question asked twice keeps its text-derived id the first time and gets -2, -3 … after."""
    seen: Counter = Counter()
    for d in drafted:
        for item in d.items:
            seen[item["id"]] += 1
            if seen[item["id"]] > 1:
                item["id"] = f"{item['id']}-{seen[item['id']]}"


def validate_draft(draft: NotesDraft) -> list:
    """The drafted items as validated ``LoadedItem``s, located at their question's line in the notes."""
    from pydantic import ValidationError

    from quizzer.bank.items import BankFile
    from quizzer.bank.loader import LoadedItem
    from quizzer.bank.schema import BankRules

    rules = BankRules(langs=(draft.lang,), free_topics=True)
    lines = [d.question.line for d in draft.drafted for _ in d.items]
    file = str(draft.source.resolve())
    try:
        bank = BankFile.model_validate(draft.bank_file(), context=rules.context())
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            line = lines[index] if index is not None and index < len(lines) else None
            item_id = draft.items[index]["id"] if index is not None and index < len(lines) else None
            field_path = ".".join(str(p) for p in loc[3:]) or None
            problems.append(BankProblem(str(draft.source), line, item_id, field_path, err["msg"]))
        raise BankError(problems) from None
    return [LoadedItem(item, file, line) for item, line in zip(bank.items, lines, strict=True)]


def import_notes(store: Store, path: Path, *, bank: str, lang: str | None = None) -> NotesDraft:
    """Draft, validate and import the notes at ``path`` into ``bank`` in one transaction.

    Re-importing edited notes updates items in place (ids come from the question text), keeps their
    history, and retires the items of questions no longer in the file.
    """
    from quizzer.bank.sync import DEFAULT_BANK, check_bank_name, import_loaded

    check_bank_name(bank)
    if bank == DEFAULT_BANK:
        raise BadParameters(f"notes go into a bank of their own: pick a name other than {DEFAULT_BANK!r} for --bank")
    draft = draft_notes(path, bank=bank, lang=lang)
    loaded = validate_draft(draft)
    draft.report = import_loaded(store, loaded, scope_files={str(path.resolve())}, bank=bank)
    return draft
