"""Parameter updates in one epoch of batch, mini-batch and stochastic gradient descent."""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, given
from quizzer.generators.families.iterations import batches_per_epoch
from quizzer.generators.registry import register
from quizzer.text import BiText

MAX_VERIFY_UPDATES = 100_000  # verify really iterates the loader, one optimizer step per batch

METHOD = {
    "batch": BiText(
        "批量梯度下降（batch GD，每次用全部样本）", "batch gradient descent (every update uses the whole training set)"
    ),
    "minibatch": BiText("小批量梯度下降（mini-batch GD）", "mini-batch gradient descent"),
    "sgd": BiText("随机梯度下降（SGD，每次一个样本）", "stochastic gradient descent (SGD, one sample per update)"),
}


class UpdatesParams(Params):
    method: Literal["batch", "minibatch", "sgd"] = Field(
        description="batch GD (whole set), mini-batch GD or SGD (one sample per update)",
        json_schema_extra={"zh": "批量梯度下降（全部样本）、小批量梯度下降或 SGD（每次一个样本）"},
    )
    num_samples: int = Field(
        ge=1,
        le=10_000_000,
        description="training samples in the dataset",
        json_schema_extra={"zh": "数据集中的训练样本数"},
    )
    # For mini-batch GD the batch size; for the other two only a point of comparison shown in the prompt.
    batch_size: int | None = Field(
        default=None,
        ge=1,
        description="mini-batch size (needed for method=minibatch; otherwise only shown for comparison)",
        json_schema_extra={"zh": "小批量大小（method=minibatch 时必填；其他方法仅作对比）"},
    )
    drop_last: bool | None = Field(
        default=None,
        description="drop the last, incomplete batch (default false); only with method=minibatch",
        json_schema_extra={"zh": "丢弃最后一个不完整的批次（默认 false）；仅用于 method=minibatch"},
    )

    @model_validator(mode="before")
    @classmethod
    def _default_drop_last(cls, data: Any) -> Any:
        # DataLoader's default, but only where a partial batch can exist; None means "not applicable".
        if isinstance(data, dict) and data.get("method") == "minibatch" and data.get("drop_last") is None:
            return {**data, "drop_last": False}
        return data

    @model_validator(mode="after")
    def _well_posed(self) -> UpdatesParams:
        if self.method == "minibatch":
            if self.batch_size is None:
                raise ValueError("mini-batch gradient descent needs batch_size")
            if self.batch_size >= self.num_samples:
                raise ValueError(
                    f"batch_size={self.batch_size} covers the whole set of {self.num_samples} samples: "
                    "that is batch gradient descent (method=batch)"
                )
        elif self.drop_last is not None:
            raise ValueError(f"drop_last only applies to method=minibatch; {self.method} has no partial batch")
        if updates(self) > MAX_VERIFY_UPDATES:
            raise ValueError(f"more than {MAX_VERIFY_UPDATES} updates per epoch; use fewer samples or larger batches")
        return self


def loader_batch_size(p: UpdatesParams) -> int:
    if p.method == "batch":
        return p.num_samples
    return 1 if p.method == "sgd" else given(p.batch_size)


def updates(p: UpdatesParams) -> int:
    if p.method == "batch":
        return 1
    if p.method == "sgd":
        return p.num_samples
    return batches_per_epoch(p.num_samples, given(p.batch_size), given(p.drop_last))


