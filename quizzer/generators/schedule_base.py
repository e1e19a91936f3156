"""The contract of a learning-rate scheduler entry, and what families build on the table of them.

``Schedule`` is what one entry of ``quizzer.generators.schedules`` fills in; ``ScheduleParams`` and
``with_scheduler_args`` turn the table into a family's flat, strict params model (the names users type
to ``quizzer solve``); ``torch_run`` steps torch's real scheduler, importing torch only when called.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    model_validator,
)

from quizzer.generators.base import Misconception, Params, fmt, fmt_list, withhold_last
from quizzer.text import BiText

MAX_STEP = 10_000  # torch_run steps the real scheduler this many times at most


class Args(BaseModel):
    """A scheduler's constructor arguments under torch's names, with torch's defaults (no default: torch has none)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


A = TypeVar("A", bound=Args)


def same(text: str) -> BiText:
    """A formula line that reads the same in both languages."""
    return BiText(text, text)


def mistake(tag: str, value: float, zh: str, en: str) -> Misconception:
    return Misconception(tag, float(value), BiText(zh, en))


def call_text(name: str, kwargs: dict[str, Any]) -> str:
    """``Name(optimizer, key=value, …)`` with every value written as it would be typed in Python."""

    def text(v: Any) -> str:
        if isinstance(v, bool) or v is None:
            return str(v)
        if isinstance(v, str):
            return f"'{v}'"
        if isinstance(v, (list, tuple)):
            return fmt_list(v)
        return fmt(v)

    return f"{name}(optimizer, " + ", ".join(f"{k}={text(v)}" for k, v in kwargs.items()) + ")"


class Schedule(ABC, Generic[A]):
    """One scheduler. Subclass as ``Schedule[ItsArgs]``, set the class attributes, decorate with ``@schedule``."""

    name: ClassVar[str]  # what users type: scheduler=<name>
    torch_class: ClassVar[str]  # torch.optim.lr_scheduler.<torch_class>
    args_model: type[A]
    difficulties: ClassVar[tuple[int, ...]]  # the lr-schedule difficulties that draw this scheduler
    per_batch: ClassVar[bool] = False  # stepped every iteration (OneCycleLR) rather than every epoch
    step_args: ClassVar[tuple[str, ...]] = ()  # arguments of scheduler.step(), not of the constructor (metrics)
    concept: ClassVar[BiText]  # the first hint: what this scheduler does to the lr, in words

    def torch_kwargs(self, a: A) -> dict[str, Any]:
        """Keyword arguments of torch's constructor, in the order the prompt shows them."""
        return a.model_dump(exclude=set(self.step_args))

    def constructor(self, a: A) -> str:
        return call_text(self.torch_class, self.torch_kwargs(a))

    def make_torch(self, lr_scheduler: Any, optimizer: Any, a: A) -> Any:
        """torch's real scheduler around ``optimizer``; ``lr_scheduler`` is torch's module, imported by the caller."""
        return getattr(lr_scheduler, self.torch_class)(optimizer, **self.torch_kwargs(a))

    def torch_step(self, sched: Any, a: A, t: int) -> None:
        """The ``t``-th call (from 0) of torch's ``scheduler.step``."""
        sched.step()

    def step_call(self, a: A) -> str:
        """How the prompt writes one call of ``scheduler.step``."""
        return "scheduler.step()"

    def check(self, a: A, lr: float) -> None:
        """Raise ValueError when the arguments are legal one by one but ill-posed together (or with ``lr``)."""

    def last_step(self, a: A) -> int | None:
        """The last step torch can take, for schedulers with a fixed length."""
        return None

    def scale(self, a: A, lr: float) -> float:
        """The size of the lrs this schedule produces: graders scale absolute tolerances by it."""
        return lr

    def note(self, a: A, lr: float) -> BiText:
        """An extra sentence for the prompt."""
        return BiText("", "")

    @abstractmethod
    def lr_at(self, a: A, lr: float, t: int) -> float:
        """The closed form: the lr after ``t`` calls of ``scheduler.step()``, starting from ``lr``."""

    @abstractmethod
    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        """Arguments and ``step`` for an lr-schedule problem (``eta_min`` is drawn once for every scheduler)."""

    @abstractmethod
    def solution(self, a: A, lr: float, t: int) -> BiText:
        """The formula, then the numbers substituted."""

    def hints(self, a: A, lr: float, t: int) -> list[BiText]:
        """Graded hints: the scheduler in words, then the worked solution without its final result."""
        return [self.concept, withhold_last(self.solution(a, lr, t))]

    @abstractmethod
    def misconceptions(self, a: A, lr: float, t: int) -> list[Misconception]:
        """Mistakes particular to this scheduler (the off-by-one steps are common to all, see the family)."""


