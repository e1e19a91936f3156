"""Read bank files safely and report every problem as ``file:line: item-id: field: message``.

YAML is parsed with PyYAML's safe loader, with extra guards: aliases are
refused (an alias bomb expands exponentially once walked, and a bank never
needs them); only regular files are read, and at most ``MAX_BYTES`` + 1 bytes
of them (a FIFO would block forever, ``/dev/zero`` never ends); nesting deeper
than ``MAX_DEPTH``, integers longer than ``MAX_INT_DIGITS`` digits and
duplicate keys are refused with their line.
Line numbers come from the composed node tree, so a pydantic error located
at ``items.3.options.1.why.en`` points at the line that holds it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quizzer.bank.schema import BUNDLED_RULES, KINDS, BankFile, BankItem, BankRules
from quizzer.errors import BankError, BankProblem

MAX_BYTES = 1_000_000
# A bank item nests about six levels deep; 600 levels exhaust Python's recursion limit in the composer.
MAX_DEPTH = 40
# Python refuses to convert integers over 4,300 digits (a ValueError with no line); no bank needs 100.
MAX_INT_DIGITS = 100
BANK_SUFFIXES = (".yaml", ".yml")
_LANGS_NOTE = "(every text needs zh and en, unless the file declares `langs: [zh]` or `langs: [en]`)"


@dataclass(frozen=True)
class LoadedItem:
    item: BankItem
    file: str
    line: int


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``), deep nesting, huge integers and duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in bank files", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nesting is deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is None:
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key[:40]!r} (first at line {seen[key]})", key_node.start_mark
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with {len(node.value):,} digits (at most {MAX_INT_DIGITS})", node.start_mark
            )
        return super().construct_yaml_int(node)


_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_yaml_int)


def _read_capped(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file; OSError for anything else.

    O_NONBLOCK makes opening a FIFO return at once (it would otherwise wait for a writer), and the
    regular-file check on the open descriptor (not the name) leaves no window for a swap.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, device or socket); bank files are plain files")
        chunks, left = [], MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _os_problem(exc: OSError) -> str:
    """Say what is wrong with a file in words, not as a Python exception."""
    reasons: dict[int | None, str] = {
        errno.ENOENT: "no such file",
        errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
        errno.EACCES: "permission denied: make the file readable (chmod +r) or leave it out",
        errno.EPERM: "permission denied: make the file readable (chmod +r) or leave it out",
        errno.EISDIR: "is a directory, not a bank file",
        errno.ENOTDIR: "a part of the path is not a directory",
    }
    return reasons.get(exc.errno, f"cannot read file: {exc.strerror or exc}")


def _line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map every path in the document (keys and list indices) to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _line_map(child, (*path, i), out)
    return out


def _line_for(lines: dict[tuple, int], path: tuple) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _clean_loc(loc: tuple) -> tuple:
    """Drop the discriminator tag pydantic inserts after the item index (``items.3.single.options``)."""
    if len(loc) >= 3 and loc[0] == "items" and isinstance(loc[1], int) and loc[2] in KINDS:
        return loc[:2] + loc[3:]
    return loc


def _parse_yaml(path: Path, display: str) -> tuple[Any, dict[tuple, int]] | BankProblem:
    try:
        raw = _read_capped(path)
    except OSError as exc:
        return BankProblem(display, None, None, None, _os_problem(exc))
    if len(raw) > MAX_BYTES:
        return BankProblem(
            display,
            None,
            None,
            None,
            f"file is over {MAX_BYTES:,} bytes; bank files are limited to {MAX_BYTES:,} bytes",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BankProblem(display, None, None, None, f"not UTF-8 text (byte {exc.start})")
    try:
        # The reader checks every character up front: a control character fails here, before parsing.
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return BankProblem(display, line, None, None, f"invalid YAML: control character {character} is not allowed")
    try:
        node = loader.get_single_node()
        if node is None:
            return BankProblem(display, 1, None, None, "file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line = mark.line + 1 if mark else None
        message = exc.problem or "invalid YAML"
        if "could not determine a constructor" in message:
            tag = message.rsplit("tag", 1)[-1].strip(" '").replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tags are not allowed in bank files (found {tag})"
        return BankProblem(display, mark_line, None, None, f"invalid YAML: {message}")
    except yaml.YAMLError as exc:
        return BankProblem(display, None, None, None, f"invalid YAML: {exc}")
    except RecursionError:  # a last resort: MAX_DEPTH should stop deep nesting first
        return BankProblem(display, None, None, None, f"invalid YAML: nesting is deeper than {MAX_DEPTH} levels")
    finally:
        loader.dispose()
    return data, _line_map(node)


def declared_rules(data: dict) -> BankRules:
    """The rules a bank file declares (``langs:``, ``topics:``); a malformed declaration is reported by
    BankFile's own validation, and meanwhile the items are checked against the defaults."""
    langs = data.get("langs", list(BUNDLED_RULES.langs))
    if not (isinstance(langs, list) and langs and all(lang in ("zh", "en") for lang in langs)):
        langs = list(BUNDLED_RULES.langs)
    return BankRules(
        langs=tuple(lang for lang in ("zh", "en") if lang in langs), free_topics=data.get("topics") == "free"
    )


