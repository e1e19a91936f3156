"""The hostile-input catalogue: every fault is one clear line, the right exit status, and nothing stored changes.

One table, one row per case (issue 14 §2 and the cases that already held). Each row names the command,
the expected ``ExitStatus``, the words the learner must see; the runner (tests/hostile_support.py) also
checks that no traceback is printed and that the seeded database's rows are unchanged.

Running as root (as CI does) weakens permission bits: root reads a chmod-000 file. Those rows are
skipped as root; the same code path is exercised by a twin row that makes the operating system refuse
for real (a directory where the database file should be; ``mode=ro`` for a read-only database; the
kernel's ``/dev/full`` and SQLite's own page limit for a full disk).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from quizzer.errors import ExitStatus
from tests.bankfiles import bank_yaml, single_item
from tests.hostile_support import Case, play, rows, run_cli

OK, ERROR, NOT_FOUND, STORE = ExitStatus.OK, ExitStatus.ERROR, ExitStatus.NOT_FOUND, ExitStatus.STORE
ROOT = os.geteuid() == 0
DAMAGED = ("is damaged", "quizzer db restore FILE", "$QUIZZER_HOME/backups/")


# --- building the hostile inputs ------------------------------------------------------------------------


def write(name: str, data: str | bytes):
    def prepare(ws: Path, home: Path) -> None:
        path = ws / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return prepare


def both(*steps):
    def prepare(ws: Path, home: Path) -> None:
        for step in steps:
            step(ws, home)

    return prepare


def mkdir(name: str):
    return lambda ws, home: (ws / name).mkdir(parents=True)


def symlink_loop(ws: Path, home: Path) -> None:
    (ws / "a.yaml").symlink_to(ws / "b.yaml")
    (ws / "b.yaml").symlink_to(ws / "a.yaml")


def fifo(ws: Path, home: Path) -> None:
    os.mkfifo(ws / "pipe.yaml")


def unreadable(ws: Path, home: Path) -> None:
    write("bank/a.yaml", bank_yaml(single_item()))(ws, home)
    write("bank/b.yaml", bank_yaml(single_item("t-other")))(ws, home)
    (ws / "bank" / "b.yaml").chmod(0)


def damaged_copy(ws: Path, home: Path) -> None:
    """The seeded database with the root page of bank_items overwritten, as a bad sector would."""
    shutil.copy(home / "quizzer.db", ws / "bad.db")
    conn = sqlite3.connect(ws / "bad.db")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'bank_items'").fetchone()[0]
    conn.close()
    with open(ws / "bad.db", "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def truncated_copy(ws: Path, home: Path) -> None:
    data = (home / "quizzer.db").read_bytes()
    (ws / "bad.db").write_bytes(data[: len(data) // 3])


def future_revision(ws: Path, home: Path) -> None:
    shutil.copy(home / "quizzer.db", ws / "new.db")
    conn = sqlite3.connect(ws / "new.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()


def answers(*lines: str | bytes):
    data = b"".join((line.encode() if isinstance(line, str) else line) + b"\n" for line in lines)
    return write("answers.txt", data)


def quiz_first(*lines: str, profile: str = "default", kind: str = "open"):
    """Take a quiz with ``lines`` as answers before the case runs (its rows are then the ones watched)."""

    def prepare(ws: Path, home: Path) -> None:
        answers(*lines)(ws, home)
        code, output = run_cli(
            [
                "quiz",
                "-n",
                str(len(lines)),
                "--kind",
                kind,
                "--seed",
                "3",
                "--profile",
                profile,
                "--answers",
                str(ws / "answers.txt"),
            ]
        )
        assert code == 0, output

    return prepare


def marked_up_bank(ws: Path, home: Path) -> None:
    item = single_item(
        "t-markup",
        prompt={
            "zh": "[/bold] 与 [link=http://evil.example]点我[/link]",
            "en": "[/bold] and [link=http://evil.example]click[/link]",
        },
    )
    write("markup.yaml", bank_yaml(item))(ws, home)
    code, output = run_cli(["bank", "import", str(ws / "markup.yaml")])
    assert code == 0, output


@contextmanager
def disk_fills_after_one_page(ws: Path):
    """SQLite's page limit gives the very error a full disk does (SQLITE_FULL) on any file system."""

    def cap(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

    event.listen(Engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(Engine, "connect", cap)


def permission_denied_for(name: str):
    """The operating system refusing to open one file, for root (whom chmod does not stop)."""

    def patch(ws: Path):
        real_open = os.open

        def refusing(path, flags, *args, **kwargs):
            if Path(path).name == name:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        os.open = refusing
        try:
            yield
        finally:
            os.open = real_open

    return contextmanager(patch)


# --- what must hold after a case that succeeds ----------------------------------------------------------


def attempts_where(sql_filter: str, expected: int):
    def check(ws: Path, home: Path, output: str) -> None:
        assert rows(home / "quizzer.db", f"SELECT count(*) FROM attempts WHERE {sql_filter}") == [(expected,)]

    return check


def sessions_finished(ws: Path, home: Path, output: str) -> None:
    assert rows(home / "quizzer.db", "SELECT count(*) FROM quiz_sessions WHERE finished = 0") == [(0,)]


def db_created_in(relative: str, absent: str):
    def check(ws: Path, home: Path, output: str) -> None:
        assert (ws / relative / "quizzer.db").is_file()
        assert not (ws / absent).exists()

    return check


def disk_full_keeps_answers(ws: Path, home: Path, output: str) -> None:
    stored = rows(
        home / "quizzer.db", "SELECT count(*) FROM attempts WHERE session_id = (SELECT max(id) FROM quiz_sessions)"
    )[0][0]
    assert 0 < stored < 60, stored  # some answers were saved before the disk filled, none after


def csv_cells_neutralised(ws: Path, home: Path, output: str) -> None:
    import csv

    with open(ws / "out.csv", newline="", encoding="utf-8") as handle:
        answers_ = [row["raw_answer"] for row in csv.DictReader(handle)]
    assert answers_ and all(a.startswith("'") for a in answers_), answers_
    assert '\'=HYPERLINK("http://evil.example","x")' in answers_


def no_escape_sequences(ws: Path, home: Path, output: str) -> None:
    assert "\x1b" not in output and "\x9b" not in output
    stored = rows(home / "quizzer.db", "SELECT raw_answer FROM attempts")
    assert stored and not any("\x1b" in (r or "") or "\x07" in (r or "") for (r,) in stored)


def stored_answer_capped(ws: Path, home: Path, output: str) -> None:
    lengths = rows(home / "quizzer.db", "SELECT length(raw_answer) FROM attempts ORDER BY id DESC LIMIT 1")
    assert lengths == [(5000,)]


def unreadable_graded_and_finished(ws: Path, home: Path, output: str) -> None:
    last = rows(home / "quizzer.db", "SELECT verdict, score FROM attempts ORDER BY id DESC LIMIT 2")
    assert last == [("incorrect", 0.0), ("incorrect", 0.0)]
    sessions_finished(ws, home, output)


DEEP = "schema: 1\nitems: " + "[" * 600 + "]" * 600 + "\n"
HUGE_INT = "schema: 1\nitems:\n  - id: t\n    difficulty: " + "9" * 5000 + "\n"
DUPLICATE = bank_yaml(single_item()).replace("  answer: A\n", "  answer: A\n  answer: B\n")
BOMB = "schema: 1\n" + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '1'}]\n" for i in range(10))
ANSWERS = "{ws}/answers.txt"
RO = "sqlite:///file:{home}/quizzer.db?mode=ro&uri=true"
WIDE = {"COLUMNS": "250"}  # so that table cells are not folded across lines
QUIZ = ("quiz", "-n", "2", "--kind", "single", "--seed", "1", "--answers", ANSWERS)

