"""CNN / 1×1 conv / pooling families: known values, closed form vs torch, validation, misconceptions.

The contract every family shares (closed form == torch, determinism, JSON round trips, diagnosable
mistakes) is tested once, for all families, in tests/test_generators.py.
"""

from __future__ import annotations

import re

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve_both

# --- (a) known values -------------------------------------------------------------------------------


def test_conv_stack_shape_known_values():
    # Simonyan & Zisserman 2014 (VGG16), block 1: two 3×3/pad-1 convs with 64 filters then 2×2 max pool: 224 → 112.
    layers = "conv c=64 k=3 p=1; conv c=64 k=3 p=1; maxpool k=2 s=2"
    assert solve_both("conv-stack-shape", input_shape="3,224,224", layers=layers) == ([64, 112, 112], [64, 112, 112])
    # CS231n "Case study: AlexNet": CONV1 96 11×11 filters stride 4 on 227×227×3 → 55×55×96; POOL1 3×3 stride 2 → 27×27×96.
    assert solve_both("conv-stack-shape", input_shape="3,227,227", layers="conv c=96 k=11 s=4; maxpool k=3 s=2") == (
        [96, 27, 27],
        [96, 27, 27],
    )
    # He et al. 2015 (ResNet) stem: 7×7/2 conv (pad 3) then 3×3/2 max pool (pad 1): 224 → 112 → 56 (Table 1, conv2_x).
    assert solve_both("conv-stack-shape", input_shape="3,224,224", layers="conv c=64 k=7 s=2 p=3; maxpool k=3 s=2 p=1")[
        0
    ] == [64, 56, 56]


def test_conv_stack_params_round_trip():
    family = get_family("conv-stack-shape")
    p = parse_params(
        family, {"input_shape": "3,32,32", "layers": "conv c=8 k=3 s=1 p=1; maxpool k=2 s=2; avgpool k=3 s=1 p=1"}
    )
    dumped = p.model_dump(mode="json")
    assert dumped["layers"] == "conv c=8 k=3 p=1; maxpool k=2; avgpool k=3 s=1 p=1"  # defaults dropped
    assert family.params_model.model_validate(dumped) == p


def test_conv_params_known_values():
    # CS231n lecture 5: 10 filters 5×5 on a 32×32×3 input: each filter has 5·5·3 + 1 = 76 params → 760.
    assert solve_both("conv-params", in_channels="3", out_channels="10", kernel_size="5") == (760, 760)
    # CS231n notes, AlexNet CONV1: 96·11·11·3 = 34,848 weights + 96 biases = 34,944.
    assert solve_both("conv-params", in_channels="3", out_channels="96", kernel_size="11") == (34944, 34944)
    # VGG16 first conv (Simonyan & Zisserman 2014): 3·3·3·64 + 64 = 1,792.
    assert solve_both("conv-params", in_channels="3", out_channels="64", kernel_size="3")[0] == 1792
    # Howard et al. 2017 (MobileNets): a depthwise 3×3 conv has D_K·D_K·M weights: 3·3·32 = 288 without bias.
    assert solve_both(
        "conv-params", in_channels="32", out_channels="32", kernel_size="3", groups="32", bias="false"
    ) == (288, 288)


def test_conv_macs_known_values():
    # CS231n notes, AlexNet CONV1: 55·55·96 = 290,400 outputs, each an 11·11·3 = 363-term dot product → 105,415,200 MACs.
    assert solve_both(
        "conv-macs", in_channels="3", out_channels="96", kernel_size="11", stride="4", input_size="227"
    ) == (105415200, 105415200)
    # deeplearning.ai "Inception network motivation": 28×28×192 → 5×5 same conv, 32 filters: 28·28·32·5·5·192 ≈ 120M.
    assert solve_both(
        "conv-macs", in_channels="192", out_channels="32", kernel_size="5", padding="2", input_size="28"
    ) == (120422400, 120422400)


def test_bottleneck_savings_known_values():
    # deeplearning.ai "Inception network motivation": the 1×1 bottleneck to 16 channels costs 2.4M + 10.0M = 12.4M
    # multiplies instead of 120.4M: 120,422,400 − (2,408,448 + 10,035,200) = 107,978,752 saved.
    assert solve_both(
        "bottleneck-savings",
        in_channels="192",
        mid_channels="16",
        out_channels="32",
        kernel_size="5",
        measure="macs",
        input_size="28",
    ) == (107978752, 107978752)
    # Parameters, no bias: 32·192·25 − (16·192 + 32·16·25) = 153,600 − 15,872 = 137,728; with bias add 32 − (16 + 32).
    assert solve_both(
        "bottleneck-savings", in_channels="192", mid_channels="16", out_channels="32", kernel_size="5", bias="false"
    ) == (137728, 137728)
    assert solve_both(
        "bottleneck-savings", in_channels="192", mid_channels="16", out_channels="32", kernel_size="5"
    ) == (137712, 137712)


