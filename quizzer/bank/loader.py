"""Read bank files safely and report every problem as ``file:line: item-id: field: message``.

YAML is parsed with PyYAML's safe loader, with two extra guards: aliases are
refused (an alias bomb expands exponentially once walked, and a bank never
needs them) and files over ``MAX_BYTES`` are refused before they are read.
Line numbers come from the composed node tree, so a pydantic error located
at ``items.3.options.1.why.en`` points at the line that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quizzer.bank.schema import KINDS, BankFile, BankItem
from quizzer.errors import BankError, BankProblem

MAX_BYTES = 1_000_000
BANK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedItem:
    item: BankItem
    file: str
    line: int


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in bank files", event.start_mark
            )
        return super().compose_node(parent, index)


def _line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map every path in the document (keys and list indices) to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _line_map(child, path + (i,), out)
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
        size = path.stat().st_size
    except OSError as exc:
        return BankProblem(display, None, None, None, f"cannot read file: {exc.strerror or exc}")
    if size > MAX_BYTES:
        return BankProblem(display, None, None, None, f"file is {size:,} bytes; bank files are limited to {MAX_BYTES:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return BankProblem(display, None, None, None, f"not UTF-8 text (byte {exc.start})")
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return BankProblem(display, 1, None, None, "file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or "invalid YAML"
        if "could not determine a constructor" in message:
            tag = message.rsplit("tag", 1)[-1].strip(" '").replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tags are not allowed in bank files (found {tag})"
        return BankProblem(display, line, None, None, f"invalid YAML: {message}")
    except yaml.YAMLError as exc:
        return BankProblem(display, None, None, None, f"invalid YAML: {exc}")
    finally:
        loader.dispose()
    return data, _line_map(node)


def load_file(path: Path, display: str | None = None) -> list[LoadedItem]:
    """Load and validate one file; raises BankError listing every problem in it."""
    display = display or str(path)
    parsed = _parse_yaml(path, display)
    if isinstance(parsed, BankProblem):
        raise BankError([parsed])
    data, lines = parsed
    if not isinstance(data, dict):
        raise BankError([BankProblem(display, 1, None, None, "a bank file is a mapping with 'schema: 1' and 'items:'")])
    try:
        bank = BankFile.model_validate(data)
    except ValidationError as exc:
        raise BankError(_problems_from(exc, data, lines, display)) from None
    return [LoadedItem(item, display, _line_for(lines, ("items", i)) or 1) for i, item in enumerate(bank.items)]


def _problems_from(exc: ValidationError, data: dict, lines: dict[tuple, int], display: str) -> list[BankProblem]:
    problems = []
    raw_items = data.get("items") if isinstance(data.get("items"), list) else []
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        item_id = None
        field_path = loc
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            raw = raw_items[loc[1]] if loc[1] < len(raw_items) else None
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                item_id = raw["id"]
            else:
                item_id = f"items[{loc[1]}]"
            field_path = loc[2:]
        message = err["msg"]
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            field_path = ("kind",)
            message = f"kind must be one of {', '.join(KINDS)}"
        elif err["type"] == "missing":
            message = "required field is missing"
            if field_path and field_path[-1] in ("zh", "en"):
                message = f"missing {'Chinese' if field_path[-1] == 'zh' else 'English'} text (every text needs zh and en)"
        elif err["type"] == "string_too_short" and field_path and field_path[-1] in ("zh", "en"):
            message = f"empty {'Chinese' if field_path[-1] == 'zh' else 'English'} text (every text needs zh and en)"
        elif err["type"] == "too_short":
            need = (err.get("ctx") or {}).get("min_length", 1)
            message = "needs at least one entry" if need == 1 else f"needs at least {need} entries"
        elif err["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        field = ".".join(str(p) for p in field_path) or None
        problems.append(BankProblem(display, _line_for(lines, loc), item_id, field, message))
    return sorted(problems, key=lambda p: p.line or 0)


def bank_files(paths: list[Path]) -> list[Path]:
    """Expand directories to their ``*.yaml``/``*.yml`` files, sorted for a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files


def load_bank(paths: list[Path], *, base: Path | None = None) -> list[LoadedItem]:
    """Load every file; raises one BankError with all problems (including duplicate ids across files)."""
    problems: list[BankProblem] = []
    items: list[LoadedItem] = []
    for path in bank_files(paths):
        display = _display(path, base)
        if not path.exists():
            problems.append(BankProblem(display, None, None, None, "no such file"))
            continue
        try:
            items.extend(load_file(path, display))
        except BankError as exc:
            problems.extend(exc.problems)
    seen: dict[str, LoadedItem] = {}
    for loaded in items:
        first = seen.get(loaded.item.id)
        if first is not None:
            problems.append(
                BankProblem(loaded.file, loaded.line, loaded.item.id, "id",
                            f"duplicate id: already used at {first.file}:{first.line}")
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
        except ValueError:
            pass
    return str(path)
