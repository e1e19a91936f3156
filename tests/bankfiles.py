"""Small valid bank items for tests, as dicts and YAML text."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def single_item(item_id: str = "t-single", **overrides: Any) -> dict[str, Any]:
    item = {
        "id": item_id,
        "topic": "pooling",
        "kind": "single",
        "difficulty": 1,
        "section": 9,
        "tags": ["max-pooling"],
        "prompt": text(
            "2×2 最大池化作用于 [[1, 3], [2, 0]] 的输出？", "Output of 2×2 max pooling on [[1, 3], [2, 0]]?"
        ),
        "options": [
            {"text": text("3", "3"), "why": text("取最大值。", "It keeps the maximum.")},
            {"text": text("1.5", "1.5"), "why": text("那是平均池化。", "That is average pooling.")},
        ],
        "answer": "A",
        "explanation": text("最大池化保留窗口最大值。", "Max pooling keeps the window maximum."),
    }
    item.update(overrides)
    return item


def multi_item(item_id: str = "t-multi", **overrides: Any) -> dict[str, Any]:
    item = single_item(item_id, kind="multi", answer=["A"])
    item.update(overrides)
    return item


def numeric_item(item_id: str = "t-numeric", **overrides: Any) -> dict[str, Any]:
    item = {
        "id": item_id,
        "topic": "activations",
        "kind": "numeric",
        "difficulty": 2,
        "section": 1,
        "prompt": text("sigmoid 在 0 处的导数？", "The derivative of sigmoid at 0?"),
        "value": 0.25,
        "tolerance": 0.001,
        "explanation": text("σ'(0)=σ(0)(1−σ(0))=0.25。", "σ'(0) = σ(0)(1−σ(0)) = 0.25."),
    }
    item.update(overrides)
    return item


def bank_yaml(*items: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {"schema": 1, "items": [copy.deepcopy(i) for i in items]}, allow_unicode=True, sort_keys=False
    )


def write_bank(path: Path, *items: dict[str, Any]) -> Path:
    path.write_text(bank_yaml(*items), encoding="utf-8")
    return path
