"""Independent expectations for the mistakes of the single-layer kinds added by issue 12 (used by test_misconceptions).

Each value is the learner's wrong computation redone with torch, never read from the family.
"""

from __future__ import annotations

import math
from typing import Any


def smooth_activation_mistakes(p: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """activation-derivative's expectations for the kinks at 0 and for ELU, SiLU, Softplus and tanh-GELU.

    ``expected`` holds the older activations' expectations, returned extended (kinks) or replaced (new activations).
    """
    import torch

    x = torch.tensor(p.x, dtype=torch.float64)

    def slope(f: Any) -> float:
        t = x.clone().requires_grad_(True)
        f(t).backward()
        return float(t.grad)

    F = torch.nn.functional
    if p.activation in ("relu", "leaky_relu") and p.x == 0:
        left = float(
            torch.func.grad(torch.relu if p.activation == "relu" else torch.nn.LeakyReLU(p.negative_slope))(
                torch.tensor(-1.0, dtype=torch.float64)
            )
        )
        expected |= {"right-slope-at-kink": 1.0, "averaged-subgradient": (1.0 + left) / 2}
    elif p.activation == "elu":
        alpha = p.alpha
        expected = {
            "returned-elu-value": float(F.elu(x, alpha)),
            "exp-branch-on-positive-side": slope(lambda t: alpha * torch.expm1(t)),
            "forgot-exp-factor": alpha,
            "relu-slope": slope(torch.relu) if p.x != 0 else 0.0,
        }
    elif p.activation == "silu":
        expected = {
            "forgot-product-rule": float(torch.sigmoid(x)),
            "returned-silu-value": float(F.silu(x)),
            "used-sigmoid-derivative": slope(torch.sigmoid),
        }
    elif p.activation == "softplus":
        softplus = torch.nn.Softplus(beta=p.beta, threshold=p.threshold)
        bx = x * p.beta
        expected = {
            "returned-softplus-value": float(softplus(x)),
            "kept-chain-rule-beta": p.beta * slope(softplus),
            "forgot-beta": float(torch.sigmoid(x)),
            "used-sigmoid-derivative": float(torch.sigmoid(bx) * (1 - torch.sigmoid(bx))),
            "ignored-threshold": float(torch.sigmoid(bx)),
        }
    elif p.activation == "gelu" and p.approximate == "tanh":
        c = math.sqrt(2 / math.pi)
        u = c * (x + 0.044715 * x**3)
        expected = {
            "used-exact-gelu": slope(F.gelu),
            "forgot-product-rule": float(0.5 * (1 + torch.tanh(u))),
            # The learner's du/dx = √(2/π): autograd with the cubic term held constant.
            "forgot-cubic-derivative": slope(
                lambda t: 0.5 * t * (1 + torch.tanh(c * (t + 0.044715 * t.detach() ** 3)))
            ),
            "returned-gelu-value": float(F.gelu(x, approximate="tanh")),
        }
    return expected


def instance_and_rms_mistakes(p: Any) -> dict[str, Any]:
    """InstanceNorm's and RMSNorm's mistakes, each the layer's arithmetic redone here with the wrong choice."""
    import torch

    eps0 = torch.finfo(torch.float32).eps if p.eps is None else p.eps
    c = p.num_features
    if p.norm == "instancenorm":
        x = torch.tensor(p.x, dtype=torch.float64).reshape(-1, c, p.length)
        dims = {"instancenorm": (2,), "batchnorm": (0, 2), "layernorm": (1, 2)}
    else:
        x = torch.tensor(p.x, dtype=torch.float64).reshape(-1, c)
        dims = {"rmsnorm": (1,), "layernorm": (1,)}

    def pick(y: Any) -> Any:
        if p.norm == "instancenorm":
            return float(y[p.i, p.j, p.l]) if p.quantity == "entry" else y[p.i, p.j].tolist()
        return float(y[p.i, p.j]) if p.quantity == "entry" else y[p.i].tolist()

    def normed(
        axis: str,
        *,
        unbiased: bool = False,
        eps: float = eps0,
        power: float = 0.5,
        affine: bool = True,
        rms: bool = False,
    ) -> Any:
        d = dims[axis]
        if rms:
            y = x / ((x**2).mean(d, keepdim=True) + eps) ** power
        else:
            y = (x - x.mean(d, keepdim=True)) / (x.var(d, unbiased=unbiased, keepdim=True) + eps) ** power
        return pick(p.weight * y + p.bias if affine else y)

    if p.norm == "instancenorm":
        return {
            "wrong-axis-batchnorm": normed("batchnorm"),
            "wrong-axis-layernorm": normed("layernorm"),
            "divided-by-variance": normed("instancenorm", power=1.0),
            "unbiased-variance": normed("instancenorm", unbiased=True),
            "forgot-eps": normed("instancenorm", eps=0.0),
            "forgot-affine": normed("instancenorm", affine=False),
        }
    return {
        "subtracted-mean": normed("layernorm"),
        "used-layernorm-eps": normed("rmsnorm", eps=1e-5, rms=True),
        "divided-by-variance": normed("rmsnorm", power=1.0, rms=True),
        "forgot-eps": normed("rmsnorm", eps=0.0, rms=True),
        "forgot-affine": normed("rmsnorm", affine=False, rms=True),
    }
