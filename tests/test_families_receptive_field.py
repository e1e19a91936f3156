"""receptive-field, rf-extra-layer, rf-min-layers: known values, closed form vs torch, bad input, mistakes.

The contract every family shares (closed form == torch, determinism, JSON round trips, diagnosable
mistakes) is tested once, for all families, in tests/test_generators.py.
"""

from __future__ import annotations

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.layers import RF, measure_rf, parse_layers, receptive_field, rf_trace
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve, verify

# AlexNet's feature extractor (Krizhevsky, Sutskever & Hinton 2012, §3.5 and Fig. 2): conv1 11×11/4, 3×3/2
# overlapping max pools (§3.4), conv2 5×5 (pad 2), conv3–5 3×3 (pad 1).
ALEXNET = (
    "conv k=11 s=4; maxpool k=3 s=2; conv k=5 p=2; maxpool k=3 s=2; "
    "conv k=3 p=1; conv k=3 p=1; conv k=3 p=1; maxpool k=3 s=2"
)
# VGG-16 (Simonyan & Zisserman 2015, Table 1, config D): 3×3 convs pad 1, 2×2/2 max pools.
VGG16 = "; ".join(
    ["conv k=3 p=1"] * 2
    + ["maxpool k=2"]
    + ["conv k=3 p=1"] * 2
    + ["maxpool k=2"]
    + (["conv k=3 p=1"] * 3 + ["maxpool k=2"]) * 3
)


# ---- (a) known values ------------------------------------------------------------------------------


def test_alexnet_layer_by_layer():
    # Hand-computed with r_out = r_in + (k − 1)·j_in, j_out = j_in·s. The final 195 px (jump 32) is the
    # AlexNet receptive field reported by Araujo, Norris & Sim, "Computing Receptive Fields of CNNs", Distill 2019.
    trace = rf_trace(parse_layers(ALEXNET))[1:]
    assert [t.r for t in trace] == [11, 19, 51, 67, 99, 131, 163, 195]
    assert [t.j for t in trace] == [4, 8, 8, 16, 16, 16, 16, 32]
    assert solve("receptive-field", layers=ALEXNET) == {"receptive_field": 195, "jump": 32, "start": 33.0}
    assert verify("receptive-field", layers=ALEXNET) == {"receptive_field": 195, "jump": 32, "start": 33.0}


def test_alexnet_first_layers_as_in_the_brief():
    # conv 11/4 → maxpool 3/2 → conv 5 p2 → avgpool 2/2: 11 → 19 → 51 → 51 + 1·8 = 59, jump 16.
    layers = "conv k=11 s=4 p=0; maxpool k=3 s=2; conv k=5 p=2; avgpool k=2 s=2"
    assert solve("receptive-field", layers=layers) == {"receptive_field": 59, "jump": 16, "start": 13.0}
    assert verify("receptive-field", layers=layers) == solve("receptive-field", layers=layers)


def test_vgg_stacked_3x3():
    # Simonyan & Zisserman 2015, §2.3: "a stack of two 3×3 conv. layers (without spatial pooling in between)
    # has an effective receptive field of 5×5; three such layers have a 7×7 effective receptive field".
    assert solve("receptive-field", layers="conv k=3; conv k=3")["receptive_field"] == 5
    assert solve("receptive-field", layers="conv k=3; conv k=3; conv k=3")["receptive_field"] == 7
    assert verify("receptive-field", layers="conv k=3 p=1; conv k=3 p=1; conv k=3 p=1")["receptive_field"] == 7
    assert solve("rf-min-layers", target=5) == 2
    assert solve("rf-min-layers", target=7) == 3
    assert solve("rf-min-layers", target=7, kernel_size=5) == 2  # 5×5 then 5×5 gives 9 ≥ 7, one gives 5
    assert verify("rf-min-layers", target=7) == 3


def test_vgg16_pool5():
    # 212 px at VGG-16's pool5 (196 at conv5_3), jump 32: the value tabulated for VGG-16 by Araujo et al. 2019.
    trace = rf_trace(parse_layers(VGG16))
    assert (trace[-2].r, trace[-1].r, trace[-1].j) == (196, 212, 32)
    assert verify("receptive-field", layers=VGG16)["receptive_field"] == 212


