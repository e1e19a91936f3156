"""What a family asks for, as data: every parameter with its type, allowed range, default and meaning.

``describe_family`` reads it all from the family's params model (pydantic ``Field`` constraints, the
``description`` in English and ``json_schema_extra={"zh": …}`` in Chinese), so the listing cannot drift
from what ``parse_params`` accepts. ``quizzer families FAMILY``, ``quizzer solve FAMILY --help`` and their
``--json`` render this one structure. The example command is a real instance (the family's own draw at
difficulty 1, seed 0) written back as the ``key=value`` assignments ``solve`` reads; a test solves each one.
"""

from __future__ import annotations

import re
import shlex
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from quizzer.errors import QuizzerError
from quizzer.generators.base import Family, fmt
from quizzer.text import BiText

EXAMPLE_SEED = 0  # the draw every family's example command comes from (difficulty 1)


@dataclass(frozen=True)
class ParamDoc:
    """One parameter as a learner types it: ``name=value``."""

    name: str
    type: str  # int, float, bool, choice, text, list[float], layers, …: how the value is written
    # "[1, 4096]", "(0, 1)", "sigmoid, tanh", "1–10 values, each in [-10, 10]"; empty for free text, layers and
    # matrices, whose meaning spells out their syntax
    allowed: BiText
    required: bool
    default: str | None  # as typed on the command line; None when required or when unset means torch's own choice
    meaning: BiText

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "allowed": self.allowed.get(lang) if lang else self.allowed.as_dict(),
            "required": self.required,
            "default": self.default,
            "meaning": self.meaning.get(lang) if lang else self.meaning.as_dict(),
        }


@dataclass(frozen=True)
class FamilyDoc:
    name: str
    topic: str
    title: BiText
    answer: str
    difficulties: tuple[int, ...]
    parameters: tuple[ParamDoc, ...]
    example: str  # a whole command line: quizzer solve NAME key=value …

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "topic": self.topic,
            "title": self.title.get(lang) if lang else self.title.as_dict(),
            "answer": self.answer,
            "difficulties": list(self.difficulties),
            "parameters": [p.as_dict(lang) for p in self.parameters],
            "example": self.example,
        }


def describe_family(family: Family[Any]) -> FamilyDoc:
    model = family.params_model
    return FamilyDoc(
        name=family.name,
        topic=family.topic,
        title=family.title,
        answer=family.answer_spec.kind,
        difficulties=tuple(family.difficulties),
        parameters=tuple(_param(model, name, info) for name, info in model.model_fields.items()),
        example=example_command(family),
    )


def meaning(info: FieldInfo) -> BiText:
    """A field's one-line meaning in both languages; a missing side stays empty (a test requires both)."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    zh = extra.get("zh")
    return BiText(zh if isinstance(zh, str) else "", info.description or "")


# ---------------------------------------------------------------- one parameter


def _param(model: type[BaseModel], name: str, info: FieldInfo) -> ParamDoc:
    kind, allowed = _type_and_range(info.annotation, info.metadata)
    text = meaning(info)
    required = info.is_required()
    default = None if required else _default(info)
    scheduler_note = _scheduler_note(model, name)
    if scheduler_note is not None:
        note, default, required = scheduler_note
        text = text + note
    return ParamDoc(name=name, type=kind, allowed=allowed, required=required, default=default, meaning=text)


def _default(info: FieldInfo) -> str | None:
    if info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    if value is None or (isinstance(value, (list, tuple)) and not value):  # unset, or nothing (no prefix layers)
        return None
    return _typed(value, exact=False)


def _scheduler_note(model: type[BaseModel], name: str) -> tuple[BiText, str | None, bool] | None:
    """For an lr scheduler's argument in a flat schedule model: which schedulers take it, their default, and
    whether each of them requires it (optional in the flat model only because other schedulers do not take it).
    """
    from quizzer.generators.schedule_base import SCHEDULES, ScheduleParams

    if not issubclass(model, ScheduleParams) or name in ScheduleParams.model_fields:
        return None
    offered = get_args(model.model_fields["scheduler"].annotation)
    takers = [SCHEDULES[s] for s in offered if name in SCHEDULES[s].args_model.model_fields]
    if not takers:
        return None
    names = ", ".join(s.name for s in takers)
    note = BiText(f"（仅 scheduler={names}）", f" (scheduler={names} only)")
    defaults = {s.name: _default(s.args_model.model_fields[name]) for s in takers}
    values = set(defaults.values())
    required = all(s.args_model.model_fields[name].is_required() for s in takers)
    if len(values) == 1:
        return note, values.pop(), required
    return note, "; ".join(f"{s}: {'—' if d is None else d}" for s, d in defaults.items()), required


def _bound(metadata: Sequence[Any]) -> str:
    """``[1, 4096]``, ``(0, 1)``, ``[0, ∞)``: the interval pydantic's ge/gt/le/lt allow; "" when unbounded."""
    lo = hi = None
    lo_open = hi_open = True
    for m in metadata:
        for attr, is_lower, closed in (
            ("ge", True, True),
            ("gt", True, False),
            ("le", False, True),
            ("lt", False, False),
        ):
            value = getattr(m, attr, None)
            if value is None:
                continue
            if is_lower:
                lo, lo_open = value, not closed
            else:
                hi, hi_open = value, not closed
    if lo is None and hi is None:
        return ""
    left = "(-∞" if lo is None else ("(" if lo_open else "[") + _number(lo)
    right = "∞)" if hi is None else _number(hi) + (")" if hi_open else "]")
    return f"{left}, {right}"


