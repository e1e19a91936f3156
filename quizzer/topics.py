"""The 13 topics, one per section of the learner's notes, in the notes' order."""

from __future__ import annotations

from typing import Literal

TopicSlug = Literal[
    "activations",
    "gradients",
    "regularization-normalization",
    "gradient-descent",
    "epoch-batch-iteration",
    "cnn",
    "conv1x1",
    "receptive-field",
    "pooling",
    "lr-decay",
    "momentum",
    "residual",
    "batchnorm-layernorm",
]

# (slug, section number in the notes, zh title, en title)
TOPICS: tuple[tuple[str, int, str, str], ...] = (
    ("activations", 1, "激活函数", "Activation functions"),
    ("gradients", 2, "梯度消失与梯度爆炸", "Vanishing and exploding gradients"),
    ("regularization-normalization", 3, "正则化与规范化", "Regularization vs normalization"),
    ("gradient-descent", 4, "批量与随机梯度下降", "Batch vs stochastic gradient descent"),
    ("epoch-batch-iteration", 5, "Epoch、Batch 与 Iteration", "Epoch, batch and iteration"),
    ("cnn", 6, "卷积神经网络及其参数", "CNNs and their parameters"),
    ("conv1x1", 7, "1×1 卷积", "1×1 convolutions"),
    ("receptive-field", 8, "感受野", "Receptive field"),
    ("pooling", 9, "池化", "Pooling"),
    ("lr-decay", 10, "学习率衰减", "Learning-rate decay"),
    ("momentum", 11, "动量", "Momentum"),
    ("residual", 12, "残差连接", "Residual connections"),
    ("batchnorm-layernorm", 13, "BatchNorm 与 LayerNorm", "BatchNorm vs LayerNorm"),
)

TOPIC_SLUGS: tuple[str, ...] = tuple(t[0] for t in TOPICS)
SECTION_OF: dict[str, int] = {t[0]: t[1] for t in TOPICS}
