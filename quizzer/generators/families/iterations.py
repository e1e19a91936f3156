"""Iterations (batches) per epoch and in total, as a torch DataLoader counts them."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.registry import register
from quizzer.text import BiText


class IterationsParams(Params):
    num_samples: int = Field(
        ge=1,
        le=100_000_000,
        description="training samples in the dataset",
        json_schema_extra={"zh": "数据集中的训练样本数"},
    )
    batch_size: int = Field(
        default=1,
        ge=1,
        le=100_000_000,
        description="DataLoader's batch_size",
        json_schema_extra={"zh": "DataLoader 的 batch_size"},
    )  # DataLoader's default
    epochs: int = Field(
        default=1, ge=1, le=100_000, description="number of epochs", json_schema_extra={"zh": "训练的 epoch 数"}
    )
    drop_last: bool = Field(
        default=False,
        description="DataLoader's drop_last: drop the last, incomplete batch",
        json_schema_extra={"zh": "DataLoader 的 drop_last：丢弃最后一个不完整的批次"},
    )
    quantity: Literal["per_epoch", "total"] = Field(
        default="total",
        description="per_epoch: iterations in one epoch; total: over all epochs",
        json_schema_extra={"zh": "per_epoch：一个 epoch 的迭代次数；total：所有 epoch 的总数"},
    )


def batches_per_epoch(num_samples: int, batch_size: int, drop_last: bool) -> int:
    """ceil(N / B), or floor(N / B) when the incomplete last batch is dropped."""
    full, rest = divmod(num_samples, batch_size)
    return full + (1 if rest and not drop_last else 0)


def per_epoch(p: IterationsParams) -> int:
    return batches_per_epoch(p.num_samples, p.batch_size, p.drop_last)


@register
class Iterations(Family[IterationsParams]):
    name = "iterations"
    topic = "epoch-batch-iteration"
    title = BiText("Epoch、Batch 与 Iteration：迭代次数", "Epochs, batches and iterations: counting iterations")
    answer_spec = AnswerSpec(kind="int")
    params_model = IterationsParams

    def sample(self, rng: random.Random, difficulty: int) -> IterationsParams:
        if difficulty == 1:
            b = rng.choice([50, 100, 250, 500])
            return IterationsParams(
                num_samples=b * rng.choice([10, 20, 40, 100, 120]),
                batch_size=b,
                epochs=rng.choice([5, 10, 20]),
                quantity=rng.choice(["per_epoch", "total"]),
            )
        if difficulty == 2:
            n = rng.choice([50_000, 60_000, 10_000, rng.randint(1000, 9999)])
            b = rng.choice([32, 64, 128, 256])
            while n % b == 0:
                n += rng.randint(1, 31)
            return IterationsParams(
                num_samples=n, batch_size=b, epochs=rng.choice([10, 20, 30, 100]), drop_last=rng.random() < 0.3
            )
        # ImageNet-1k's 1,281,167 training images, or an awkward size; drop_last either way.
        n = rng.choice([1_281_167, 73_257, rng.randint(100, 5000)])
        b = rng.choice([24, 48, 96, 100, 192, 256, 384, 512])
        while n % b == 0:
            n += 1
        return IterationsParams(
            num_samples=n, batch_size=b, epochs=rng.choice([3, 7, 90, 120]), drop_last=rng.random() < 0.5
        )

    def solve(self, p: IterationsParams) -> int:
        return per_epoch(p) * (p.epochs if p.quantity == "total" else 1)

    def verify(self, p: IterationsParams) -> int:
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        # expand() gives num_samples rows without allocating them; the DataLoader only needs the length.
        data = TensorDataset(torch.zeros(1).expand(p.num_samples, 1))
        loader = DataLoader(data, batch_size=p.batch_size, drop_last=p.drop_last)
        return len(loader) * (p.epochs if p.quantity == "total" else 1)

    def prompt(self, p: IterationsParams) -> BiText:
        ask_zh = (
            "每个 epoch 有多少次迭代（batch）？"
            if p.quantity == "per_epoch"
            else f"{p.epochs} 个 epoch 一共有多少次迭代（batch，即参数更新次数）？"
        )
        ask_en = (
            "How many iterations (batches) are there per epoch?"
            if p.quantity == "per_epoch"
            else f"How many iterations (batches, i.e. parameter updates) are there in total over the {p.epochs} epochs?"
        )
        return BiText(
            f"训练集有 {p.num_samples} 个样本，用 DataLoader(dataset, batch_size={p.batch_size}, drop_last={p.drop_last}) 读取，"
            f"共训练 {p.epochs} 个 epoch，每个 batch 做一次参数更新。{ask_zh}",
            f"A training set of {p.num_samples} samples is read with DataLoader(dataset, batch_size={p.batch_size}, "
            f"drop_last={p.drop_last}) for {p.epochs} epochs, with one parameter update per batch. {ask_en}",
        )

    def solution(self, p: IterationsParams) -> BiText:
        n, b = p.num_samples, p.batch_size
        per = per_epoch(p)
        if p.drop_last:
            line = f"⌊N / batch_size⌋ = ⌊{n} / {b}⌋ = {per}"
            why = BiText(
                "drop_last=True：最后不满一个 batch 的样本被丢弃，向下取整。",
                "drop_last=True: the incomplete last batch is dropped, so round down.",
            )
        else:
            line = f"⌈N / batch_size⌉ = ⌈{n} / {b}⌉ = {per}"
            why = BiText(
                "drop_last=False：最后不满的 batch 也算一次迭代，向上取整。",
                "drop_last=False: the incomplete last batch still counts as an iteration, so round up.",
            )
        if n % b == 0:
            why = BiText(
                "样本数正好整除 batch_size，不论 drop_last 都一样。",
                "The samples divide evenly into batches, so drop_last does not matter.",
            )
        text = BiText(f"每个 epoch 的迭代数 = {line}\n", f"iterations per epoch = {line}\n") + why
        if p.quantity == "total":
            total = per * p.epochs
            text += BiText(
                f"\n总迭代数 = 每 epoch 迭代数 × epochs = {per} × {p.epochs} = {total}",
                f"\ntotal iterations = per epoch × epochs = {per} × {p.epochs} = {total}",
            )
        return text

    def misconceptions(self, p: IterationsParams) -> list[Misconception]:
        n, b = p.num_samples, p.batch_size
        mult = p.epochs if p.quantity == "total" else 1
        other = per_epoch(p.model_copy(update={"drop_last": not p.drop_last}))
        out = [
            Misconception(
                "floor-ceil-swap",
                other * mult,
                BiText(
                    "取整方向反了：drop_last=True 时丢掉不完整的 batch（向下取整），False 时保留（向上取整）。",
                    "Rounded the wrong way: drop_last=True drops the incomplete batch (round down), False keeps it (round up).",
                ),
            ),
            Misconception(
                "counted-samples",
                n * mult,
                BiText(
                    "数的是样本数而不是 batch 数：一次迭代处理一个 batch。",
                    "You counted samples, not batches: one iteration processes a whole batch.",
                ),
            ),
            Misconception(
                "batches-equal-batch-size",
                b * mult,
                BiText(
                    "batch_size 是每个 batch 的样本数，不是 batch 的个数。",
                    "batch_size is the number of samples per batch, not the number of batches.",
                ),
            ),
        ]
        if p.quantity == "total":
            out.append(
                Misconception(
                    "forgot-epochs",
                    per_epoch(p),
                    BiText(
                        "这是一个 epoch 的迭代数，忘了乘以 epoch 数。",
                        "That is one epoch's count; you forgot to multiply by the number of epochs.",
                    ),
                )
            )
            if not p.drop_last and p.epochs > 1:
                out.append(
                    Misconception(
                        "pooled-epochs",
                        -(-n * p.epochs // b),
                        BiText(
                            "每个 epoch 单独分 batch：不完整的最后一个 batch 每个 epoch 都有一次，不会跨 epoch 拼起来。",
                            "Each epoch is batched on its own: the incomplete last batch occurs once per epoch; it is not merged across epochs.",
                        ),
                    )
                )
        return out

    def hints(self, p: IterationsParams) -> list[BiText]:
        n, b = p.num_samples, p.batch_size
        line = f"⌊{n} / {b}⌋" if p.drop_last else f"⌈{n} / {b}⌉"
        out = [
            BiText(
                "每个 batch 是一次迭代；最后不满的 batch 也算一次，除非 drop_last=True（向上或向下取整）；"
                "总迭代数 = 每个 epoch 的迭代数 × epochs。",
                "One iteration per batch; the incomplete last batch counts too unless drop_last=True (round up "
                "or down); total iterations = iterations per epoch × epochs.",
            ),
            BiText(f"每个 epoch 的迭代数 = {line}", f"iterations per epoch = {line}"),
        ]
        if p.quantity == "total":
            per = per_epoch(p)
            out.append(
                BiText(
                    f"每个 epoch {per} 次；总数 = {per} × {p.epochs} = ?",
                    f"{per} per epoch; total = {per} × {p.epochs} = ?",
                )
            )
        return out
