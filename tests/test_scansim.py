"""The scan simulator itself (tests/scansim.py): its ground truth, its determinism, its geometry, its 180° turn.

A reader tested against the simulator is only as good as the simulator's truth, so the truth is checked here
against the pixels: every mark style's ink lies in its band on the clean page, the recorded paper→pixel map puts
every corner mark where its black square really is, and a page fed upside down is the same scan turned 180°.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from tests import scansim as S
from tests.conftest import REPO


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from click.testing import CliRunner

    from quizzer.cli.main import cli

    home = tmp_path_factory.mktemp("scansim-home")
    out = tmp_path_factory.mktemp("scansim") / "exam"
    args = ["exam", "build", str(REPO / "examples" / "exam.yaml"), "-n", "2", "--seed", "9", "--out", str(out),
            "--format", "md", "--no-verify", "--answer-sheets", "--lang", "en"]  # fmt: skip
    result = CliRunner(env={"QUIZZER_HOME": str(home)}).invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def sheets(built):
    return S.load_sheets(built)


def test_every_mark_style_has_the_ink_its_truth_promises(sheets) -> None:
    """Measured on the clean page (no scan conditions): filled ≥ FILLED_MIN, ambiguous inside AMBIGUOUS, and an
    untouched bubble is white inside its outline."""
    layout, pdf = sheets
    page = layout["pages"][0]
    clean = S.render_page(pdf, 0, 200)
    assert max(S.mark_ink(clean, b, 200) for b in page["bubbles"]) < 0.02
    rng = random.Random(4)
    for style, truth in S.TRUTH.items():
        for seed in range(12):
            bubble = rng.choice(page["bubbles"])
            image = clean.copy()
            S.draw_mark(image, bubble, style, 200, random.Random(seed))
            ink = S.mark_ink(image, bubble, 200)
            if truth == "filled":
                assert ink >= S.FILLED_MIN, (style, seed, ink)
            else:
                assert S.AMBIGUOUS[0] <= ink <= S.AMBIGUOUS[1], (style, seed, ink)


def test_marks_are_not_perfect_discs_and_vary(sheets) -> None:
    layout, pdf = sheets
    bubble = layout["pages"][0]["bubbles"][0]
    clean = S.render_page(pdf, 0, 200)
    inks = set()
    for seed in range(8):
        image = clean.copy()
        S.draw_mark(image, bubble, "scribble", 200, random.Random(seed))
        inks.add(round(S.mark_ink(image, bubble, 200), 3))
    assert len(inks) >= 6  # darkness and coverage differ from mark to mark
    assert min(inks) < 0.9  # a scribble leaves paper showing between its strokes


def test_ground_truth_counts_every_bubble_once(sheets) -> None:
    layout, pdf = sheets
    page = layout["pages"][0]
    ids = [b["id"] for b in page["bubbles"]]
    marks = [S.Mark(ids[0], "solid"), S.Mark(ids[5], "scribble"), S.Mark(ids[9], "tick"), S.Mark(ids[12], "erased")]
    sim = S.simulate_page(pdf, page, S.Conditions(), seed=1, marks=marks)
    assert set(sim.truth) == set(ids)
    assert sim.counts() == {"filled": 2, "ambiguous": 2, "empty": len(ids) - 4}
    assert sim.truth[ids[9]] == "ambiguous" and sim.truth[ids[0]] == "filled" and sim.truth[ids[1]] == "empty"


def test_a_random_filling_looks_like_a_student_and_its_truth_is_a_recount(sheets) -> None:
    layout, pdf = sheets
    page = layout["pages"][0]
    by_id = {b["id"]: b for b in page["bubbles"]}
    sim = S.simulate_page(pdf, page, S.Conditions(ambiguous=0.2), seed=7)  # no stray ticks: marks are choices
    recount = Counter(m.truth for m in sim.marks)
    assert sim.counts()["filled"] == recount["filled"] and sim.counts()["ambiguous"] == recount["ambiguous"]
    assert recount["filled"] > 10 and recount["ambiguous"] > 0
    clear = [by_id[m.bubble] for m in sim.marks if m.style in S.CLEAR_STYLES]
    # the student number: at most one bubble a column, and no column left without a mark of some kind
    student = Counter(b["column"] for b in (by_id[m.bubble] for m in sim.marks) if b["group"] == "student")
    assert set(student) == set(range(layout["student_digits"]))
    per_choice = Counter(b["question"] for b in clear if b["group"] == "choice")
    assert max(per_choice.values()) <= 2
    for question in {b["question"] for b in clear if b["group"] == "digit"}:
        columns = sorted({b["column"] for b in by_id.values() if b["question"] == question and b["group"] == "digit"})
        used = sorted({by_id[m.bubble]["column"] for m in sim.marks
                       if by_id[m.bubble]["question"] == question and by_id[m.bubble]["group"] == "digit"})  # fmt: skip
        assert used == list(range(used[0], used[-1] + 1)) and set(used) <= set(columns)  # adjacent columns


def test_same_seed_same_scans_other_seed_other_scans(built) -> None:
    first = S.simulate_batch(built, 6, seed=21)
    again = S.simulate_batch(built, 6, seed=21)
    other = S.simulate_batch(built, 6, seed=22)
    for a, b in zip(first, again, strict=True):
        assert a.truth == b.truth and a.marks == b.marks and a.conditions == b.conditions
        assert a.image.tobytes() == b.image.tobytes()
    assert any(a.image.tobytes() != c.image.tobytes() for a, c in zip(first, other, strict=True))
    assert [p.condition for p in first] == list(S.CONDITIONS)[:6]


def test_a_page_turned_180_degrees_is_the_same_scan_upside_down(sheets) -> None:
    layout, pdf = sheets
    page = layout["pages"][1]
    straight = S.simulate_page(pdf, page, S.Conditions(), seed=5)
    turned = S.simulate_page(pdf, page, S.Conditions(turned=True), seed=5)
    assert turned.conditions.turned and not straight.conditions.turned
    assert np.array_equal(np.rot90(np.asarray(straight.image), 2), np.asarray(turned.image))
    assert turned.truth == straight.truth
    # the top-left corner mark is now near the image's bottom-right corner
    tl = next(m for m in page["corner_marks"] if m["corner"] == "tl")
    x, y = turned.pixel(tl["x"], tl["y"])
    assert x > turned.image.width * 0.9 and y > turned.image.height * 0.9


def dark_centroid(image: Image.Image, x: float, y: float, radius: float) -> tuple[float, float]:
    a = np.asarray(image)
    x0, y0 = round(x - radius), round(y - radius)
    window = a[y0 : round(y + radius), x0 : round(x + radius)] < 100
    ys, xs = np.nonzero(window)
    return x0 + xs.mean() + 0.5, y0 + ys.mean() + 0.5


@pytest.mark.parametrize("name", ["rotation", "scale", "combined", "turned"])
def test_the_recorded_geometry_is_where_the_corner_marks_really_are(sheets, name) -> None:
    layout, pdf = sheets
    page = layout["pages"][0]
    conditions = S.sample_conditions(name, random.Random(3))
    sim = S.simulate_page(pdf, page, conditions, seed=2, marks=[])
    px_per_mm = 200 / 25.4
    seen = {}
    for m in page["corner_marks"]:
        x, y = sim.pixel(m["x"], m["y"])
        cx, cy = dark_centroid(sim.image, x, y, 4 * px_per_mm)
        assert math.hypot(cx - x, cy - y) < 1.5, (m["corner"], (x, y), (cx, cy))
        seen[m["corner"]] = (cx, cy)
    # measured from the marks themselves: the scale and the angle the conditions asked for
    dx, dy = np.subtract(seen["tr"], seen["tl"])
    width_mm = (page["corner_marks"][1]["x"] - page["corner_marks"][0]["x"]) * px_per_mm
    assert math.hypot(dx, dy) == pytest.approx(width_mm * conditions.scale, rel=0.003)
    angle = math.degrees(math.atan2(-dy, dx)) % 360
    expected = (conditions.rotation + (180 if conditions.turned else 0)) % 360
    assert min(abs(angle - expected), 360 - abs(angle - expected)) < 0.1
    if name == "rotation":
        assert 1.5 <= abs(conditions.rotation) <= 3.0
    if name in ("scale", "combined"):
        assert conditions.scale == 0.95


def test_filled_bubbles_are_dark_where_the_geometry_puts_them_after_every_condition(sheets) -> None:
    layout, pdf = sheets
    page = layout["pages"][0]
    choice = [b for b in page["bubbles"] if b["group"] == "choice"]
    marks = [S.Mark(b["id"], "solid") for b in choice[::2]]
    rng = random.Random(8)
    for name in S.CONDITIONS:
        sim = S.simulate_page(pdf, page, S.sample_conditions(name, rng), seed=3, marks=marks)
        a = np.asarray(sim.image, dtype=np.float64)
        for b in choice:
            x, y = sim.pixel(b["x"], b["y"])
            centre = a[round(y) - 4 : round(y) + 5, round(x) - 4 : round(x) + 5].mean()
            if sim.truth[b["id"]] == "filled":
                assert centre < 90, (name, b["id"], centre)
            else:
                assert centre > 170, (name, b["id"], centre)


def test_noise_blur_and_jpeg_really_change_the_pixels(sheets) -> None:
    layout, pdf = sheets
    page = layout["pages"][0]
    clean = np.asarray(S.simulate_page(pdf, page, S.Conditions(), seed=1, marks=[]).image, dtype=np.int16)
    for change in ({"noise": 18.0}, {"blur": 1.2}, {"jpeg": 35}):
        sim = S.simulate_page(pdf, page, S.Conditions(**change), seed=1, marks=[])
        assert np.abs(np.asarray(sim.image, dtype=np.int16) - clean).mean() > 0.2, change


def test_a_batch_is_written_as_one_pdf_and_as_images(built, tmp_path) -> None:
    pages = S.simulate_batch(built, 4, seed=1, conditions=["clean", "jpeg"])
    written = S.write_batch(pages, tmp_path / "png")
    assert len(PdfReader(tmp_path / "png" / "scans.pdf").pages) == 4
    pngs = sorted((tmp_path / "png").glob("page-*.png"))
    assert [p.name for p in pngs] == ["page-001.png", "page-002.png", "page-003.png", "page-004.png"]
    assert set(written) == {tmp_path / "png" / "scans.pdf", *pngs}
    assert np.array_equal(np.asarray(Image.open(pngs[0])), np.asarray(pages[0].image))  # PNG is lossless
    jpegs = S.write_batch(pages, tmp_path / "jpg", pdf=False, images="jpeg")
    assert [p.suffix for p in jpegs] == [".jpg"] * 4 and Image.open(jpegs[0]).size == pages[0].image.size


@pytest.mark.parametrize("dpi", [150, 300])
def test_every_simulated_page_keeps_a_readable_qr_code(built, dpi) -> None:
    """Decoded by zxing-cpp (the reader's decoder; skipped where it is not installed) under every condition."""
    zxingcpp = pytest.importorskip("zxingcpp")
    for sim in S.simulate_batch(built, len(S.CONDITIONS), seed=dpi, dpi=dpi):
        texts = [r.text for r in zxingcpp.read_barcodes(sim.image)]
        assert texts == [sim.layout["qr"]["payload"]], sim.condition


def read_number(page: dict, marks: list[S.Mark], question: int) -> float:
    """The contract's reading rule, written out here: [-]digits, point ``decimals`` from the right, e[-]digits."""
    by_id = {b["id"]: b for b in page["bubbles"]}
    filled = [by_id[m.bubble] for m in marks if by_id[m.bubble]["question"] == question]

    def pick(group: str) -> list[dict]:
        return sorted((b for b in filled if b["group"] == group), key=lambda b: b["column"] or 0)

    digits = "".join(b["value"] for b in pick("digit"))
    decimals = int(pick("decimals")[0]["value"]) if pick("decimals") else 0
    value = int(digits) / 10**decimals * (-1 if [b["value"] for b in pick("sign")] == ["-"] else 1)
    if pick("exp_digit"):
        power = int("".join(b["value"] for b in pick("exp_digit")))
        value *= 10.0 ** (-power if [b["value"] for b in pick("exp_sign")] == ["-"] else power)
    return value


def test_number_marks_write_what_the_contract_reads(tmp_path) -> None:
    from click.testing import CliRunner

    from quizzer.cli.main import cli

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "title: numbers\nsections:\n  - draws:\n"
        "      - {source: generated, family: activation-chain-gradient, difficulty: 3, count: 3, points: 2}\n"
        "      - {source: generated, family: conv-output, difficulty: 1, count: 1, points: 2}\n",
        encoding="utf-8",
    )
    out = tmp_path / "exam"
    args = ["exam", "build", str(spec), "--out", str(out), "--format", "md", "--no-verify", "--answer-sheets"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    layout, _ = S.load_sheets(out)
    page = layout["pages"][0]
    groups = {q: {b["group"] for b in page["bubbles"] if b["question"] == q} for q in (1, 2, 3, 4)}
    exponent = [q for q, g in groups.items() if "exp_digit" in g]
    plain = [q for q, g in groups.items() if "decimals" in g and "exp_digit" not in g]
    integer = [q for q, g in groups.items() if "decimals" not in g]
    cases = [(q, t) for q in exponent for t in ("-7.69e-6", "2.5e-4", "1e12")]
    cases += [(q, t) for q in plain for t in ("-0.125", "0.0", "3.25")]
    cases += [(q, t) for q in integer for t in ("12", "-7", "0")]
    assert cases
    for question, text in cases:
        marks = S.number_marks(page, question, text)
        assert read_number(page, marks, question) == pytest.approx(float(text), rel=1e-12), (question, text)
    with pytest.raises(ValueError, match="no digit bubble"):
        S.number_marks(page, integer[0] if integer else plain[0], "123456789012")