def _number(value: float) -> str:
    """A bound as a reader takes it in at a glance: 4096, 0.5, 1e6 rather than 1000000."""
    if abs(value) >= 1e5 and float(value).is_integer():
        short = re.sub(r"e\+?0*", "e", f"{value:.6g}")
        # only when it reads back as the same number: 1e8, not 1.04858e6 for 1 << 20
        return short if float(short) == value else str(int(value))
    return fmt(value)


def _length(metadata: Sequence[Any]) -> tuple[int | None, int | None]:
    lo = next((m.min_length for m in metadata if getattr(m, "min_length", None) is not None), None)
    hi = next((m.max_length for m in metadata if getattr(m, "max_length", None) is not None), None)
    return lo, hi


def _pattern(metadata: Sequence[Any]) -> BiText:
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    return BiText(f"匹配 {pattern}", f"matches {pattern}") if pattern else NOTHING


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _scalar(annotation: Any) -> tuple[str, list[Any]]:
    """(type name, constraints) of a scalar annotation, looking through ``Annotated[float, Field(ge=…)]``."""
    metadata: list[Any] = []
    if hasattr(annotation, "__metadata__"):  # typing.Annotated
        metadata = [m for meta in annotation.__metadata__ for m in getattr(meta, "metadata", [meta])]
        annotation = annotation.__origin__
    annotation = _strip_optional(annotation)
    if get_origin(annotation) is Literal:
        return "choice", [", ".join(str(a) for a in get_args(annotation))]
    names = {bool: "bool", int: "int", float: "float", str: "text"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation))), metadata


NOTHING = BiText("", "")


def same(text: str) -> BiText:
    return BiText(text, text)


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union other than None (``int | Literal['same', 'valid']``); [] for any other type."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    return [a for a in get_args(annotation) if a is not type(None)]


def _type_and_range(annotation: Any, metadata: Sequence[Any]) -> tuple[str, BiText]:
    annotation = _strip_optional(annotation)
    members = _members(annotation)
    if len(members) > 1 and not _models(annotation):
        # A value of either kind, e.g. padding: "int | choice · [0, 64] or same, valid". The field's own metadata
        # (ge/le beside the union) would apply to every member, so it is passed to each.
        described = [_type_and_range(m, metadata) for m in members]
        kinds = " | ".join(dict.fromkeys(kind for kind, _ in described))
        ranges = [r for _, r in described if r.en]
        return kinds, BiText(" 或 ".join(r.zh for r in ranges), " or ".join(r.en for r in ranges))
    origin, args = get_origin(annotation), get_args(annotation)
    if _models(annotation):
        return "layer", NOTHING  # text whose syntax its meaning spells out, e.g. 'conv k=3 s=2 p=1'
    if origin in (list, tuple):
        items = [a for a in args if a is not Ellipsis]
        element = items[0] if items else Any
        if get_origin(_strip_optional(element)) is tuple:
            return "matrix", NOTHING
        if _models(element):  # a layer, or a layer | residual block
            return "layers", NOTHING
        name, inner = _scalar(element)
        fixed = origin is tuple and Ellipsis not in args
        lo, hi = (len(args), len(args)) if fixed else _length(metadata)
        each = inner[0] if name == "choice" else _bound(inner)
        parts = [_count(lo, hi), BiText(f"每个取 {each}", f"each in {each}") if each else NOTHING]
        shown = [p for p in parts if p.en]
        return f"list[{name}]", BiText("，".join(p.zh for p in shown), ", ".join(p.en for p in shown))
    name, inner = _scalar(annotation)
    if name == "choice":
        return name, same(inner[0])
    if name == "bool":
        return name, same("true, false")
    bound = _bound([*metadata, *inner])
    return name, same(bound) if bound else _pattern([*metadata, *inner])