SCHEDULES: dict[str, Schedule[Any]] = {}
S = TypeVar("S", bound=Schedule[Any])


def schedule(cls: type[S]) -> type[S]:
    """Class decorator: file one instance of the scheduler under its name (table order is draw order)."""
    if cls.name in SCHEDULES:
        raise ValueError(f"scheduler {cls.name!r} is in the table twice")
    SCHEDULES[cls.name] = cls()
    return cls


# ---------------------------------------------------------------- what the families build on


class ScheduleParams(Params):
    """A family's params: ``scheduler``, the optimizer's ``lr`` and (from ``with_scheduler_args``) every argument
    of every scheduler the family offers, flat, as users type them. Only the chosen scheduler's may be given;
    its defaults are filled in, so a dump shows exactly what torch is called with.
    """

    scheduler: str = Field(
        description="which torch.optim.lr_scheduler; only its own arguments may be given",
        json_schema_extra={"zh": "使用哪个 torch.optim.lr_scheduler；只能给出它自己的参数"},
    )
    lr: float = Field(
        default=0.001,
        gt=0,
        le=10,
        description="the optimizer's initial lr (SGD's default 0.001)",
        json_schema_extra={"zh": "优化器的初始学习率（SGD 默认 0.001）"},
    )
    _args: Args | None = PrivateAttr(default=None)

    @property
    def schedule(self) -> Schedule[Any]:
        return SCHEDULES[self.scheduler]

    @property
    def args(self) -> Any:
        """The chosen scheduler's arguments as its typed ``Args`` model."""
        assert self._args is not None, "params built without validation"
        return self._args

    def lr_at(self, t: int) -> float:
        return self.schedule.lr_at(self.args, self.lr, t)

    def constructor(self) -> str:
        return self.schedule.constructor(self.args)

    @model_validator(mode="before")
    @classmethod
    def _chosen_args_only(cls, data: Any) -> Any:
        """Reject arguments the chosen scheduler does not take, require the ones torch requires, fill torch's defaults.

        ``None`` counts as not given, so a model dump (which holds every field) validates again.
        """
        offered = get_args(cls.model_fields["scheduler"].annotation)
        if not isinstance(data, dict) or data.get("scheduler") not in offered:
            return data  # the Literal on ``scheduler`` reports a bad or missing name
        chosen = SCHEDULES[data["scheduler"]]
        own = chosen.args_model.model_fields
        # Only the offered schedulers' arguments count as foreign: a family's own field may share a name with an
        # argument of a scheduler it does not offer (lr-threshold-step's threshold, ReduceLROnPlateau's threshold).
        family_args = {k for name in offered for k in SCHEDULES[name].args_model.model_fields}
        # A foreign argument first: it usually means another scheduler was meant, which explains what is missing too.
        foreign = sorted(k for k in family_args if k not in own and data.get(k) is not None)
        if foreign:
            raise ValueError(
                f"{foreign[0]} is not an argument of {chosen.torch_class} (scheduler={chosen.name}); "
                f"it takes: {', '.join(own)}"
            )
        missing = [k for k, field in own.items() if field.is_required() and data.get(k) is None]
        if missing:
            raise ValueError(f"{chosen.torch_class} (scheduler={chosen.name}) needs {' and '.join(missing)}")
        # A name two schedulers share with different choices (mode) accepts either's on the flat model: check this one's.
        for k, field in own.items():
            choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else ()
            if choices and data.get(k) is not None and data[k] not in choices:
                raise ValueError(
                    f"{k} of {chosen.torch_class} is one of {', '.join(repr(c) for c in choices)}; got {data[k]!r}"
                )
        return {**data, **{k: field.default for k, field in own.items() if data.get(k) is None}}

    @model_validator(mode="after")
    def _typed_args(self) -> ScheduleParams:
        chosen = self.schedule
        args = chosen.args_model.model_validate({k: getattr(self, k) for k in chosen.args_model.model_fields})
        chosen.check(args, self.lr)
        self._args = args
        return self