CASES = [
    # --- bank files -----------------------------------------------------------------------------------
    Case(
        "yaml-600-levels-deep",
        ("bank", "validate", "{ws}/deep.yaml"),
        ERROR,
        ("deep.yaml:2", "nesting is deeper than"),
        write("deep.yaml", DEEP),
    ),
    Case(
        "yaml-5000-digit-integer",
        ("bank", "validate", "{ws}/int.yaml"),
        ERROR,
        ("a number with 5,000 digits",),
        write("int.yaml", HUGE_INT),
    ),
    Case(
        "unreadable-file-in-directory",
        ("bank", "validate", "{ws}/bank"),
        ERROR,
        ("b.yaml", "permission denied"),
        unreadable,
        skip="root reads chmod-000 files" if ROOT else None,
    ),
    Case(
        "permission-refused-by-os",
        ("bank", "validate", "{ws}/bank"),
        ERROR,
        ("b.yaml: -: -: permission denied",),
        both(write("bank/a.yaml", bank_yaml(single_item())), write("bank/b.yaml", bank_yaml(single_item("t-b")))),
        patch=permission_denied_for("b.yaml"),
    ),
    Case(
        "dev-zero-as-bank-file",
        ("bank", "validate", "/dev/zero"),
        ERROR,
        ("/dev/zero", "not a regular file"),
        process=True,
    ),
    Case(
        "fifo-as-bank-file",
        ("bank", "validate", "{ws}/pipe.yaml"),
        ERROR,
        ("pipe.yaml", "not a regular file"),
        fifo,
        process=True,
    ),
    Case(
        "duplicate-yaml-key",
        ("bank", "validate", "{ws}/dup.yaml"),
        ERROR,
        ("duplicate key 'answer' (first at line",),
        write("dup.yaml", DUPLICATE),
    ),
    Case(
        "symlink-loop",
        ("bank", "validate", "{ws}/a.yaml"),
        ERROR,
        ("symlink loop",),
        symlink_loop,
        never_says=("no such file",),
    ),
    Case(
        "empty-directory",
        ("bank", "validate", "{ws}/empty"),
        ERROR,
        ("no .yaml or .yml files",),
        mkdir("empty"),
        never_says=("OK:",),
    ),
    Case(
        "directory-named-x-yaml",
        ("bank", "validate", "{ws}/x.yaml"),
        ERROR,
        ("x.yaml", "no .yaml or .yml files"),
        mkdir("x.yaml"),
        never_says=("OK:",),
    ),
    Case(
        "directory-inside-bank-dir",
        ("bank", "validate", "{ws}/bank"),
        ERROR,
        ("sub.yaml", "is a directory"),
        both(write("bank/a.yaml", bank_yaml(single_item())), mkdir("bank/sub.yaml")),
    ),
    Case(
        "bundled-id-reused",
        ("bank", "import", "{ws}/mine.yaml"),
        ERROR,
        ("pool-role-open", "the bundled bank already has this id", "--replace", "nothing was imported"),
        write("mine.yaml", bank_yaml(single_item("pool-role-open"))),
    ),
    Case(
        "bundled-id-replaced-on-request",
        ("bank", "import", "--replace", "{ws}/mine.yaml"),
        OK,
        ("1 changed",),
        write("mine.yaml", bank_yaml(single_item("pool-role-open"))),
        changes=True,
    ),
    Case(
        "alias-bomb",
        ("bank", "validate", "{ws}/bomb.yaml"),
        ERROR,
        ("aliases (*name) are not allowed",),
        write("bomb.yaml", BOMB),
    ),
    Case(
        "python-object-tag",
        ("bank", "validate", "{ws}/tag.yaml"),
        ERROR,
        ("YAML tags are not allowed",),
        write("tag.yaml", "schema: 1\nitems: !!python/object/apply:os.system ['touch {ws}/pwned']\n"),
        check=lambda ws, home, out: None if not (ws / "pwned").exists() else pytest.fail("code ran"),
    ),
    Case(
        "python-name-tag",
        ("bank", "validate", "{ws}/tag.yaml"),
        ERROR,
        ("YAML tags are not allowed",),
        write("tag.yaml", "schema: 1\nitems: !!python/name:os.system\n"),
    ),
    Case(
        "not-utf8-bank",
        ("bank", "validate", "{ws}/latin.yaml"),
        ERROR,
        ("not UTF-8 text (byte",),
        write("latin.yaml", b"schema: 1\nitems: [\xe9]\n"),
    ),
    Case(
        "oversized-bank",
        ("bank", "validate", "{ws}/big.yaml"),
        ERROR,
        ("bank files are limited to 1,000,000 bytes",),
        write("big.yaml", "# " + "x" * 1_000_001 + "\n"),
    ),
    Case("missing-bank-file", ("bank", "validate", "{ws}/nope.yaml"), ERROR, ("nope.yaml: -: -: no such file",)),
    Case(
        "control-character-in-bank",
        ("bank", "validate", "{ws}/ctl.yaml"),
        ERROR,
        ("ctl.yaml:2", "control character #x001f is not allowed"),
        write("ctl.yaml", "schema: 1\nitems: [\x1f]\n"),
    ),
    Case(
        "bank-not-a-mapping",
        ("bank", "validate", "{ws}/list.yaml"),
        ERROR,
        ("is a mapping with 'schema: 1'",),
        write("list.yaml", "- 1\n- 2\n"),
    ),
    # --- answers files --------------------------------------------------------------------------------
    Case(
        "answers-invalid-utf8",
        QUIZ,
        OK,
        ("Unreadable answer, graded incorrect: the line is not valid UTF-8 text",),
        answers(b"\xff\xfe", b"A\xc3"),
        changes=True,
        check=unreadable_graded_and_finished,
    ),
    Case(
        "answers-dev-zero",
        ("quiz", "-n", "2", "--answers", "/dev/zero"),
        ERROR,
        ("line 1 of the answers file is longer than 16 MiB",),
        process=True,
    ),
    Case(
        "answers-10mb-line",
        ("quiz", "-n", "1", "--kind", "open", "--seed", "1", "--answers", ANSWERS),
        OK,
        ("only its first 5,000 characters are kept",),
        answers("x" * 10_000_000),
        changes=True,
        check=stored_answer_capped,
    ),
    Case(
        "answers-ansi-escapes",
        ("quiz", "-n", "3", "--kind", "fill", "--seed", "1", "--answers", ANSWERS),
        OK,
        ("[31mred",),
        answers("\x1b[31mred\x1b[0m", "\x1b]8;;http://evil.example\x07x\x1b]8;;\x07", "\x9b2J\x07"),
        changes=True,
        check=no_escape_sequences,
    ),
    Case("answers-missing-file", ("quiz", "--answers", "{ws}/none.txt"), NOT_FOUND, ("No such file or directory",)),
    Case(
        "answers-nul-bytes",
        QUIZ,
        OK,
        ("Session",),
        answers("\x00\x00A", "\x00"),
        changes=True,
        check=attempts_where("instr(raw_answer, char(0)) > 0", 0),
    ),
    # --- the store ------------------------------------------------------------------------------------
    Case(
        "damaged-page-bank-list",
        ("--db", "{ws}/bad.db", "bank", "list"),
        STORE,
        DAMAGED,
        damaged_copy,
        watch=("{ws}/bad.db",),
    ),
    Case(
        "damaged-page-quiz",
        ("--db", "{ws}/bad.db", *QUIZ),
        STORE,
        DAMAGED,
        both(damaged_copy, answers("A", "B")),
        watch=("{ws}/bad.db",),
    ),
    Case(
        "damaged-page-db-info",
        ("--db", "{ws}/bad.db", "db", "info"),
        STORE,
        DAMAGED,
        write("bad.db", b"SQLite format 3\x00" + b"\x13" * 8192),
        watch=("{ws}/bad.db",),
    ),
    Case(
        "not-a-database-db-info",
        ("--db", "{ws}/notes.txt", "db", "info"),
        STORE,
        ("is damaged (file is not a database)",),
        write("notes.txt", "just some text, not a database\n" * 100),
        watch=("{ws}/notes.txt",),
    ),
    Case(
        "not-a-database-history",
        ("--db", "{ws}/notes.txt", "history"),
        STORE,
        ("is damaged",),
        write("notes.txt", "just some text, not a database\n" * 100),
        watch=("{ws}/notes.txt",),
    ),
    Case(
        "truncated-database", ("--db", "{ws}/bad.db", "history"), STORE, DAMAGED, truncated_copy, watch=("{ws}/bad.db",)
    ),
    Case(
        "future-migration",
        ("--db", "{ws}/new.db", "due"),
        STORE,
        ("schema revision '9999'", "newer version"),
        future_revision,
        watch=("{ws}/new.db",),
    ),
    Case(
        "read-only-database-quiz",
        ("--db", RO, *QUIZ),
        STORE,
        ("is read-only", "reading commands still work"),
        answers("A", "B"),
        watch=("{home}/quizzer.db",),
    ),
    Case("read-only-database-history", ("--db", RO, "history"), OK, ("sessions · default",)),
    Case("read-only-database-bank-list", ("--db", RO, "bank", "list"), OK, ("items",)),
    Case(
        "full-disk-mid-quiz",
        ("quiz", "-n", "60", "--kind", "single", "--seed", "5", "--answers", ANSWERS),
        STORE,
        ("is full", "answers given so far are saved", "quizzer quiz --resume"),
        answers(*["A"] * 60),
        patch=disk_fills_after_one_page,
        changes=True,
        check=disk_full_keeps_answers,
    ),
    Case(
        "home-with-question-mark",
        ("due",),
        OK,
        ("due now",),
        env={"QUIZZER_HOME": "{ws}/q?x"},
        check=db_created_in("q?x", "q"),
    ),
    Case(
        "home-with-percent-20",
        ("due",),
        OK,
        ("due now",),
        env={"QUIZZER_HOME": "{ws}/a%20b"},
        check=db_created_in("a%20b", "a b"),
    ),
    Case(
        "home-db-path-is-directory",
        ("due",),
        STORE,
        ("cannot open the database file", "/h/quizzer.db"),
        mkdir("h/quizzer.db"),
        env={"QUIZZER_HOME": "{ws}/h"},
    ),
    Case(
        "home-under-a-file",
        ("due",),
        STORE,
        ("cannot create the data directory", "set QUIZZER_HOME"),
        write("file", "x"),
        env={"QUIZZER_HOME": "{ws}/file/home"},
    ),
    Case(
        "home-not-writable",
        ("due",),
        STORE,
        ("cannot open the database file", "/ro/quizzer.db"),
        lambda ws, home: ((ws / "ro").mkdir(), (ws / "ro").chmod(0o555)),
        env={"QUIZZER_HOME": "{ws}/ro"},
        skip="root writes into chmod-555 directories" if ROOT else None,
    ),
    Case(
        "bogus-url-password-redacted",
        ("--db", "postgresql+psycopg://bob:s3cret@127.0.0.1:1/x", "due"),
        STORE,
        ("bob:***@",),
        never_says=("s3cret",),
    ),
    Case(
        "unknown-dialect-password-redacted",
        ("--db", "nosuchdb://bob:s3cret@host/x", "due"),
        STORE,
        ("cannot use database URL", "bob:***@"),
        never_says=("s3cret",),
    ),
    Case(
        "unparseable-url-password-redacted",
        ("--db", "://bob:s3cret@host", "due"),
        STORE,
        ("Could not parse", "bob:***@"),
        never_says=("s3cret",),
    ),
    Case(
        "bad-port-password-redacted",
        ("--db", "postgresql://bob:s3cret@host:port/x", "due"),
        STORE,
        ("cannot use database URL",),
        never_says=("s3cret",),
    ),
    # --- rich markup in user text ---------------------------------------------------------------------
    Case(
        "markup-answer-in-history",
        ("history", "--session", "2"),
        OK,
        ("[/bold]", "[link=http://evil.example]"),
        quiz_first("[/bold]", "[link=http://evil.example]x[/link]"),
        never_says=("\x1b]8;",),
        env=WIDE,
    ),
    Case(
        "markup-profile-progress",
        ("progress", "--profile", "[/bold]"),
        OK,
        ("Progress · [/bold]",),
        quiz_first("[/bold]", profile="[/bold]"),
    ),
    Case(
        "markup-profile-history",
        ("history", "--profile", "[/bold]"),
        OK,
        ("sessions · [/bold]",),
        quiz_first("x", profile="[/bold]"),
    ),
    Case(
        "markup-prompt-bank-list",
        ("bank", "list", "--topic", "pooling"),
        OK,
        ("[/bold] and [link=http:",),
        marked_up_bank,
        never_says=("\x1b]8;",),
        env=WIDE,
    ),
    Case(
        "markup-prompt-bank-show",
        ("bank", "show", "t-markup"),
        OK,
        ("[/bold] and [link=http://evil.example]",),
        marked_up_bank,
    ),
    # --- output files ---------------------------------------------------------------------------------
    Case(
        "export-missing-directory",
        ("history", "--export", "csv", "{ws}/no/such/dir/out.csv"),
        NOT_FOUND,
        ("the directory", "does not exist"),
    ),
    Case(
        "export-existing-file",
        ("history", "--export", "csv", "{ws}/out.csv"),
        NOT_FOUND,
        ("out.csv already exists; pass --force",),
        write("out.csv", "mine\n"),
        watch=("{ws}/out.csv",),
    ),
    Case(
        "export-dev-full",
        ("history", "--export", "json", "/dev/full", "--force"),
        NOT_FOUND,
        ("cannot write /dev/full: no space left",),
    ),
    Case("png-missing-directory", ("progress", "--png", "{ws}/nope/p.png"), NOT_FOUND, ("does not exist",)),
    Case(
        "html-existing-file",
        ("progress", "--html", "{ws}/p.html"),
        NOT_FOUND,
        ("pass --force",),
        write("p.html", "<p>mine</p>"),
        watch=("{ws}/p.html",),
    ),
    Case("html-dev-full", ("progress", "--html", "/dev/full", "--force"), NOT_FOUND, ("no space left",)),
    Case(
        "export-overwrite-with-force",
        ("history", "--export", "csv", "{ws}/out.csv", "--force"),
        OK,
        ("Wrote",),
        write("out.csv", "mine\n"),
    ),
    # --- CSV formula injection ------------------------------------------------------------------------
    Case(
        "csv-formula-injection",
        ("history", "--session", "2", "--export", "csv", "{ws}/out.csv"),
        OK,
        ("Wrote 5 answers",),
        quiz_first(
            '=HYPERLINK("http://evil.example","x")',
            "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "-2+3+cmd|' /C calc'!A0",
            kind="fill",
        ),
        check=csv_cells_neutralised,
    ),
    # --- solve: parameters typed by the user ----------------------------------------------------------
    Case("solve-not-a-number", ("solve", "conv-output", "input_size=abc", "kernel_size=3"), NOT_FOUND, ("input_size",)),
    Case(
        "solve-power-tower", ("solve", "conv-output", "input_size=9**9**9", "kernel_size=3"), NOT_FOUND, ("input_size",)
    ),
    Case(
        "solve-code-injection",
        ("solve", "conv-output", "input_size=__import__('os').system('id')", "kernel_size=3"),
        NOT_FOUND,
        ("input_size",),
        never_says=("uid=",),
    ),
    Case("solve-unknown-parameter", ("solve", "conv-output", "nope=1"), NOT_FOUND, ("unknown parameter 'nope'",)),
    Case("solve-unknown-family", ("solve", "no-such-family", "a=1"), NOT_FOUND, ("no problem family named",)),
    Case(
        "solve-deep-parentheses",
        ("solve", "conv-output", "input_size=" + "(" * 100_000 + "1" + ")" * 100_000, "kernel_size=3"),
        NOT_FOUND,
        ("input_size",),
    ),
]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A database with the bundled bank, one finished session and built caches, made once per module."""
    home = tmp_path_factory.mktemp("seed")
    env = {"QUIZZER_HOME": str(home), "QUIZZER_LANG": "en"}
    (home / "a.txt").write_text("A\nB\nC\n", encoding="utf-8")
    for args in (
        ["quiz", "-n", "3", "--kind", "single", "--seed", "1", "--answers", str(home / "a.txt")],
        ["progress"],
    ):
        code, output = run_cli(args, env=env)
        assert code == 0, output
    return (home / "quizzer.db").read_bytes()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_case(case: Case, tmp_path: Path, isolated_home: Path, seeded_db: bytes) -> None:
    if case.skip:
        pytest.skip(case.skip)
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "quizzer.db").write_bytes(seeded_db)
    ws = tmp_path / "ws"
    ws.mkdir()
    play(case, ws, isolated_home)


def test_the_catalogue_covers_issue_14_section_2() -> None:
    """At least 60 cases (with the hostile answers of test_hostile_answers), each with a distinct name."""
    from tests.test_hostile_answers import HOSTILE_ANSWERS

    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 60 and len(HOSTILE_ANSWERS) >= 40


def test_full_disk_on_a_real_small_file_system(tmp_path: Path, isolated_home: Path, seeded_db: bytes) -> None:
    """A real full disk (a 1.7 MB tmpfs), when the machine lets us mount one; the page-limit row covers the rest."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    size = len(seeded_db) + 64 * 1024
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here (not root, or no permission)")
    try:
        (mount / "quizzer.db").write_bytes(seeded_db)
        case = Case(
            "real-full-disk",
            ("quiz", "-n", "60", "--kind", "single", "--seed", "5", "--answers", ANSWERS),
            STORE,
            ("is full", "quizzer quiz --resume"),
            answers(*["A"] * 60),
            env={"QUIZZER_HOME": str(mount)},
            process=True,
            changes=True,
        )
        play(case, tmp_path, mount)
        kept = rows(mount / "quizzer.db", "SELECT count(*) FROM attempts")[0][0]
        assert kept >= 3  # the seeded answers are intact after the failed write
    finally:
        subprocess.run(["umount", str(mount)], check=False)