def _models(annotation: Any) -> bool:
    """A pydantic model, or a union of models (the stack families' ``Layer | Residual``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return all(_models(a) for a in get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def union_allowed(annotation: Any) -> str | None:
    """What a union field accepts, as one English phrase ("an integer in [0, 64], 'same' or 'valid'"), for the one
    error line that replaces pydantic's line per alternative; None when the field is not a union of several kinds
    (a union of layer models is one kind: its own parser words the errors).
    """
    annotation = _strip_optional(annotation)
    members = _members(annotation)
    if len(members) < 2 or _models(annotation):
        return None
    nouns = {"int": "an integer", "float": "a number", "text": "a text", "bool": "true or false"}
    items: list[str] = []
    for member in members:
        kind, allowed = _type_and_range(member, [])
        if kind == "choice":
            items += [f"'{choice}'" for choice in allowed.en.split(", ")]
        else:
            noun = nouns.get(kind, kind)
            items.append(f"{noun} in {allowed.en}" if allowed.en and kind in ("int", "float") else noun)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _count(lo: int | None, hi: int | None) -> BiText:
    if lo is not None and lo == hi:
        return BiText(f"{_number(lo)} 个值", f"{_number(lo)} values")
    if hi is not None:
        return BiText(f"{_number(lo or 0)}–{_number(hi)} 个值", f"{_number(lo or 0)}–{_number(hi)} values")
    if lo:
        return BiText(f"至少 {lo} 个值", f"at least {lo} values")
    return NOTHING


# ---------------------------------------------------------------- values as typed


def _typed(value: Any, *, exact: bool = True) -> str:
    """A value as ``solve`` reads it on the command line: every digit of a float when ``exact`` (an example must
    give back the same instance), else six significant figures (a default shown to the reader: 1/3 → 0.333333).
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if exact else f"{value:.6g}"
    text = getattr(value, "text", None)
    if isinstance(value, BaseModel) and callable(text):
        return str(text())  # a layer, in the syntax its own parser reads back
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, BaseModel) for v in value):
            return "; ".join(_typed(v) for v in value)
        if value and all(isinstance(v, (list, tuple)) for v in value):
            return "; ".join(" ".join(_typed(x, exact=exact) for x in row) for row in value)
        return ",".join(_typed(v, exact=exact) for v in value)
    return str(value)


def assignments(family: Family[Any], params: BaseModel) -> dict[str, str]:
    """The fewest ``key=value`` texts that ``parse_params`` turns back into ``params`` (the same dump).

    Every field is written out, then each is dropped again if the params come out the same without it
    (a default, or a value the model's validators fill in themselves, such as torch's default betas).
    """
    from quizzer.generators.registry import parse_params

    target = params.model_dump()

    def gives_params(values: dict[str, str]) -> bool:
        # Compared as dumped: a layer's stride=None and stride=1 are the same conv, and dump the same.
        try:
            return parse_params(family, values).model_dump() == target
        except QuizzerError:  # refused: a value the instance needs is missing
            return False

    every = {name: _typed(getattr(params, name)) for name in family.params_model.model_fields}
    # "none" only where it is a choice of its own (BatchNorm's momentum=None), not torch's default left unset.
    typed = {k: v for k, v in every.items() if v != "none"}
    if not gives_params(typed):
        typed = every
    for name in list(typed):
        fewer = {k: v for k, v in typed.items() if k != name}
        if gives_params(fewer):
            typed = fewer
    return typed


def example_command(family: Family[Any]) -> str:
    from quizzer.generators.registry import sample_params

    params = sample_params(family, EXAMPLE_SEED, family.difficulties[0])
    words = [f"{k}={shlex.quote(v)}" for k, v in assignments(family, params).items()]
    return " ".join(["quizzer", "solve", family.name, *words])