@register
class UpdatesPerEpoch(Family[UpdatesParams]):
    name = "updates-per-epoch"
    topic = "gradient-descent"
    title = BiText("一个 epoch 内的参数更新次数", "Parameter updates in one epoch")
    answer_spec = AnswerSpec(kind="int")
    params_model = UpdatesParams

    def sample(self, rng: random.Random, difficulty: int) -> UpdatesParams:
        # Sizes stay small enough that verify's real loop (one optimizer step per batch) stays cheap.
        if difficulty == 1:
            method: Literal["batch", "minibatch", "sgd"] = rng.choice(["batch", "minibatch", "sgd"])
            b = rng.choice([10, 20, 25, 50])
            n = b * rng.randint(2, 10) if method == "minibatch" else rng.choice([50, 100, 120, 200])
            return UpdatesParams(
                method=method, num_samples=n, batch_size=b, drop_last=False if method == "minibatch" else None
            )
        if difficulty == 2:
            method = rng.choice(["minibatch", "minibatch", "sgd", "batch"])
            b = rng.choice([16, 32, 64])
            n = rng.randint(3 * b, 150 * b) if method == "minibatch" else rng.randint(30, 200)
            while n % b == 0:
                n += 1
            return UpdatesParams(
                method=method, num_samples=n, batch_size=b, drop_last=False if method == "minibatch" else None
            )
        n = rng.choice([50_000, 60_000, rng.randint(500, 20_000)])
        b = rng.choice([256, 500, 512, 1000]) if n >= 50_000 else rng.choice([100, 128, 200, 300])
        while n % b == 0:
            n += rng.randint(1, 9)
        return UpdatesParams(method="minibatch", num_samples=n, batch_size=b, drop_last=rng.random() < 0.5)

    def solve(self, p: UpdatesParams) -> int:
        return updates(p)

    def verify(self, p: UpdatesParams) -> int:
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Indices(Dataset):
            """Hands the DataLoader's index batches straight through, so fetching a batch costs nothing."""

            def __len__(self) -> int:
                return p.num_samples

            def __getitem__(self, i: int) -> int:
                return i

            def __getitems__(self, idx: list[int]) -> list[int]:
                return idx

        w = torch.zeros(1, requires_grad=True)
        w.grad = torch.ones(1)
        opt = torch.optim.SGD([w], lr=0.1)
        steps = 0

        def count(*_: object) -> None:
            nonlocal steps
            steps += 1

        opt.register_step_post_hook(count)
        loader = DataLoader(Indices(), batch_size=loader_batch_size(p), drop_last=bool(p.drop_last), collate_fn=len)
        for _ in loader:
            opt.step()
        return steps

    def prompt(self, p: UpdatesParams) -> BiText:
        zh = f"训练集有 {p.num_samples} 个样本，用{METHOD[p.method].zh}训练。"
        en = f"A training set has {p.num_samples} samples and is trained with {METHOD[p.method].en}."
        if p.method == "minibatch":
            zh += f"batch_size={p.batch_size}，drop_last={p.drop_last}。"
            en += f" batch_size={p.batch_size}, drop_last={p.drop_last}."
        elif p.batch_size:
            zh += f"（作为对比：小批量梯度下降会用 batch_size={p.batch_size}。）"
            en += f" (For comparison, mini-batch gradient descent would use batch_size={p.batch_size}.)"
        return BiText(zh + "一个 epoch 内参数一共更新多少次？", en + " How many parameter updates happen in one epoch?")

    def solution(self, p: UpdatesParams) -> BiText:
        n, u = p.num_samples, updates(p)
        if p.method == "batch":
            return BiText(
                f"批量梯度下降每次更新都用全部样本的平均梯度，相当于 batch_size = N：\n更新次数 = N / N = {n} / {n} = 1",
                f"Batch GD averages the gradient over all samples before each update, i.e. batch_size = N:\n"
                f"updates = N / N = {n} / {n} = 1",
            )
        if p.method == "sgd":
            return BiText(
                f"SGD 每看一个样本就更新一次，相当于 batch_size = 1：\n更新次数 = N / 1 = {n} / 1 = {n}",
                f"SGD updates after every single sample, i.e. batch_size = 1:\nupdates = N / 1 = {n} / 1 = {n}",
            )
        b = p.batch_size
        if p.drop_last:
            line = f"⌊N / batch_size⌋ = ⌊{n} / {b}⌋ = {u}"
            zh, en = (
                "drop_last=True：不满的最后一个 batch 被丢弃，向下取整。",
                "drop_last=True: the incomplete last batch is dropped, round down.",
            )
        else:
            line = f"⌈N / batch_size⌉ = ⌈{n} / {b}⌉ = {u}"
            zh, en = (
                "drop_last=False：不满的最后一个 batch 也更新一次，向上取整。",
                "drop_last=False: the incomplete last batch is one more update, round up.",
            )
        return BiText(f"每个 batch 更新一次：{line}\n{zh}", f"One update per batch: {line}\n{en}")

    def misconceptions(self, p: UpdatesParams) -> list[Misconception]:
        n, b = p.num_samples, p.batch_size
        out = []
        if p.method != "sgd":
            out.append(
                Misconception(
                    "one-per-sample",
                    n,
                    BiText(
                        "每个样本更新一次是 SGD；这里每次更新用的是一个 batch（批量 GD 是整个数据集）。",
                        "One update per sample is SGD; here each update consumes a batch (for batch GD, the whole set).",
                    ),
                )
            )
        if p.method != "batch":
            out.append(
                Misconception(
                    "one-per-epoch",
                    1,
                    BiText(
                        "一个 epoch 只更新一次的是批量梯度下降；这里每个 batch/样本都更新一次。",
                        "One update per epoch is batch GD; here every batch (or sample) triggers an update.",
                    ),
                )
            )
        if b:
            mini = n // b + (1 if n % b and not p.drop_last else 0)
            if p.method == "minibatch":
                out.append(
                    Misconception(
                        "floor-ceil-swap",
                        n // b if mini != n // b else -(-n // b),
                        BiText(
                            "取整方向反了：drop_last=True 丢掉不完整的 batch（向下取整），False 保留它（向上取整）。",
                            "Rounded the wrong way: drop_last=True drops the incomplete batch (round down), False keeps it (round up).",
                        ),
                    )
                )
                out.append(
                    Misconception(
                        "batches-equal-batch-size",
                        b,
                        BiText(
                            "batch_size 是每个 batch 的样本数，不是 batch 的个数。",
                            "batch_size is the samples per batch, not the number of batches.",
                        ),
                    )
                )
            else:
                out.append(
                    Misconception(
                        "counted-minibatches",
                        mini,
                        BiText(
                            f"这是 batch_size={b} 的小批量梯度下降的更新次数；题目问的是{METHOD[p.method].zh}。",
                            f"That is the count for mini-batch GD with batch_size={b}; the question is about {METHOD[p.method].en}.",
                        ),
                    )
                )
        return out

    def hints(self, p: UpdatesParams) -> list[BiText]:
        concept = BiText(
            "一个 batch 更新一次参数：批量梯度下降每次用全部样本，SGD 每次一个样本，小批量每次 "
            "batch_size 个"
            "（不满的最后一个 batch 也更新一次，除非 drop_last=True）。",
            "One update per batch: batch GD uses the whole training set per update, SGD one sample, "
            "mini-batch GD batch_size samples (the incomplete last batch is one more update unless "
            "drop_last=True).",
        )
        n = p.num_samples
        if p.method == "batch":
            return [
                concept,
                BiText(
                    f"这里 batch_size = N = {n}：一个 epoch 里有几个 batch？",
                    f"Here batch_size = N = {n}: how many batches make one epoch?",
                ),
            ]
        if p.method == "sgd":
            return [
                concept,
                BiText(
                    f"这里 batch_size = 1，N = {n}：一个 epoch 里有几个 batch？",
                    f"Here batch_size = 1 and N = {n}: how many batches make one epoch?",
                ),
            ]
        b = given(p.batch_size)
        line = f"⌊{n} / {b}⌋" if p.drop_last else f"⌈{n} / {b}⌉"
        return [concept, BiText(f"更新次数 = {line}", f"updates = {line}")]