def test_notes_counterexample_pooling_does_not_double():
    # The notes claim each pool doubles the field; two 3×3 convs then a 2×2/2 pool give 6, not 10.
    fam = get_family("receptive-field")
    p = parse_params(fam, {"layers": "conv k=3; conv k=3; maxpool k=2 s=2"})
    assert fam.solve(p)["receptive_field"] == 6
    assert fam.verify(p)["receptive_field"] == 6
    wrong = {m.tag: m.value for m in fam.misconceptions(p)}
    assert wrong["pooling-doubles-rf"]["receptive_field"] == 10


def test_guide_to_receptive_field_arithmetic_example():
    # Dang-Ha The Hien, "A guide to receptive field arithmetic" (2017): 5×5 input, two convs k=3 p=1 s=2:
    # r = 3 then 7, j = 2 then 4, start 0.5 in his coordinates (pixel 0 centred at 0.5), i.e. 0 in ours.
    trace = rf_trace(parse_layers("conv k=3 s=2 p=1; conv k=3 s=2 p=1"))
    assert trace[1:] == [RF(3, 2, 0.0), RF(7, 4, 0.0)]


def test_resnet_stem():
    # He et al. 2016, Table 1: conv1 7×7/2 (pad 3), then 3×3/2 max pool (pad 1): field 11, jump 4, centred.
    assert solve("receptive-field", layers="conv k=7 s=2 p=3; maxpool k=3 s=2 p=1") == {
        "receptive_field": 11,
        "jump": 4,
        "start": 0.0,
    }
    # 3×3 stride-1 convs after it add 2·4 = 8 each: 100 px needs ⌈(100 − 11) / 8⌉ = 12 of them.
    assert solve("rf-min-layers", target=100, prefix="conv k=7 s=2 p=3; maxpool k=3 s=2 p=1") == 12


def test_start_convention():
    # start is the centre of output unit 0's field, input pixel 0 centred at 0 (brief: k=3 p=0 → 1, k=3 p=1 → 0).
    assert receptive_field(parse_layers("conv k=3")).start == 1.0
    assert receptive_field(parse_layers("conv k=3 p=1")).start == 0.0
    assert receptive_field(parse_layers("maxpool k=2")).start == 0.5


def test_dilation_and_gaps():
    # A dilated kernel spans d·(k − 1) + 1 (gradient has holes, the span still counts); a stride larger than
    # the next kernel leaves gaps between the pixels a unit sees, which also still count in its span.
    assert receptive_field(parse_layers("conv k=3 d=2")) == RF(5, 1, 2.0)
    assert measure_rf(parse_layers("conv k=3 d=2")) == RF(5, 1, 2.0)
    layers = parse_layers("conv k=1 s=3; conv k=2")
    assert receptive_field(layers) == measure_rf(layers) == RF(4, 3, 1.5)


def test_extra_layer_known_values():
    # On top of AlexNet's pool5 (jump 32) one more 3×3 conv adds (3 − 1)·32 = 64 pixels.
    assert solve("rf-extra-layer", layers=ALEXNET, extra="conv k=3 p=1") == 64
    assert verify("rf-extra-layer", layers=ALEXNET, extra="conv k=3 p=1") == 64
    # Directly after the notes' counterexample (jump 2) a 2×2/2 pool adds 1·2 = 2, not 6 (doubling).
    assert solve("rf-extra-layer", layers="conv k=3; conv k=3; maxpool k=2", extra="maxpool k=2") == 2


def test_min_layers_boundaries():
    # Exactly reaching the target counts: 3 layers of 3×3 give 7, so target 7 needs 3 and target 8 needs 4.
    assert [solve("rf-min-layers", target=t) for t in (6, 7, 8)] == [3, 3, 4]
    assert [verify("rf-min-layers", target=t) for t in (6, 7, 8)] == [3, 3, 4]
    assert solve("rf-min-layers", target=10, dilation=2) == 3  # k' = 5: 1 + 4n ≥ 10 → n = 3


