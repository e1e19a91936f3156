"""Small torch measurements shared by several families' verify (torch is imported inside)."""

from __future__ import annotations

from typing import Any


def conv_macs(module: Any, input_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates of one forward pass, counted by torch's own FlopCounterMode.

    Meta tensors: shapes only, no arithmetic. The counter reports FLOPs = 2 · MACs and does not
    count the bias.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.empty(input_shape, device="meta")
    with FlopCounterMode(display=False) as counter:
        module(x)
    return int(counter.get_total_flops() // 2)