PS = TypeVar("PS", bound=ScheduleParams)


def with_scheduler_args(base: type[PS], names: Sequence[str] | None = None) -> type[PS]:
    """``base`` with a ``scheduler`` choice among ``names`` (default: the whole table) and every argument they take.

    Each argument becomes an optional field with the constraints its scheduler declares, so the CLI's
    ``key=value`` parsing and pydantic's error locations work on the flat model as on a hand-written one.
    """
    import quizzer.generators.schedules  # noqa: F401  (the table fills SCHEDULES as it is imported)

    chosen = [SCHEDULES[n] for n in (names or list(SCHEDULES))]
    scheduler = base.model_fields["scheduler"]
    fields: dict[str, Any] = {
        "scheduler": (
            Literal[tuple(s.name for s in chosen)],
            Field(description=scheduler.description, json_schema_extra=scheduler.json_schema_extra),
        )
    }
    seen: dict[str, tuple[Any, list[Any]]] = {}
    annotations: dict[str, Any] = {}
    meanings: dict[str, list[tuple[str, str]]] = {}  # each distinct (en, zh) meaning, in table order
    for s in chosen:
        for key, info in s.args_model.model_fields.items():
            shape = (info.annotation, info.metadata)
            if key in seen and seen[key] != shape:
                if not (_is_choice(seen[key]) and _is_choice(shape)):
                    raise TypeError(
                        f"argument {key!r} is declared differently by two schedulers; one name, one meaning"
                    )
                # torch spells two choices alike (CyclicLR's and ReduceLROnPlateau's mode): the flat field takes
                # either scheduler's choices, and _chosen_args_only holds each scheduler to its own.
                shape = (Literal[(*get_args(seen[key][0]), *get_args(info.annotation))], [])
                annotations[key] = shape[0] | None
                seen[key] = shape
            if key not in seen:
                seen[key] = shape
                optional = info.annotation | None
                annotations[key] = Annotated[(optional, *info.metadata)] if info.metadata else optional
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            meaning = (info.description or "", str(extra.get("zh", "")))
            if meaning not in meanings.setdefault(key, []):
                meanings[key].append(meaning)
    # The meaning travels with the argument (`quizzer families` lists the flat model's fields): a name several
    # offered schedulers share lists each distinct meaning, so a family shows only those of its own schedulers.
    for key, annotation in annotations.items():
        en, zh = "; ".join(m[0] for m in meanings[key]), "；".join(m[1] for m in meanings[key])
        fields[key] = (annotation, Field(default=None, description=en, json_schema_extra={"zh": zh}))
    return create_model(base.__name__, __base__=base, __module__=base.__module__, **fields)


def _is_choice(shape: tuple[Any, list[Any]]) -> bool:
    return get_origin(shape[0]) is Literal and not shape[1]


def torch_run(schedule_: Schedule[Any], args: Args, lr: float, stop: Callable[[int, float], bool]) -> tuple[int, float]:
    """Step torch's real scheduler (after ``optimizer.step()``) until ``stop(t, lr)``; return that (t, lr)."""
    import warnings

    import torch
    from torch.optim import lr_scheduler

    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's advice about step order and epoch arguments is not for us
        sched = schedule_.make_torch(lr_scheduler, opt, args)
        t = 0
        while not stop(t, float(opt.param_groups[0]["lr"])):
            opt.step()
            schedule_.torch_step(sched, args, t)
            t += 1
    return t, float(opt.param_groups[0]["lr"])
