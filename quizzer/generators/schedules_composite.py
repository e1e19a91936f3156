"""Table entries for SequentialLR and ChainedScheduler, whose ``schedulers`` argument is a list of schedulers.

Users write that list as text, one scheduler per ``;``, each as the table name (or torch's class name)
with its arguments in parentheses, e.g. ``schedulers='linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'``.
The text is read by a small tokenizer here and every argument is validated by the scheduler's own args
model: nothing of it is ever evaluated.

Closed forms, as torch runs them:
- SequentialLR hands step t to the scheduler whose phase contains t and restarts that scheduler at its
  own epoch 0 at the milestone (``_update_lr(0)``, torch's closed form from the initial lr), so
  phase k's lr is its scheduler's closed form at t − milestone_k.
- ChainedScheduler steps every scheduler in turn on the same lr; the schedulers offered here update
  the lr by multiplication, so the lr is the initial lr times the product of their factors.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from functools import lru_cache
from itertools import pairwise
from typing import Any

from pydantic import Field, ValidationError

from quizzer.generators.base import Misconception, fmt
from quizzer.generators.schedule_base import SCHEDULES, Args, Schedule, mistake, schedule
from quizzer.text import BiText

# Schedulers that may stand inside a composite. SequentialLR restarts a phase through torch's closed form,
# which these have (CosineAnnealingWarmRestarts has none and would resume mid-cycle); ChainedScheduler needs
# updates that multiply the lr, which the cosine's recursion does not.
SEQUENTIAL_PARTS = ("constant", "linear", "step", "multistep", "exponential", "cosine", "polynomial")
CHAINED_PARTS = ("constant", "linear", "step", "multistep", "exponential", "polynomial")
MAX_PARTS = 10

Part = tuple[Schedule[Any], Args]
_ITEM = re.compile(r"^\s*([A-Za-z][\w-]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets: ``milestones=[30, 80], gamma=0.1`` keeps the list whole."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in {text.strip()!r}")
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth:
        raise ValueError(f"unbalanced brackets in {text.strip()!r}")
    return [*parts, text[start:]]


def _value(raw: str) -> Any:
    """One argument's text as pydantic will validate it: a list stays a list, quotes are dropped."""
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return [v.strip() for v in raw[1:-1].split(",") if v.strip()]
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return {"True": True, "False": False, "None": None}.get(raw, raw)


def _entry(word: str, allowed: tuple[str, ...], owner: str) -> Schedule[Any]:
    by_name = {n: SCHEDULES[n] for n in allowed}
    by_class = {s.torch_class.lower(): s for s in by_name.values()}
    found = by_name.get(word.lower()) or by_class.get(word.lower())
    if found is None:
        names = ", ".join(f"{n} ({SCHEDULES[n].torch_class})" for n in allowed)
        raise ValueError(f"{owner} cannot hold {word!r}; it takes: {names}")
    return found


@lru_cache(maxsize=256)
def parse_parts(text: str, allowed: tuple[str, ...], owner: str) -> tuple[Part, ...]:
    """``'linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'`` → the entries with their validated Args."""
    items = [t for t in _split_top(text, ";") if t.strip()]
    if not items:
        raise ValueError(
            f"{owner} needs at least one scheduler, e.g. schedulers='linear(total_iters=5); cosine(T_max=95)'"
        )
    if len(items) > MAX_PARTS:
        raise ValueError(f"{owner}: at most {MAX_PARTS} schedulers")
    out = []
    for n, item in enumerate(items, start=1):
        m = _ITEM.match(item)
        if not m:
            raise ValueError(f"scheduler {n} {item.strip()!r}: write name(key=value, …), e.g. cosine(T_max=95)")
        entry = _entry(m.group(1), allowed, owner)
        kwargs: dict[str, Any] = {}
        for pair in _split_top(m.group(2) or "", ","):
            if not pair.strip():
                continue
            key, eq, raw = pair.partition("=")
            if not eq or not key.strip().isidentifier():
                raise ValueError(f"scheduler {n} ({entry.torch_class}): expected key=value, got {pair.strip()!r}")
            kwargs[key.strip()] = _value(raw)
        try:
            args = entry.args_model.model_validate(kwargs)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise ValueError(
                f"scheduler {n} ({entry.torch_class}): {where}: {err['msg'].removeprefix('Value error, ')}"
            ) from None
        entry.check(args, 1.0)
        out.append((entry, args))
    return tuple(out)


def parts_text(parts: tuple[Part, ...]) -> str:
    return "[" + ", ".join(s.constructor(a) for s, a in parts) + "]"


