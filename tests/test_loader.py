"""Malformed bank files: each gives a precise file:line: item: field: message and imports nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from quizzer.bank.loader import MAX_BYTES, load_bank
from quizzer.bank.schema import BUNDLED_RULES
from quizzer.errors import BankError
from tests.bankfiles import bank_yaml, multi_item, numeric_item, single_item, write_bank


def _without(d: dict, *path: str) -> dict:
    """A copy of the item with the field at ``path`` removed."""
    import copy

    out = copy.deepcopy(d)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


ALIAS_BOMB = (
    "schema: 1\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '1'}]\n" for i in range(10))
    + "items: *l9\n"
)


# (case name, files {name: text}, expected substrings in the one problem, expected field, expected line)
CASES = [
    ("invalid-yaml", {"a.yaml": "schema: 1\nitems:\n  - id: x\n    topic: [unclosed\n"}, "invalid YAML", None, 5),
    ("unknown-field", {"a.yaml": bank_yaml(single_item(colour="red"))}, "unknown field", "colour", None),
    (
        "third-language",
        {"a.yaml": bank_yaml(single_item(prompt={"zh": "问题", "en": "Question", "fr": "Question"}))},
        "unknown field",
        "prompt.fr",
        None,
    ),
    (
        "text-not-a-mapping",
        {"a.yaml": bank_yaml(single_item(explanation="only one language"))},
        "valid dictionary",
        "explanation",
        None,
    ),
    (
        "missing-english",
        {"a.yaml": bank_yaml(_without(single_item(), "prompt", "en"))},
        "missing English text",
        "prompt.en",
        None,
    ),
    (
        "missing-chinese",
        {"a.yaml": bank_yaml(_without(single_item(), "explanation", "zh"))},
        "missing Chinese text",
        "explanation.zh",
        None,
    ),
    (
        "empty-english",
        {"a.yaml": bank_yaml(single_item(prompt={"zh": "问题", "en": "  "}))},
        "empty English text",
        "prompt.en",
        None,
    ),
    (
        "answer-out-of-range",
        {"a.yaml": bank_yaml(single_item(answer="E"))},
        "out of range: there are 2 options (A–B)",
        None,
        None,
    ),
    ("multi-no-correct", {"a.yaml": bank_yaml(multi_item(answer=[]))}, "at least one correct option", "answer", None),
    (
        "negative-tolerance",
        {"a.yaml": bank_yaml(numeric_item(tolerance=-0.1))},
        "greater than or equal to 0",
        "tolerance",
        None,
    ),
    ("unknown-topic", {"a.yaml": bank_yaml(single_item(topic="transformers"))}, "'activations'", "topic", None),
    ("empty-options", {"a.yaml": bank_yaml(single_item(options=[]))}, "needs at least 2 entries", "options", None),
    ("unknown-kind", {"a.yaml": bank_yaml(single_item(kind="essay"))}, "kind must be one of", "kind", None),
    (
        "python-tag",
        {"a.yaml": "schema: 1\nitems: !!python/object/apply:os.system ['echo pwned']\n"},
        "YAML tags are not allowed",
        None,
        2,
    ),
    ("alias-bomb", {"a.yaml": ALIAS_BOMB}, "aliases (*name) are not allowed", None, 3),
    ("too-large", {"a.yaml": "# " + "x" * MAX_BYTES + "\n"}, "limited to 1,000,000 bytes", None, None),
    ("not-utf8", {"a.yaml": None}, "not UTF-8", None, None),
    ("empty-file", {"a.yaml": ""}, "file is empty", None, None),
    ("not-a-mapping", {"a.yaml": "- 1\n- 2\n"}, "a bank file is a mapping", None, 1),
    (
        "duplicate-across-files",
        {"a.yaml": bank_yaml(single_item("dup")), "b.yaml": bank_yaml(numeric_item("dup"))},
        "duplicate id: already used at",
        "id",
        None,
    ),
]


def _write(tmp_path: Path, files: dict[str, str | None]) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    for name, content in files.items():
        if content is None:
            (folder / name).write_bytes(b"schema: 1\nitems: \xff\xfe\n")
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_bank_is_reported_precisely(tmp_path: Path, case) -> None:
    name, files, expected, field, line = case
    folder = _write(tmp_path, files)
    with pytest.raises(BankError) as info:
        load_bank([folder])
    problems = info.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert expected in problem.message, str(problem)
    assert problem.file.endswith(".yaml")
    if field is not None:
        assert problem.field == field, str(problem)
    if line is not None:
        assert problem.line == line, str(problem)
    if name not in ("invalid-yaml", "python-tag", "alias-bomb", "too-large", "not-utf8", "empty-file", "not-a-mapping"):
        assert problem.line is not None and problem.item is not None, str(problem)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_bank_leaves_database_byte_for_byte_unchanged(tmp_path: Path, run, db_file: Path, case) -> None:
    good = write_bank(tmp_path / "good.yaml", single_item("good-one"))
    run("bank", "import", str(good))
    before = _sha(db_file)
    folder = _write(tmp_path, case[1])
    # The good file is imported together with the bad one: nothing from either may land.
    result = run("bank", "import", str(good), str(folder), expect=1)
    assert "nothing was imported" in result.output
    assert case[2] in result.output
    assert _sha(db_file) == before


def test_line_points_at_the_offending_field(tmp_path: Path) -> None:
    path = write_bank(tmp_path / "a.yaml", single_item("first"), single_item("second", answer="Z"))
    with pytest.raises(BankError) as info:
        load_bank([path])
    (problem,) = info.value.problems
    lines = path.read_text(encoding="utf-8").splitlines()
    assert problem.item == "second" and problem.field == "answer"
    assert lines[problem.line - 1].strip() == "answer: Z"
    assert problem.line > lines.index("- id: second")


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path / "a.yaml", single_item("one", topic="nope"), numeric_item("two", tolerance=-1, colour=1)
    )
    with pytest.raises(BankError) as info:
        load_bank([path])
    reported = {(p.item, p.field) for p in info.value.problems}
    assert reported == {("one", "topic"), ("two", "tolerance"), ("two", "colour")}
    rendered = str(info.value.problems[0])
    assert rendered.startswith(f"{path}:") and ": one: topic: " in rendered


def test_the_bundled_bank_is_valid() -> None:
    from quizzer.resources import bundled_questions_dir

    items = load_bank([bundled_questions_dir()])
    assert len(items) >= 180


def test_bank_texts_are_the_one_text_type_and_dump_back_to_the_file_format(tmp_path: Path) -> None:
    from quizzer.bank.schema import SingleItem
    from quizzer.text import BiText

    raw = single_item("texts", prompt={"zh": "  问题  ", "en": "Question"})
    (loaded,) = load_bank([write_bank(tmp_path / "a.yaml", raw)])
    item = loaded.item
    assert isinstance(item.prompt, BiText) and isinstance(item.options[1].why, BiText)
    assert item.prompt == BiText("问题", "Question")  # stripped, as before
    dumped = item.model_dump(mode="json")
    assert dumped["prompt"] == {"zh": "问题", "en": "Question"}
    assert dumped["options"] == raw["options"]
    # A BiText given in code validates like its mapping, and empty sides are still refused.
    assert SingleItem.model_validate({**dumped, "prompt": BiText("问", "Q")}).prompt == BiText("问", "Q")
    # Without a bank's rules (items read back from the store) one language is enough and is marked as such;
    # under the bundled rules an empty side is refused.
    assert SingleItem.model_validate({**dumped, "prompt": BiText("问", " ")}).prompt == BiText("问", "问", only="zh")
    with pytest.raises(ValueError, match="at least 1 character"):
        SingleItem.model_validate({**dumped, "prompt": BiText("问", " ")}, context=BUNDLED_RULES.context())


def _zh_only(item: dict) -> dict:
    """``item`` with every English text and English keyword list removed, as a Chinese-only bank writes it."""
    if isinstance(item, dict):
        return {k: _zh_only(v) for k, v in item.items() if k != "en"}
    if isinstance(item, list):
        return [_zh_only(v) for v in item]
    return item


def test_a_user_bank_may_declare_one_language_and_free_topics(tmp_path: Path) -> None:
    import yaml

    item = _zh_only(single_item("zh-only", topic="第三章 深度学习基础"))
    undeclared = tmp_path / "a.yaml"
    undeclared.write_text(yaml.safe_dump({"schema": 1, "items": [item]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank([undeclared])
    fields = {p.field for p in info.value.problems}
    assert {"prompt.en", "explanation.en", "options.0.why.en", "topic"} <= fields

    declared = tmp_path / "b.yaml"
    declared.write_text(
        yaml.safe_dump({"schema": 1, "langs": ["zh"], "topics": "free", "items": [item]}, allow_unicode=True),
        encoding="utf-8",
    )
    (loaded,) = load_bank([declared])
    assert loaded.item.topic == "第三章 深度学习基础"
    assert loaded.item.prompt.only == "zh" and loaded.item.prompt.get("en") == loaded.item.prompt.zh
    # A Chinese-only bank still needs its Chinese side.
    declared.write_text(
        yaml.safe_dump({"schema": 1, "langs": ["en"], "items": [item]}, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(BankError, match="missing English text"):
        load_bank([declared])


def test_the_bundled_bank_requires_both_languages_and_the_slugs(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "bundled.yaml"
    path.write_text(
        yaml.safe_dump(
            {"schema": 1, "langs": ["zh"], "topics": "free", "items": [_zh_only(single_item())]}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    with pytest.raises(BankError) as info:
        load_bank([path], bundled=True)
    messages = " ".join(p.message for p in info.value.problems)
    assert "the bundled bank needs every text in zh and en" in messages and "missing English text" in messages
    assert len(load_bank([path])) == 1  # the same file is a fine user bank


def test_every_bundled_text_is_written_in_both_languages() -> None:
    from pydantic import BaseModel

    from quizzer.resources import bundled_questions_dir
    from quizzer.text import BiText

    def texts(value):
        if isinstance(value, BiText):
            yield value
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from texts(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for entry in value:
                yield from texts(entry)

    loaded = load_bank([bundled_questions_dir()], bundled=True)
    found = [t for entry in loaded for t in texts(entry.item)]
    assert len(found) > 5 * len(loaded)
    assert all(t.only is None and t.zh.strip() and t.en.strip() for t in found)