def test_pool_output_known_values():
    # He et al. 2015 (ResNet) Table 1: 3×3 max pool, stride 2 (torchvision: padding 1) takes 112×112 to 56×56.
    assert solve_both("pool-output", input_size="112", kernel_size="3", stride="2", padding="1") == (56, 56)
    # torchvision GoogLeNet uses MaxPool2d(3, stride=2, ceil_mode=True): 112 → 56 → 28 (floor would give 55 and 27).
    assert solve_both("pool-output", input_size="112", kernel_size="3", stride="2", ceil_mode="true") == (56, 56)
    assert solve_both("pool-output", input_size="56", kernel_size="3", stride="2", ceil_mode="true") == (28, 28)
    assert solve_both("pool-output", input_size="112", kernel_size="3", stride="2")[0] == 55
    # PyTorch MaxPool docs: stride defaults to kernel_size, so MaxPool2d(2) halves a 32×32 map.
    assert solve_both("pool-output", input_size="32", kernel_size="2") == (16, 16)
    # PyTorch's ceil_mode rule (pooling_output_shape): n=5, k=2, s=2, p=1 → ⌈5/2⌉ + 1 = 4, but the 4th window would
    # start at 6 ≥ n + p = 6, inside the right padding, so it is dropped → 3.
    assert solve_both("pool-output", input_size="5", kernel_size="2", stride="2", padding="1", ceil_mode="true") == (
        3,
        3,
    )
    # Same rule for average pooling, 1-D.
    assert solve_both(
        "pool-output", input_size="5", kernel_size="2", stride="2", padding="1", ceil_mode="true", kind="avg", dims="1"
    ) == (3, 3)


def test_pool_values_known_values():
    # CS231n notes, "Pooling layer" figure: 2×2 max pool with stride 2 on [[1,1,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]].
    matrix = "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4"
    assert solve_both("pool-values", input=matrix, kernel_size="2") == ([6, 8, 3, 4], [6, 8, 3, 4])
    # The same windows averaged: (1+1+5+6)/4, (2+4+7+8)/4, (3+2+1+2)/4, (1+0+3+4)/4.
    closed, torch_value = solve_both("pool-values", input=matrix, kernel_size="2", kind="avg")
    assert closed == pytest.approx([3.25, 5.25, 2.0, 2.0])
    assert torch_value == pytest.approx(closed)
    # Overlapping 3×3 windows with stride 1 on 4×4 (hand-computed): max of each 3×3 block.
    assert solve_both("pool-values", input=matrix, kernel_size="3", stride="1")[0] == [7, 8, 7, 8]


@pytest.mark.parametrize(
    "text",
    [
        "1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6",
        "1,2,3,4;5,6,7,8;9,0,1,2;3,4,5,6",
        "[[1,2,3,4],[5,6,7,8],[9,0,1,2],[3,4,5,6]]",
    ],
)
def test_pool_values_matrix_spellings(text):
    p = parse_params(get_family("pool-values"), {"input": text, "kernel_size": "2"})
    assert p.input == ((1, 2, 3, 4), (5, 6, 7, 8), (9, 0, 1, 2), (3, 4, 5, 6))