def _sample_part(rng: random.Random, name: str, span: int, lr: float) -> str:
    """The text of one drawn scheduler lasting about ``span`` steps."""
    if name == "linear":
        return f"linear(start_factor={rng.choice([0.1, 0.01, 0.25])}, total_iters={span})"
    if name == "constant":
        return f"constant(factor={rng.choice([0.1, 0.5])}, total_iters={span})"
    if name == "cosine":
        return f"cosine(T_max={span}, eta_min={rng.choice([0, lr / 100])})"
    if name == "step":
        return f"step(step_size={max(1, span // 3)}, gamma={rng.choice([0.5, 0.1])})"
    if name == "multistep":
        return f"multistep(milestones=[{span // 2}, {3 * span // 4}], gamma={rng.choice([0.5, 0.1])})"
    return f"exponential(gamma={rng.choice([0.9, 0.95])})"


class SequentialArgs(Args):
    schedulers: str = Field(
        min_length=1,
        description="schedulers in order, one per ';', e.g. 'linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'",
        json_schema_extra={
            "zh": "按顺序列出的调度器，每个用 ';' 分隔，如 'linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'"
        },
    )
    milestones: list[int] = Field(
        description="SequentialLR: the steps at which the next scheduler takes over, increasing, e.g. 5",
        json_schema_extra={"zh": "SequentialLR：切换到下一个调度器的步数，递增，如 5"},
    )


@schedule
class Sequential(Schedule[SequentialArgs]):
    name, torch_class, args_model, difficulties = "sequential", "SequentialLR", SequentialArgs, (3,)
    concept = BiText(
        "SequentialLR 按 milestones 把步数切成几段，每段交给一个调度器；到达 milestone 时下一个调度器从它自己的第 0 步开始。"
        "先找 t 所在的段，再用 t − 该段起点 代入那个调度器。",
        "SequentialLR cuts the steps into phases at the milestones and gives each phase to one scheduler; at a "
        "milestone the next scheduler starts from its own step 0. Find t's phase, then use t − the phase's start "
        "in that scheduler.",
    )

    def parts(self, a: SequentialArgs) -> tuple[Part, ...]:
        return parse_parts(a.schedulers, SEQUENTIAL_PARTS, "SequentialLR")

    def constructor(self, a: SequentialArgs) -> str:
        return f"SequentialLR(optimizer, schedulers={parts_text(self.parts(a))}, milestones=[{', '.join(map(str, a.milestones))}])"

    def make_torch(self, lr_scheduler: Any, optimizer: Any, a: SequentialArgs) -> Any:
        inner = [s.make_torch(lr_scheduler, optimizer, args) for s, args in self.parts(a)]
        return lr_scheduler.SequentialLR(optimizer, schedulers=inner, milestones=list(a.milestones))

    def check(self, a: SequentialArgs, lr: float) -> None:
        parts, ms = self.parts(a), a.milestones
        if len(ms) != len(parts) - 1:
            raise ValueError(
                f"SequentialLR needs one milestone fewer than schedulers: {len(parts)} schedulers, {len(ms)} milestones"
            )
        if ms and (ms[0] < 1 or any(y <= x for x, y in pairwise(ms))):
            raise ValueError("milestones must be positive and strictly increasing, e.g. milestones=5,50")
        for s, args in parts:
            s.check(args, lr)

    def phase(self, a: SequentialArgs, t: int) -> tuple[int, int]:
        """(index of the scheduler in charge at t, the step its phase starts at)."""
        k = bisect_right(a.milestones, t)
        return k, (a.milestones[k - 1] if k else 0)

    def lr_at(self, a: SequentialArgs, lr: float, t: int) -> float:
        k, start = self.phase(a, t)
        s, args = self.parts(a)[k]
        return s.lr_at(args, lr, t - start)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        warm = rng.randint(3, 10)
        first = rng.choice(["linear", "linear", "constant"])
        second = rng.choice(["cosine", "exponential", "step", "multistep"])
        span = rng.choice([20, 50, 90])
        text = f"{_sample_part(rng, first, warm, lr)}; {_sample_part(rng, second, span, lr)}"
        return dict(
            schedulers=text, milestones=[warm], step=rng.choice([rng.randint(0, warm), warm + rng.randint(0, span)])
        )

    def solution(self, a: SequentialArgs, lr: float, t: int) -> BiText:
        k, start = self.phase(a, t)
        s, args = self.parts(a)[k]
        if k == 0:
            head = BiText(
                f"t={t} 在第一个 milestone 之前：由 {s.torch_class} 负责，按它自己的第 {t} 步计算\n",
                f"t={t} is before the first milestone: {s.torch_class} is in charge, at its own step {t}\n",
            )
        else:
            head = BiText(
                f"milestone {start} ≤ t={t}：由第 {k + 1} 个调度器 {s.torch_class} 负责，它在 milestone 处从 0 重新计数，"
                f"j = t − {start} = {t - start}\n",
                f"milestone {start} ≤ t={t}: scheduler {k + 1}, {s.torch_class}, is in charge; it counts from 0 at "
                f"the milestone, j = t − {start} = {t - start}\n",
            )
        return head + s.solution(args, lr, t - start)

    def misconceptions(self, a: SequentialArgs, lr: float, t: int) -> list[Misconception]:
        k, start = self.phase(a, t)
        s, args = self.parts(a)[k]
        out = list(s.misconceptions(args, lr, t - start))
        if k > 0:
            out.append(
                mistake(
                    "phase-from-zero",
                    s.lr_at(args, lr, t),
                    f"{s.torch_class} 在 milestone {start} 处从自己的第 0 步开始：用 t − {start}，不是 t。",
                    f"{s.torch_class} starts at its own step 0 at milestone {start}: use t − {start}, not t.",
                )
            )
            prev, prev_args = self.parts(a)[k - 1]
            out.append(
                mistake(
                    "previous-phase",
                    prev.lr_at(prev_args, lr, t - (a.milestones[k - 2] if k > 1 else 0)),
                    f"到达 milestone {start} 时（含这一步）已换成下一个调度器。",
                    f"At milestone {start} (inclusive) the next scheduler has already taken over.",
                )
            )
        return out