# ---- (b) bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, values, needle",
    [
        ("receptive-field", {"layers": "conv k=3; pool k=2"}, "layer 2 ('pool k=2'): unknown layer kind 'pool'"),
        ("receptive-field", {"layers": "conv"}, "needs a kernel size"),
        ("receptive-field", {"layers": "conv k=3 x=1"}, "unknown key 'x'"),
        ("receptive-field", {"layers": "conv k=three"}, "k must be a non-negative integer"),
        ("receptive-field", {"layers": "conv k=3 conv k=3"}, "separate layers with ';'"),
        (
            "receptive-field",
            {"layers": "conv k=3; avgpool k=2 d=2"},
            "layer 2 ('avgpool k=2 d=2'): avgpool has no dilation in torch",
        ),
        (
            "receptive-field",
            {"layers": "conv k=3; maxpool k=2 p=2"},
            "p (padding) of a maxpool must be at most k // 2 = 1",
        ),
        ("receptive-field", {"layers": "conv k=3 s=0"}, "s (stride)"),
        ("receptive-field", {"layers": "conv k=3;; conv k=3"}, "layer 2 is empty"),
        ("receptive-field", {"layers": ""}, "give 1 to 1000 layers"),
        ("receptive-field", {"kernel_size": "3"}, "unknown parameter 'kernel_size'"),
        ("receptive-field", {"layers": "; ".join(["conv k=9 s=4"] * 10)}, "more than 16,777,216 (memory)"),
        ("rf-extra-layer", {"layers": "conv k=3", "extra": "conv k=3; conv k=3"}, "extra is exactly one layer"),
        ("rf-extra-layer", {"layers": "conv k=3", "extra": "avgpool k=3 d=2"}, "avgpool has no dilation"),
        ("rf-min-layers", {"target": "5", "prefix": "conv k=7"}, "already has receptive field 7"),
        ("rf-min-layers", {"target": "1000"}, "needs at most 128"),
        ("rf-min-layers", {"target": "9", "kernel_size": "1"}, "kernel_size"),
    ],
)
def test_invalid_params_rejected(name, values, needle):
    with pytest.raises(BadParameters) as err:
        parse_params(get_family(name), values)
    assert needle in str(err.value)


def test_cli_strings_accepted():
    # The CLI passes raw strings and splits list-typed values on commas; both forms must parse.
    fam = get_family("receptive-field")
    p = parse_params(fam, {"layers": "conv k=3; conv k=3"})
    assert fam.solve(p)["receptive_field"] == 5
    p = parse_params(fam, {"layers": "Conv2d kernel_size=3 stride=2, padding=1; MaxPool2d k=2"})
    assert fam.solve(p) == {"receptive_field": 5, "jump": 4, "start": 1.0}


# ---- (c) misconceptions ----------------------------------------------------------------------------


def test_misconception_values():
    fam = get_family("rf-extra-layer")
    wrong = {
        m.tag: m.value for m in fam.misconceptions(parse_params(fam, {"layers": ALEXNET, "extra": "conv k=3 s=2 p=1"}))
    }
    assert wrong["ignored-accumulated-jump"] == 2 and wrong["used-own-stride"] == 4 and wrong["used-jump-after"] == 128
    fam = get_family("rf-min-layers")
    wrong = {m.tag: m.value for m in fam.misconceptions(parse_params(fam, {"target": "12"}))}
    assert wrong["divided-by-k"] == 4 and wrong["no-ceiling"] == 5  # answer ⌈11/2⌉ = 6
    fam = get_family("receptive-field")
    wrong = {m.tag: m.value for m in fam.misconceptions(parse_params(fam, {"layers": "conv k=3 s=2; conv k=3"}))}
    assert wrong["summed-kernels"]["receptive_field"] == 5  # right answer 3 + 2·2 = 7
    assert wrong["jump-after-stride"]["receptive_field"] == 1 + 2 * 2 + 2 * 2  # used j_out at the first layer
