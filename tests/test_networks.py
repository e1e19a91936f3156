"""examples/networks/ and networks files: published values, torch on networks defined here, file errors.

Each shipped network is checked three ways: quizzer's answer from the file; the value published for it
(cited beside it); and torch on the same network written out here in torch itself (1-D one-channel copies with
ones-weights for receptive fields, real channels on the meta device for shapes). I checked the published values
once against torchvision 0.29's own alexnet, vgg16 and resnet50 (gradient support of one output unit, ReLUs
removed, max pools as average pools): 195, 212 and 427, and 483 with resnet50's strides moved to the first 1×1
conv as in the paper; torchvision is not a dependency, so that check is not repeated here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from quizzer.errors import BadParameters
from quizzer.generators.netfile import params_with_layers_file, read_layers_file
from quizzer.generators.registry import get_family
from tests.test_layer_stacks import Residual, ones_1d, torch_rf

NETWORKS = Path(__file__).resolve().parent.parent / "examples" / "networks"


def answer(family: str, name: str, **values: str) -> object:
    fam = get_family(family)
    p = params_with_layers_file(fam, values, NETWORKS / name)
    return fam.solve(p), fam.verify(p)


# ---- the networks written in torch here --------------------------------------------------------------------------
ALEXNET = [("conv", 11, 4, 2), ("maxpool", 3, 2, 0), ("conv", 5, 1, 2), ("maxpool", 3, 2, 0)] + [("conv", 3, 1, 1)] * 3
ALEXNET += [("maxpool", 3, 2, 0)]
VGG16 = [m for n in (2, 2, 3, 3, 3) for m in [("conv", 3, 1, 1)] * n + [("maxpool", 2, 2, 0)]]


def resnet50_1d(stride_in_first_1x1: bool) -> nn.Module:
    """ResNet-50's convolutional part in 1-D, one channel: bottlenecks of 1×1, 3×3, 1×1 with their shortcuts."""
    layers: list[nn.Module] = [ones_1d("conv", 7, 2, 3), ones_1d("maxpool", 3, 2, 1)]
    for blocks, stride in ((3, 1), (4, 2), (6, 2), (3, 2)):
        for b in range(blocks):
            s = stride if b == 0 else 1
            s1, s3 = (s, 1) if stride_in_first_1x1 else (1, s)
            main = nn.Sequential(ones_1d("conv", 1, s1, 0), ones_1d("conv", 3, s3, 1), ones_1d("conv", 1, 1, 0))
            layers.append(Residual(main, ones_1d("conv", 1, s, 0) if b == 0 else nn.Identity()))
    return nn.Sequential(*layers)


def resnet50_2d(stride_in_first_1x1: bool) -> nn.Module:
    layers: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            s = stride if b == 0 else 1
            s1, s3 = (s, 1) if stride_in_first_1x1 else (1, s)
            main = nn.Sequential(
                nn.Conv2d(c, width, 1, s1), nn.Conv2d(width, width, 3, s3, 1), nn.Conv2d(width, 4 * width, 1)
            )
            layers.append(Residual(main, nn.Conv2d(c, 4 * width, 1, s) if b == 0 else nn.Identity()))
            c = 4 * width
    return nn.Sequential(*layers).to("meta")


def plain_2d(stack: list[tuple[str, int, int, int]], widths: list[int]) -> nn.Module:
    modules, c, convs = [], 3, iter(widths)
    for kind, k, s, p in stack:
        if kind == "conv":
            out = next(convs)
            modules.append(nn.Conv2d(c, out, k, s, p))
            c = out
        else:
            modules.append(nn.MaxPool2d(k, s, p))
    return nn.Sequential(*modules).to("meta")


def meta_shape(net: nn.Module) -> list[int]:
    return list(net(torch.empty(1, 3, 224, 224, device="meta")).shape[1:])


# Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, the table of
# receptive fields of modern networks: alexnet_v2 195, vgg_16 212, resnet_v1_50 483 (all with jump 32).
# resnet50_torchvision.txt is torchvision's "v1.5" (stride in the 3×3 conv): 427, from torchvision's own model.
@pytest.mark.parametrize(
    "name, published, net",
    [
        ("alexnet.txt", 195, lambda: nn.Sequential(*(ones_1d(*m) for m in ALEXNET))),
        ("vgg16.txt", 212, lambda: nn.Sequential(*(ones_1d(*m) for m in VGG16))),
        ("resnet50.txt", 483, lambda: resnet50_1d(True)),
        ("resnet50_torchvision.txt", 427, lambda: resnet50_1d(False)),
    ],
)
def test_receptive_fields_match_published_values_and_torch(name: str, published: int, net) -> None:
    closed, measured = answer("receptive-field", name)
    direct = torch_rf(net(), n=3000)
    assert closed["receptive_field"] == published == direct["receptive_field"]
    assert closed["jump"] == 32 == direct["jump"]
    assert closed["start"] == direct["start"] and closed == measured