def load_file(path: Path, display: str | None = None, *, bundled: bool = False) -> list[LoadedItem]:
    """Load and validate one file; raises BankError listing every problem in it.

    A file of the bundled bank must keep the bundled rules (zh and en everywhere, the 13 topic slugs):
    that is a property of that bank, not of bank files in general.
    """
    display = display or str(path)
    parsed = _parse_yaml(path, display)
    if isinstance(parsed, BankProblem):
        raise BankError([parsed])
    data, lines = parsed
    if not isinstance(data, dict):
        raise BankError([BankProblem(display, 1, None, None, "a bank file is a mapping with 'schema: 1' and 'items:'")])
    rules = declared_rules(data)
    problems = []
    if bundled and rules != BUNDLED_RULES:
        field = "langs" if rules.langs != BUNDLED_RULES.langs else "topics"
        problems.append(
            BankProblem(
                display,
                _line_for(lines, (field,)),
                None,
                field,
                "the bundled bank needs every text in zh and en and the 13 topic slugs",
            )
        )
        rules = BUNDLED_RULES
    try:
        bank = BankFile.model_validate(data, context=rules.context())
    except ValidationError as exc:
        raise BankError(problems + _problems_from(exc, data, lines, display)) from None
    if problems:
        raise BankError(problems)
    return [LoadedItem(item, display, _line_for(lines, ("items", i)) or 1) for i, item in enumerate(bank.items)]


def _problems_from(exc: ValidationError, data: dict, lines: dict[tuple, int], display: str) -> list[BankProblem]:
    problems = []
    items = data.get("items")
    raw_items = items if isinstance(items, list) else []
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        item_id = None
        field_path = loc
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            raw = raw_items[loc[1]] if loc[1] < len(raw_items) else None
            item_id = raw["id"] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"items[{loc[1]}]"
            field_path = loc[2:]
        message = err["msg"]
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            field_path = ("kind",)
            message = f"kind must be one of {', '.join(KINDS)}"
        elif err["type"] == "missing":
            message = "required field is missing"
            if field_path and field_path[-1] in ("zh", "en"):
                message = f"missing {'Chinese' if field_path[-1] == 'zh' else 'English'} text {_LANGS_NOTE}"
        elif err["type"] == "string_too_short" and field_path and field_path[-1] in ("zh", "en"):
            message = f"empty {'Chinese' if field_path[-1] == 'zh' else 'English'} text {_LANGS_NOTE}"
        elif err["type"] == "too_short":
            need = (err.get("ctx") or {}).get("min_length", 1)
            message = "needs at least one entry" if need == 1 else f"needs at least {need} entries"
        elif err["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        field = ".".join(str(p) for p in field_path) or None
        problems.append(BankProblem(display, _line_for(lines, loc), item_id, field, message))
    return sorted(problems, key=lambda p: p.line or 0)


def _expand(paths: list[Path], base: Path | None) -> tuple[list[Path], list[BankProblem]]:
    """Directories become their ``*.yaml``/``*.yml`` entries (sorted); paths that cannot be used become problems."""
    files: list[Path] = []
    problems: list[BankProblem] = []
    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:  # os.stat, unlike Path.exists, tells a symlink loop from a missing file
            problems.append(BankProblem(_display(path, base), None, None, None, _os_problem(exc)))
            continue
        if not is_dir:
            files.append(path)
            continue
        try:
            entries = sorted(p for p in path.iterdir() if p.suffix in BANK_SUFFIXES)
        except OSError as exc:
            problems.append(BankProblem(_display(path, base), None, None, None, _os_problem(exc)))
            continue
        if not entries:
            # "OK: 0 items" for an empty directory (or a directory named x.yaml) hides a mistyped path.
            message = "is a directory with no .yaml or .yml files; name bank files or their directory"
            problems.append(BankProblem(_display(path, base), None, None, None, message))
        files.extend(entries)
    return files, problems


def bank_files(paths: list[Path]) -> list[Path]:
    """Expand directories to their ``*.yaml``/``*.yml`` entries, sorted for a stable order."""
    return _expand(paths, None)[0]


def load_bank(paths: list[Path], *, base: Path | None = None, bundled: bool = False) -> list[LoadedItem]:
    """Load every file; raises one BankError with all problems (including duplicate ids across files)."""
    files, problems = _expand(paths, base)
    items: list[LoadedItem] = []
    for path in files:
        try:
            items.extend(load_file(path, _display(path, base), bundled=bundled))
        except BankError as exc:
            problems.extend(exc.problems)
    seen: dict[str, LoadedItem] = {}
    for loaded in items:
        first = seen.get(loaded.item.id)
        if first is not None:
            problems.append(
                BankProblem(
                    loaded.file,
                    loaded.line,
                    loaded.item.id,
                    "id",
                    f"duplicate id: already used at {first.file}:{first.line}",
                )
            )
        else:
            seen[loaded.item.id] = loaded
    if problems:
        raise BankError(problems)
    return items


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except (ValueError, RuntimeError, OSError):  # outside base, or a symlink loop
            pass
    return str(path)