class ChainedArgs(Args):
    schedulers: str = Field(
        min_length=1,
        description="schedulers in order, one per ';', e.g. 'linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'",
        json_schema_extra={
            "zh": "按顺序列出的调度器，每个用 ';' 分隔，如 'linear(start_factor=0.1, total_iters=5); cosine(T_max=95)'"
        },
    )


@schedule
class Chained(Schedule[ChainedArgs]):
    name, torch_class, args_model, difficulties = "chained", "ChainedScheduler", ChainedArgs, (3,)
    concept = BiText(
        "ChainedScheduler 每一步依次调用每个调度器的 step()，它们都作用在同一个 lr 上；这里的调度器都是乘法更新，"
        "所以 lr = 初始 lr × 各调度器在第 t 步的因子之积。",
        "ChainedScheduler calls every scheduler's step() in turn on the same lr; the schedulers here update by "
        "multiplication, so lr = initial lr × the product of every scheduler's factor at step t.",
    )

    def parts(self, a: ChainedArgs) -> tuple[Part, ...]:
        return parse_parts(a.schedulers, CHAINED_PARTS, "ChainedScheduler")

    def constructor(self, a: ChainedArgs) -> str:
        return f"ChainedScheduler({parts_text(self.parts(a))})"

    def make_torch(self, lr_scheduler: Any, optimizer: Any, a: ChainedArgs) -> Any:
        inner = [s.make_torch(lr_scheduler, optimizer, args) for s, args in self.parts(a)]
        return lr_scheduler.ChainedScheduler(inner, optimizer=optimizer)

    def check(self, a: ChainedArgs, lr: float) -> None:
        for s, args in self.parts(a):
            s.check(args, lr)

    def factors(self, a: ChainedArgs, t: int) -> list[float]:
        return [s.lr_at(args, 1.0, t) for s, args in self.parts(a)]

    def lr_at(self, a: ChainedArgs, lr: float, t: int) -> float:
        out = lr
        for f in self.factors(a, t):
            out *= f
        return out

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        n = rng.randint(3, 8)
        first = rng.choice(
            [
                f"constant(factor={rng.choice([0.1, 0.5])}, total_iters={n})",
                f"linear(start_factor=0.1, total_iters={n})",
            ]
        )
        second = _sample_part(rng, rng.choice(["exponential", "step", "multistep"]), rng.choice([20, 40]), lr)
        return dict(schedulers=f"{first}; {second}", step=rng.randint(0, 3 * n))

    def solution(self, a: ChainedArgs, lr: float, t: int) -> BiText:
        zh = ["每个调度器在第 t 步的因子（它单独作用于 lr = 1 时的值）："]
        en = ["Each scheduler's factor at step t (its value alone on lr = 1):"]
        for (s, _), f in zip(self.parts(a), self.factors(a, t), strict=True):
            zh.append(f"  {s.torch_class}: {fmt(f)}")
            en.append(f"  {s.torch_class}: {fmt(f)}")
        product = "·".join(fmt(f) for f in self.factors(a, t))
        tail = f"lr_{t} = lr·{product} = {fmt(lr)}·{product} = {fmt(self.lr_at(a, lr, t))}"
        return BiText("\n".join([*zh, tail]), "\n".join([*en, tail]))

    def misconceptions(self, a: ChainedArgs, lr: float, t: int) -> list[Misconception]:
        parts = self.parts(a)
        last, last_args = parts[-1]
        first, first_args = parts[0]
        return [
            mistake(
                "last-only",
                last.lr_at(last_args, lr, t),
                "ChainedScheduler 不是只用最后一个调度器：每个调度器的因子都要乘上去。",
                "ChainedScheduler does not use the last scheduler alone: every scheduler's factor multiplies in.",
            ),
            mistake(
                "first-only",
                first.lr_at(first_args, lr, t),
                "其余调度器同时在起作用：把每个因子都乘上。",
                "The other schedulers act at the same time: multiply every factor in.",
            ),
        ]