# --- (b) invalid params -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, values, message",
    [
        ("conv-stack-shape", {"input_shape": "3,32", "layers": "conv c=8 k=3"}, "three numbers"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "conv k=3"}, "needs its output channels"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "pool k=2"}, "unknown layer kind"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "conv c=8 k=3 x=1"}, "unknown key 'x'"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "maxpool k=2 c=8"}, "keeps the channel count"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "maxpool k=3 p=2"}, "must be at most k // 2 = 1"),
        ("conv-stack-shape", {"input_shape": "3,32,32", "layers": "avgpool k=3 d=2"}, "no dilation"),
        ("conv-stack-shape", {"input_shape": "3,8,8", "layers": "conv c=8 k=5; conv c=8 k=5"}, "layer 2"),
        ("conv-stack-shape", {"input_shape": "3,8,8", "layers": " ; "}, "no layers"),
        (
            "conv-params",
            {"in_channels": "3", "out_channels": "8", "kernel_size": "3", "groups": "2"},
            "divisible by groups",
        ),
        ("conv-params", {"in_channels": "3", "out_channels": "8", "kernel_size": "0"}, "kernel_size"),
        ("conv-params", {"in_channels": "3", "out_channels": "8", "kernel_size": "3", "bias": "maybe"}, "bias"),
        (
            "conv-macs",
            {"in_channels": "3", "out_channels": "8", "kernel_size": "7", "input_size": "4"},
            "larger than the padded",
        ),
        ("conv-macs", {"in_channels": "3", "out_channels": "8", "kernel_size": "3"}, "input_size"),
        (
            "conv-macs",
            {"in_channels": "4", "out_channels": "6", "kernel_size": "3", "groups": "4", "input_size": "8"},
            "divisible by groups",
        ),
        (
            "bottleneck-savings",
            {"in_channels": "64", "mid_channels": "64", "out_channels": "32"},
            "smaller than in_channels",
        ),
        ("bottleneck-savings", {"in_channels": "64", "mid_channels": "60", "out_channels": "4"}, "saves nothing"),
        (
            "bottleneck-savings",
            {"in_channels": "64", "mid_channels": "8", "out_channels": "32", "measure": "macs"},
            "needs input_size",
        ),
        (
            "bottleneck-savings",
            {"in_channels": "64", "mid_channels": "8", "out_channels": "32", "input_size": "28"},
            "does not affect the parameter count",
        ),
        (
            "bottleneck-savings",
            {"in_channels": "64", "mid_channels": "8", "out_channels": "32", "kernel_size": "4"},
            "odd",
        ),
        ("pool-output", {"input_size": "8", "kernel_size": "3", "padding": "2"}, "at most kernel_size // 2"),
        ("pool-output", {"input_size": "8", "kernel_size": "3", "kind": "avg", "dilation": "2"}, "no dilation"),
        ("pool-output", {"input_size": "2", "kernel_size": "5"}, "spans 5"),
        ("pool-output", {"input_size": "8", "kernel_size": "2", "dims": "3"}, "dims"),
        ("pool-output", {"input_size": "8", "kernel_size": "2", "output_padding": "1"}, "unknown parameter"),
        ("pool-values", {"input": "1 2; 3", "kernel_size": "2"}, "rectangular"),
        ("pool-values", {"input": "1 2; 3 4", "kernel_size": "3"}, "does not fit"),
        ("pool-values", {"input": "1 a; 3 4", "kernel_size": "2"}, "integer rows"),
        ("pool-values", {"input": "1 2; 3 4", "kernel_size": "2", "kind": "min"}, "kind"),
    ],
)
def test_invalid_params_rejected(name, values, message):
    with pytest.raises(BadParameters, match=re.escape(message)):
        parse_params(get_family(name), values)


# --- (c) misconceptions -----------------------------------------------------------------------------


def test_misconception_values_on_known_instances():
    def tags(name, **values):
        family = get_family(name)
        p = parse_params(family, values)
        return {m.tag: m.value for m in family.build(p, difficulty=1, seed=None).misconceptions}

    # CS231n example, 760 params: forgetting the bias gives 750, a 2-D kernel gives 10·25 + 10 = 260.
    got = tags("conv-params", in_channels="3", out_channels="10", kernel_size="5")
    assert got["forgot-bias"] == 750 and got["forgot-input-channels"] == 260
    # AlexNet CONV1 MACs: FLOPs double; the input size 227 instead of 55 inflates it.
    got = tags("conv-macs", in_channels="3", out_channels="96", kernel_size="11", stride="4", input_size="227")
    assert got["flops-not-macs"] == 2 * 105415200 and got["used-input-size"] == 96 * 227 * 227 * 363
    # MaxPool2d(2) on 33: floor gives 16; ceil 17; stride 1 → 32.
    got = tags("pool-output", input_size="33", kernel_size="2")
    assert got["ceil-instead-of-floor"] == 17 and got["stride-defaulted-to-1"] == 32
    # CS231n max-pool example: average pooling would give [3.25, 5.25, 2, 2].
    got = tags("pool-values", input="1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", kernel_size="2")
    assert got["other-pooling-type"] == [3.25, 5.25, 2.0, 2.0]