# Output shapes for a 3×224×224 input: torchvision's AlexNet features 256×6×6 (its classifier's AdaptiveAvgPool
# is sized for it), VGG-16 512×7×7 (Simonyan & Zisserman 2015, Table 1: "7×7×512" before the FC layers), ResNet-50
# 2048×7×7 (He et al. 2016, Table 1: conv5_x output 7×7, 2048 channels).
@pytest.mark.parametrize(
    "name, published, net",
    [
        ("alexnet.txt", [256, 6, 6], lambda: plain_2d(ALEXNET, [64, 192, 384, 256, 256])),
        ("vgg16.txt", [512, 7, 7], lambda: plain_2d(VGG16, [64] * 2 + [128] * 2 + [256] * 3 + [512] * 6)),
        ("resnet50.txt", [2048, 7, 7], lambda: resnet50_2d(True)),
        ("resnet50_torchvision.txt", [2048, 7, 7], lambda: resnet50_2d(False)),
    ],
)
def test_output_shapes_match_published_values_and_torch(name: str, published: list[int], net) -> None:
    closed, measured = answer("conv-stack-shape", name, input_shape="3,224,224")
    assert closed == published == meta_shape(net()) == measured


def test_resnet50_file_lists_its_49_convolutions() -> None:
    nodes = read_layers_file(NETWORKS / "resnet50.txt")
    from quizzer.generators.layer_syntax import main_path

    convs = [layer for layer in main_path(nodes) if layer.kind == "conv"]
    assert len(convs) == 1 + 16 * 3  # conv1 and 16 bottlenecks of three convs: the "50" counts the classifier too


# ---- networks files: comments, blank lines, errors naming the line --------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "net.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_comments_blank_lines_and_blocks_over_several_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# a small net\n\nconv k=3 p=1   # stem\nres(\n  conv k=3 s=2 p=1\n  conv k=3 p=1\n| conv k=1 s=2\n)\n\n",
    )
    nodes = read_layers_file(path)
    assert [type(n).__name__ for n in nodes] == ["Layer", "Residual"]
    assert nodes[1].text() == "res(conv k=3 s=2 p=1; conv k=3 p=1 | conv k=1 s=2)"


@pytest.mark.parametrize(
    "text, message",
    [
        ("conv k=3\n\n# fine so far\nconvv k=3\n", "net.txt:4: unknown layer kind 'convv'"),
        ("conv k=3\nmaxpool k=2 s=zero\n", "net.txt:2: s must be a non-negative integer, got 'zero'"),
        ("res(\nconv k=3\nres(\n", "net.txt:3: residual blocks do not nest; close the one opened at net.txt:1 first"),
        ("conv k=3\nres(\nconv k=3 p=1\n", "net.txt: the residual block opened at net.txt:2 is not closed"),
        ("# nothing\n\n", "net.txt: no layers"),
        ("conv k=3\n)\n", "net.txt:2: ')' outside a residual block"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BadParameters) as err:
        read_layers_file(write(tmp_path, text))
    assert message in str(err.value)


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(BadParameters, match="no such file"):
        read_layers_file(tmp_path / "missing.txt")
    with pytest.raises(BadParameters, match="is a directory"):
        read_layers_file(tmp_path)
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe conv")
    with pytest.raises(BadParameters, match="not UTF-8"):
        read_layers_file(tmp_path / "bin.txt")
    fam = get_family("receptive-field")
    with pytest.raises(BadParameters, match="either as layers="):
        params_with_layers_file(fam, {"layers": "conv k=3"}, write(tmp_path, "conv k=3\n"))
    with pytest.raises(BadParameters, match="has no layers parameter"):
        params_with_layers_file(get_family("conv-output"), {}, write(tmp_path, "conv k=3\n"))


def test_rf_min_layers_reads_its_prefix_from_a_file() -> None:
    # After VGG-16's pool5 (r 212, jump 32) each 3×3 conv adds 2·32 = 64: 500 px needs ⌈(500 − 212) / 64⌉ = 5.
    fam = get_family("rf-min-layers")
    p = params_with_layers_file(fam, {"target": "500"}, NETWORKS / "vgg16.txt")
    assert fam.solve(p) == 5 == fam.verify(p)
