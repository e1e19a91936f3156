"""Pictures in explanations: the data each family draws, the terminal rendering, and when pictures appear."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from quizzer.generators.figures import figure_for, has_figure
from quizzer.generators.registry import all_families, get_family, make_problem, parse_params
from quizzer.ui.pictures import render, show, wanted

PICTURED = ("lr-schedule", "receptive-field", "rf-extra-layer", "vanishing-depth", "residual-gradient", "sgd-momentum")


def build(family: str, **values: str):
    fam = get_family(family)
    return fam.build(parse_params(fam, values), difficulty=1, seed=None)


def series(figure, index: int) -> list[tuple[float, float]]:
    s = figure.series[index]
    return list(zip(s.x, s.y, strict=True))


def test_the_issue_s_families_have_pictures_and_the_others_none() -> None:
    assert {f.name for f in all_families() if has_figure(f.name)} == set(PICTURED)
    assert figure_for(make_problem(get_family("conv-output"), 1, 1)) is None


def test_lr_schedule_draws_the_curve_and_marks_the_asked_step() -> None:
    figure = figure_for(build("lr-schedule", scheduler="step", lr="0.1", step_size="30", gamma="0.1", step="65"))
    curve = dict(series(figure, 0))
    # StepLR by hand: 0.1 until step 29, 0.01 from 30, 0.001 from 60.
    assert curve[0] == 0.1 and curve[29] == 0.1 and math.isclose(curve[30], 0.01) and math.isclose(curve[64], 0.001)
    assert min(curve) == 0 and max(curve) >= 65  # the curve runs past the asked step
    (marked,) = series(figure, 1)
    assert figure.series[1].points and marked[0] == 65 and math.isclose(marked[1], 0.001)


def test_receptive_field_draws_r_and_j_per_layer() -> None:
    figure = figure_for(build("receptive-field", layers="conv k=3; conv k=3; maxpool k=2 s=2; conv k=3"))
    # By hand: r = 1, 3, 5, 6, 10 and j = 1, 1, 1, 2, 2 (the pool doubles j; the conv after it adds (3 − 1)·2).
    assert [y for _, y in series(figure, 0)] == [1, 3, 5, 6, 10]
    assert [y for _, y in series(figure, 1)] == [1, 1, 1, 2, 2]


def test_rf_extra_layer_marks_the_growth_of_the_new_layer() -> None:
    figure = figure_for(build("rf-extra-layer", layers="conv k=3 s=2; conv k=3", extra="conv k=5"))
    # By hand: r 1 → 3 → 7 with j 1 → 2 → 2; a 5-wide layer on top adds (5 − 1)·2 = 8: 7 → 15.
    assert [y for _, y in series(figure, 0)] == [1, 3, 7, 15]
    assert series(figure, 2) == [(2, 7), (3, 15)]


def test_vanishing_depth_compares_plain_and_residual_on_a_log_scale() -> None:
    figure = figure_for(build("vanishing-depth", activation="sigmoid", weight="2", threshold="0.001"))
    assert figure.log_y
    plain, residual = dict(series(figure, 0)), dict(series(figure, 1))
    # a = 2·σ'(0) = 0.5 per layer; with the shortcut each layer multiplies 1 + 2·0.25 = 1.5.
    assert math.isclose(plain[10], 0.5**10) and math.isclose(residual[10], 1.5**10)
    assert series(figure, 2)[0][1] == 0.001  # the threshold line
    assert series(figure, 3) == [(10, 0.5**10)]  # 0.5^9 ≈ 0.00195 ≥ 0.001 > 0.5^10: depth 10 is the first past it


def test_residual_gradient_curves_follow_autograd() -> None:
    import torch

    weights, x0 = [0.5, -0.8, 0.6], 0.5
    figure = figure_for(build("residual-gradient", activation="tanh", weights="0.5,-0.8,0.6", x="0.5"))
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    h, plain_h = x, x
    residual, plain = [1.0], [1.0]
    for w in weights:
        h = h + w * torch.tanh(h)
        plain_h = w * torch.tanh(plain_h)
        residual.append(abs(torch.autograd.grad(h, x, retain_graph=True)[0].item()))
        plain.append(abs(torch.autograd.grad(plain_h, x, retain_graph=True)[0].item()))
    assert [y for _, y in series(figure, 1)] == pytest.approx(residual, rel=1e-9)
    assert [y for _, y in series(figure, 0)] == pytest.approx(plain, rel=1e-9)


def test_a_dead_relu_is_named_in_the_legend_rather_than_drawn_at_zero() -> None:
    figure = figure_for(build("residual-gradient", activation="relu", weights="-0.5,-0.8,0.8", x="-0.4"))
    assert series(figure, 0) == [(0, 1.0)] and "0 from depth 1 on" in figure.series[0].label.en
    assert [y for _, y in series(figure, 1)] == [1.0, 1.0, 1.0, 1.0]  # the shortcut carries the gradient


def test_sgd_momentum_draws_plain_sgd_beside_momentum() -> None:
    figure = figure_for(build("sgd-momentum", lr="0.1", momentum="0.9", p0="1", grads="2,1.6"))
    # By hand: plain 1 → 0.8 → 0.64; momentum buf 2 then 0.9·2 + 1.6 = 3.4: 1 → 0.8 → 0.46.
    assert [y for _, y in series(figure, 0)] == pytest.approx([1, 0.8, 0.64])
    assert [y for _, y in series(figure, 1)] == pytest.approx([1, 0.8, 0.46])
    without = figure_for(build("sgd-momentum", lr="0.1", p0="1", grads="2,1.6"))
    assert "for comparison" in without.series[1].label.en  # no momentum asked: compared with μ = 0.9


@pytest.mark.parametrize("family", PICTURED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_picture_renders_for_every_difficulty(family: str, lang: str) -> None:
    fam = get_family(family)
    for difficulty in fam.difficulties:
        for seed in range(5):
            figure = figure_for(make_problem(fam, seed, difficulty))
            lines = render(figure, lang, 100)
            assert lines[0].plain.startswith(figure.title.get(lang))
            assert any("┤" in line.plain for line in lines)  # plotext's y axis
            assert all(s.label.get(lang) in lines[-1].plain for s in figure.series)  # the legend


def test_pictures_are_only_for_a_terminal() -> None:
    terminal = Console(force_terminal=True)
    pipe = Console(file=io.StringIO(), force_terminal=False)
    assert wanted(terminal, no_pictures=False)
    assert not wanted(terminal, no_pictures=True) and not wanted(terminal, no_pictures=False, as_json=True)
    assert not wanted(pipe, no_pictures=False)
    out = Console(force_terminal=True, width=100, record=True)
    assert show(out, make_problem(get_family("lr-schedule"), 1, 1), "en")
    assert "the lr at every step" in out.export_text()
    assert not show(out, make_problem(get_family("conv-output"), 1, 1), "en")


def test_gen_in_a_pipe_prints_no_picture(run) -> None:
    out = run("gen", "lr-schedule", "--seed", "4", "--lang", "en").output
    assert "Worked solution" in out or "Solution" in out
    assert "━" not in out and "⠤" not in out


def spawn_solve(*extra: str) -> str:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "50"}
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "quizzer",
            "solve",
            "vanishing-depth",
            "activation=sigmoid",
            "weight=2",
            "threshold=0.001",
            "--lang",
            "en",
            *extra,
        ],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 100),
    )
    child.expect(pexpect.EOF)
    return child.before


@pytest.mark.slow
def test_solve_on_a_real_terminal_draws_the_picture_and_no_pictures_turns_it_off() -> None:
    shown = spawn_solve()
    assert "Gradient magnitude against depth (log scale)" in shown and "first depth past the threshold: 10" in shown
    assert "1e-4" in shown  # the log axis is labelled in powers of ten
    hidden = spawn_solve("--no-pictures")
    assert "torch check" in hidden and "Gradient magnitude" not in hidden


def test_drawing_commands_leave_plotext_off_the_start_up_path(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom quizzer.cli.main import main\nsys.argv=['quizzer', '--help']\ntry:\n    main()\nexcept SystemExit:\n"
        "    pass\nprint('plotext' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")
