"""`quizzer families | gen | solve | verify` through the CLI."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from quizzer.cli.main import cli
from quizzer.errors import ExitStatus
from quizzer.generators.registry import all_families
from quizzer.textwrap_cjk import cell_width


def test_families_lists_every_family(run) -> None:
    rows = json.loads(run("families", "--json").output)
    assert [r["name"] for r in rows] == [f.name for f in all_families()]
    assert all(set(r) == {"name", "topic", "answer", "difficulties", "title"} for r in rows)
    assert "conv-output" in run("families").output


def test_families_table_counts_families_in_either_language(run) -> None:
    n = len(all_families())
    assert f"{n} problem families" in run("families", "--lang", "en").output
    zh = run("families", "--lang", "zh").output
    assert f"{n} 个题型" in zh and "what it asks" not in zh


def test_gen_labels_follow_the_language(run) -> None:
    zh = run("gen", "conv-output", "-n", "1", "--seed", "1", "--lang", "zh").output
    assert zh.startswith("题 1 · conv-output · ★1 · 种子 ")
    assert (
        "\n答案：" in zh
        and "\n解答：\n" in zh
        and "\n常见错误：\n" in zh
        and "Answer" not in zh
        and "Solution" not in zh
    )
    en = run("gen", "conv-output", "-n", "1", "--seed", "1", "--lang", "en").output
    assert en.startswith("Problem 1 · conv-output · ★1 · seed ")


def test_gen_is_byte_identical_across_processes() -> None:
    args = [
        sys.executable,
        "-m",
        "quizzer",
        "gen",
        "lr-schedule",
        "--count",
        "5",
        "--seed",
        "9",
        "--difficulty",
        "3",
        "--lang",
        "zh",
    ]
    first = subprocess.run(args, capture_output=True, check=True).stdout
    second = subprocess.run(args, capture_output=True, check=True, env={"COLUMNS": "40", "PATH": ""}).stdout
    assert first == second and len(first) > 500


def test_gen_json_and_text(run) -> None:
    problems = json.loads(run("gen", "conv-output", "-n", "3", "--seed", "1", "--json").output)
    assert len(problems) == 3 and all(p["family"] == "conv-output" and isinstance(p["answer"], int) for p in problems)
    assert problems[0]["prompt"]["zh"] and problems[0]["solution"]["en"]
    text = run("gen", "conv-output", "-n", "1", "--seed", "1", "--lang", "en").output
    assert "Answer: " in text and "Solution:" in text
    hidden = run("gen", "conv-output", "-n", "1", "--seed", "1", "--lang", "en", "--no-solutions").output
    assert "Answer: " not in hidden and "Answer form" in hidden


@pytest.mark.parametrize(
    "args, answer",
    [
        (["conv-output", "input_size=227", "kernel_size=11", "stride=4"], 55),
        (
            [
                "conv-output",
                "input_size=7",
                "kernel_size=3",
                "stride=2",
                "padding=1",
                "transposed=true",
                "output_padding=1",
            ],
            14,
        ),
        (["pool-output", "input_size=7", "kernel_size=2", "stride=2", "ceil_mode=true"], 4),
        (
            ["lr-schedule", "scheduler=multistep", "lr=0.1", "milestones=30,80", "gamma=0.1", "step=85"],
            pytest.approx(0.001),
        ),
        (["lr-schedule", "scheduler=cosine", "lr=0.1", "T_max=100", "step=50"], pytest.approx(0.05)),
        (
            ["receptive-field", "layers=conv k=3; conv k=3; maxpool k=2 s=2"],
            {"receptive_field": 6, "jump": 2, "start": 2.5},
        ),
    ],
)
def test_solve_json_for_the_stable_families(run, args, answer) -> None:
    data = json.loads(run("solve", *args, "--json").output)
    assert set(data) == {"family", "params", "answer", "torch_answer", "agree"}
    assert data["agree"] is True and data["answer"] == answer
    assert data["torch_answer"] == answer


def test_solve_text_shows_the_torch_check(run) -> None:
    out = run("solve", "conv-output", "input_size=224", "kernel_size=7", "stride=2", "padding=3", "--lang", "en").output
    assert "Answer: 112" in out and "torch check: 112 (agrees)" in out
    assert "= ⌊223 / 2⌋ + 1 = 111 + 1 = 112" in out


def test_solve_errors_are_clear(run) -> None:
    assert (
        "unknown parameter 'strid'"
        in run("solve", "conv-output", "input_size=9", "kernel_size=3", "strid=2", expect=2).output
    )
    assert "expected key=value" in run("solve", "conv-output", "input_size", expect=2).output
    assert "no problem family named 'nope'" in run("solve", "nope", expect=ExitStatus.NOT_FOUND).output
    bad = run("solve", "receptive-field", "layers=conv k=3; pool k=2", expect=2).output
    assert "layer 2" in bad


def test_verify_passes_and_reports(run) -> None:
    data = json.loads(run("verify", "--family", "pool-output", "--samples", "5", "--json").output)
    (row,) = data["families"]
    assert row["samples"] == 15 and row["agreements"] == 15 and data["disagreements"] == []


def test_verify_exits_1_and_prints_params_on_a_disagreement(run, monkeypatch) -> None:
    from quizzer.generators.families.conv_output import ConvOutput

    monkeypatch.setattr(ConvOutput, "solve", lambda self, p: -1)  # a planted bug in the closed form
    result = run("verify", "--family", "conv-output", "--samples", "2", expect=ExitStatus.ERROR)
    assert "DISAGREE conv-output" in result.output and "input_size" in result.output
    assert "Error: the closed form and torch disagree on 6 of 6 instances (listed above)" in result.output


def test_solve_exits_1_when_torch_does_not_confirm_the_key(run, monkeypatch) -> None:
    from quizzer.generators.families.conv_output import ConvOutput

    monkeypatch.setattr(ConvOutput, "solve", lambda self, p: -1)  # a planted bug in the closed form
    args = ("solve", "conv-output", "input_size=224", "kernel_size=7", "stride=2", "padding=3")
    result = run(*args, expect=ExitStatus.ERROR)
    assert "Error: conv-output: the closed form and torch disagree on this instance" in result.output


def test_solve_reads_a_networks_file_and_prints_the_per_layer_table(run) -> None:
    out = run("solve", "receptive-field", "--layers-file", "examples/networks/vgg16.txt", "--lang", "en").output
    assert "Answer: receptive_field=212, jump=32, start=15.5" in out and "(agrees)" in out
    assert "Layer by layer (18 layers)" in out and "hidden" not in out  # 18 rows: shown in full
    assert " 18   maxpool k=2 " in out and "conv c=512 k=3 p=1" in out


def test_solve_folds_a_long_table_unless_all(run) -> None:
    args = ("solve", "conv-stack-shape", "input_shape=3,224,224", "--layers-file", "examples/networks/resnet50.txt")
    folded = run(*args, "--lang", "en").output
    assert "Answer: (2048, 7, 7)" in folded and "Layer by layer (50 layers)" in folded
    assert "layers hidden, --all to show" in folded and "└ + shortcut: conv c=2048 k=1 s=2" in folded
    full = run(*args, "--lang", "en", "--all").output
    assert "hidden" not in full and " 25   │ conv c=256 k=3 p=1" in full
    table = full[full.index("Layer by layer") :]
    assert max(len(line) for line in table.splitlines()) <= 80  # readable in an 80-column terminal
    assert "2048×7×7" in table and "483" in table


def test_solve_networks_file_errors_name_the_line(run, tmp_path) -> None:
    net = tmp_path / "net.txt"
    net.write_text("# my net\nconv k=3\nconvv k=3\n", encoding="utf-8")
    bad = run("solve", "receptive-field", "--layers-file", str(net), expect=ExitStatus.NOT_FOUND).output
    assert "net.txt:3: unknown layer kind 'convv'" in bad and "Traceback" not in bad
    missing = run("solve", "receptive-field", "--layers-file", str(tmp_path / "nope.txt"), expect=ExitStatus.NOT_FOUND)
    assert "no such file" in missing.output


# ---------------------------------------------------------------- discoverable parameters


def _doc(name: str):
    from quizzer.generators.describe import describe_family
    from quizzer.generators.registry import get_family

    return describe_family(get_family(name))


@pytest.mark.parametrize("family", [f.name for f in all_families()])
def test_every_familys_example_command_solves_and_torch_agrees(run, family) -> None:
    words = shlex.split(_doc(family).example)
    assert words[:3] == ["quizzer", "solve", family]
    data = json.loads(run(*words[1:], "--json").output)
    assert data["agree"] is True and data["answer"] == pytest.approx(data["torch_answer"], rel=1e-6, abs=1e-9)


def test_families_family_lists_every_parameter_with_meaning_and_example(run) -> None:
    out = run("families", "bn-running-stats", "--lang", "en").output
    doc = _doc("bn-running-stats")
    for p in doc.parameters:
        assert re.search(rf"^  {p.name} +\S", out, re.M), p.name
    assert re.search(r"^  momentum +float · \(0, 1\] · default 0\.1$", out, re.M)
    assert "how many consecutive values of x form one batch" in out
    assert out.rstrip().endswith(doc.example)
    zh = run("families", "bn-running-stats", "--lang", "zh").output
    assert "参数（写作 名称=值）" in zh and "默认 0.1" in zh and "x 中连续多少个值构成一个批次" in zh


def test_families_family_json_is_the_library_description(run) -> None:
    assert json.loads(run("families", "lr-schedule", "--json").output) == _doc("lr-schedule").as_dict()
    one = json.loads(run("families", "lr-schedule", "--json", "--lang", "zh").output)
    assert one == _doc("lr-schedule").as_dict("zh")
    step = next(p for p in one["parameters"] if p["name"] == "step_size")
    assert step["required"] is True and step["type"] == "int" and step["allowed"] == "[1, ∞)"
    x = next(p for p in one["parameters"] if p["name"] == "milestones")
    assert x["type"] == "list[int]" and x["meaning"].startswith("MultiStepLR：")


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "conv-output", "--help"),
        ("solve", "--help", "conv-output"),
        ("solve", "--lang", "en", "conv-output", "-h"),
        ("solve", "conv-output", "kernel_size=3", "--help"),
        ("solve", "--lang=en", "--no-pictures", "conv-output", "--help"),
    ],
)
def test_solve_family_help_lists_that_familys_parameters(run, args) -> None:
    out = run(*args, "--lang", "en").output
    assert out.startswith("Usage: ") and out.splitlines()[0].endswith(" solve [OPTIONS] FAMILY KEY=VALUE...")
    assert re.search(r"^  output_padding +int · \[0, 15\] · default 0$", out, re.M)
    assert "ConvTranspose's extra size on one side" in out and _doc("conv-output").example in out


def test_solve_family_help_json_and_unknown_family(run) -> None:
    assert json.loads(run("solve", "pool-output", "--help", "--json").output) == _doc("pool-output").as_dict()
    bad = run("solve", "pool-outptu", "--help", expect=ExitStatus.NOT_FOUND).output
    assert (
        bad.startswith("Error: no problem family named 'pool-outptu'; did you mean pool-output")
        and bad.count("\n") == 1
    )


def test_solve_help_without_a_family_is_the_general_help_and_says_where_parameters_are(run) -> None:
    out = run("solve", "--help").output
    assert "Solve an instance of FAMILY that you type in" in out and "--json" in out
    flat = " ".join(out.split())
    assert "`quizzer solve FAMILY --help` or `quizzer families FAMILY`" in flat


def test_solve_help_does_not_load_the_library() -> None:
    from tests.test_startup import imported_modules

    assert not imported_modules("solve", "--help") & {"torch", "numpy", "pydantic", "rich"}


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "receptve-field", "layers=conv k=3"),
        ("gen", "receptive_field"),
        ("families", "receptivefield"),
        ("verify", "--family", "receptive-feild"),
    ],
)
def test_an_unknown_family_anywhere_suggests_the_nearest(run, args) -> None:
    out = run(*args, expect=ExitStatus.NOT_FOUND).output
    assert out.startswith("Error: no problem family named ") and "did you mean receptive-field" in out
    assert out.count("\n") == 1


def test_solve_suggests_the_parameter_meant(run) -> None:
    out = run("solve", "conv-output", "input_size=9", "kernal_size=3", expect=ExitStatus.NOT_FOUND).output
    assert "unknown parameter 'kernal_size'; did you mean kernel_size? parameters are: input_size, kernel_size" in out


def _render(renderable, width: int) -> list[str]:
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, force_terminal=False, color_system=None).print(renderable, crop=False)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_family_list_never_cuts_a_name(width, lang) -> None:
    from quizzer.ui.families import family_list

    rows = json.loads(CliRunner().invoke(cli, ["families", "--json"]).output)
    lines = _render(family_list(rows, lang), width)
    for row in rows:
        assert any(line.startswith(f"  {row['name']}  ") for line in lines), (row["name"], width)
    assert all(cell_width(line.rstrip()) <= width for line in lines) and not any("…" in line for line in lines)


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("family", [f.name for f in all_families()])
def test_a_familys_parameters_never_cut_a_name(width, family) -> None:
    from quizzer.ui.families import family_doc

    doc = _doc(family)
    for lang in ("en", "zh"):
        lines = _render(family_doc(doc, lang), width)
        for p in doc.parameters:
            assert any(re.match(rf"  {p.name} +\S", line) for line in lines), (p.name, width)
        assert lines[-1] == "  " + doc.example  # whole, for copying, however wide
        # rich marks a cut cell with a trailing "…" (a meaning may hold one of its own, as in w_1,…,w_L)
        assert all(cell_width(line.rstrip()) <= width for line in lines[:-1])
        assert not any(line.rstrip().endswith("…") for line in lines)


def test_the_families_list_at_80_columns_in_a_real_process() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run(
        [sys.executable, "-m", "quizzer", "families", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    for f in all_families():
        assert re.search(rf"^  {f.name}  ", out, re.M), f.name
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80


def test_solve_stack_family_help_describes_the_layer_syntax_and_its_options(run) -> None:
    out = run("solve", "conv-stack-shape", "--help", "--lang", "en").output
    flat = " ".join(out.split())
    for text in ("convtranspose", "maxpool", "avgpool", "g (groups)", "op (output_padding", "ceil_mode=true"):
        assert text in flat, text
    assert "'res( main | shortcut )'" in flat and "--layers-file FILE" in flat
    assert re.search(r"^  --layers-file FILE +read layers from FILE", out, re.M) and re.search(r"^  --all +", out, re.M)
    assert out.rstrip().endswith(_doc("conv-stack-shape").example)
    prefix = run("solve", "rf-min-layers", "--help", "--lang", "en").output
    assert "read prefix from FILE" in prefix and not re.search(r"^  --all ", prefix, re.M)  # no table there
    plain = run("solve", "conv-output", "--help", "--lang", "en").output
    assert "--layers-file" not in plain and re.search(r"^  --json +", plain, re.M)


def test_solve_wraps_its_solution_at_the_terminal_width_and_not_when_piped() -> None:
    """In a terminal the worked solution wraps between Chinese characters and hangs under its indent; piped, each
    line stays whole (scripts and `| less` see the text unchanged)."""
    import io

    from rich.cells import cell_len
    from rich.console import Console

    from quizzer.cli.generate import _paragraphs

    line = "第 1 层 Conv2d(kernel_size=11, stride=4, padding=2)：k' = 11；r = 1 + (11 − 1)·1 = 11；j = 1·4 = 4"
    buffer = io.StringIO()
    _paragraphs(Console(file=buffer, force_terminal=True, width=40, color_system=None))(line, indent="  ")
    lines = buffer.getvalue().splitlines()
    assert len(lines) > 1 and all(cell_len(x) <= 40 for x in lines)
    assert lines[0].startswith("  第 1 层") and all(x.startswith("    ") for x in lines[1:])
    # nothing lost or reordered: the wrapped text is the line itself, less the wrap's spaces
    assert "".join(x.strip() for x in lines).replace(" ", "") == line.replace(" ", "")
    assert "kernel_size=11," in buffer.getvalue()  # an identifier is never broken

    piped = io.StringIO()
    _paragraphs(Console(file=piped, force_terminal=False, width=40))(line, indent="  ")
    assert piped.getvalue() in ("", "  " + line + "\n")  # click.echo writes to stdout, not the console's file
