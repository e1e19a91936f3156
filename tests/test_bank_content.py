"""The bundled bank meets its own brief: coverage, both languages, self-contained items, corrections."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from quizzer.bank.loader import load_bank
from quizzer.bank.schema import KINDS, OpenItem
from quizzer.resources import bundled_questions_dir
from quizzer.topics import SECTION_OF, TOPIC_SLUGS

ITEMS = [loaded.item for loaded in load_bank([bundled_questions_dir()])]


def _find_notes() -> Path:
    """The learner's notes in ``shared/notes`` beside the checkout (main or a worktree one level deeper)."""
    for base in Path(__file__).resolve().parents[1:4]:
        candidate = base / "shared" / "notes" / "dl-notes.zh.md"
        if candidate.exists():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "notes" / "dl-notes.zh.md"


NOTES = _find_notes()


def test_size_and_coverage() -> None:
    per_topic = Counter(i.topic for i in ITEMS)
    assert len(ITEMS) >= 180
    assert all(per_topic[t] >= 12 for t in TOPIC_SLUGS), per_topic
    assert set(Counter(i.kind for i in ITEMS)) == set(KINDS)


@pytest.mark.parametrize("topic", TOPIC_SLUGS)
def test_each_section_has_an_open_item_with_key_points(topic: str) -> None:
    opens = [i for i in ITEMS if isinstance(i, OpenItem) and i.topic == topic and i.section == SECTION_OF[topic]]
    assert opens, f"no open item for section {SECTION_OF[topic]} ({topic})"
    assert max(len(i.key_points) for i in opens) >= 3


def test_one_file_per_topic() -> None:
    for path in bundled_questions_dir().glob("*.yaml"):
        assert path.stem in TOPIC_SLUGS


def test_items_do_not_refer_to_other_items() -> None:
    # Questions are served in random order: "as above" or "the previous item" would make no sense.
    pattern = re.compile(r"同上|上一题|上题|前一题|previous (item|question)|as before|same setting as before", re.I)
    offenders = [i.id for i in ITEMS if pattern.search(i.prompt.zh + i.prompt.en)]
    assert offenders == []


def test_notes_mistakes_are_corrected() -> None:
    corrected = [i for i in ITEMS if i.notes_correction]
    assert len(corrected) >= 13
    claims = " ".join(i.notes_correction.claim.en for i in corrected).lower()
    # The inaccuracies found in the notes, each taught by at least one item.
    for needle in (
        "l2 = √",
        "doubles the receptive field",
        "word order",
        "standard normal",
        "two-dimensional",
        "parameter count",
        "longer",
        "1 larger",
        "0.25",
        "threshold",
        "defaults to 0.9",
        "adam",
        "number and the size",
        "current batch",
    ):
        assert needle in claims, needle


def test_choice_options_all_explain_themselves() -> None:
    for item in ITEMS:
        for option in getattr(item, "options", []):
            assert len(option.why.zh) >= 4 and len(option.why.en) >= 8, item.id


def test_no_long_passage_is_copied_from_the_notes() -> None:
    if not NOTES.exists():
        pytest.skip("the learner's notes are not beside this checkout")
    notes = re.sub(r"\s+", "", NOTES.read_text(encoding="utf-8"))
    copied = []
    for item in ITEMS:
        own_words = [item.prompt.zh, item.explanation.zh] + [o.text.zh for o in getattr(item, "options", [])]
        for text in own_words:
            flat = re.sub(r"\s+", "", text)
            if any(flat[i : i + 20] in notes for i in range(max(0, len(flat) - 19))):
                copied.append(item.id)
    assert copied == []


# --- regression tests for the bank defects found in review (issue 9, section 2) ---------------------------

BY_ID = {i.id: i for i in ITEMS}


def _option_whys(item_id: str) -> list[tuple[str, str]]:
    return [(o.why.zh, o.why.en) for o in BY_ID[item_id].options]


def test_sigmoid_chain_asks_for_a_maximum_that_is_reachable() -> None:
    import torch

    item = BY_ID["gradvx-sigmoid-chain"]
    assert "偏置" in item.prompt.zh and "bias" in item.prompt.en  # free biases make 0.25⁵ reachable
    x0 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    a = torch.sigmoid(x0)
    for _ in range(4):
        a = torch.sigmoid(a - a.detach())  # bias b_k = −a_{k−1}: every pre-activation is 0
    (reachable,) = torch.autograd.grad(a, x0)
    assert abs(reachable.item() - item.value) <= item.tolerance
    # Without biases the best input reaches only about 6.8e-4: the explanation must say so.
    x = torch.linspace(-10, 10, 20001, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(5):
        h = torch.sigmoid(h)
    (grads,) = torch.autograd.grad(h.sum(), x)
    assert round(grads.max().item(), 5) == 0.00068 and "6.8e-4" in item.explanation.en + item.explanation.zh


def test_batchnorm_with_batch_size_one_is_described_as_torch_behaves() -> None:
    import torch

    torch.nn.BatchNorm2d(3).train()(torch.randn(1, 3, 4, 4))  # one image: H×W values per channel, runs
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(3).train()(torch.randn(1, 3))
    reference = BY_ID["bnln-open-diff"].reference
    why_b = _option_whys("bnln-single-inference-stats")[1]
    for zh, en in ((reference.zh, reference.en), why_b):
        assert "single value per channel" in en and "一个值" in zh
        assert "batch size 1 training mode cannot" not in en and "break for batch size 1" not in en


def test_adam_learning_rate_range_is_consistent_within_the_item() -> None:
    zh, en = _option_whys("cnn-lr-vs-batch-size")[1]
    assert "fits Adam" not in en and "1e-4 to 1e-3" in en and "1e-4～1e-3" in zh
    option_a = BY_ID["cnn-lr-vs-batch-size"].options[0].text.en
    assert "about 1e-3 for Adam" in option_a  # the correct option and B's explanation now agree


def test_momentum_saddle_item_states_the_learning_rate_its_numbers_need() -> None:
    import torch

    item = BY_ID["mom-tf-exact-saddle"]
    assert "lr=0.1" in item.prompt.zh and "lr=0.1" in item.prompt.en and "0.0384" in item.explanation.en

    def run(start: list[float], steps: int) -> list[float]:
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        for _ in range(steps):
            opt.zero_grad()
            (p[0] ** 2 - p[1] ** 2).backward()
            opt.step()
        return p.tolist()

    assert run([0.0, 0.0], 100) == [0.0, 0.0] and item.answer is False
    assert round(run([0.0, 0.001], 10)[1], 4) == 0.0384


def test_explanations_do_not_name_option_letters_of_other_sources() -> None:
    # "(options B/C)" meant the ResNet paper's shortcut options but read as the quiz's own letters.
    letters = re.compile(r"\boptions? [A-H]\b|option [A-H]/[A-H]|方案 ?[A-H]\b")
    offenders = [i.id for i in ITEMS for o in getattr(i, "options", []) if letters.search(o.why.en + o.why.zh)]
    assert offenders == []


def test_adaptive_optimizers_change_the_effective_learning_rate() -> None:
    item = BY_ID["lrd-adaptive-multi"]
    texts = [o.text.en + o.why.en for o in item.options]
    assert not any("effective step" in t for t in texts)
    assert sum("effective learning rate" in o.text.en for o in item.options) == 2
    assert sum("有效学习率" in o.text.zh for o in item.options) == 2


def test_max_pooling_gradient_option_keeps_the_tie_condition_in_both_languages() -> None:
    zh, en = _option_whys("pool-backward-multi")[0]
    assert "无并列最大值" in zh and "no tied maxima" in en


def test_sgd_default_momentum_item_corrects_the_notes() -> None:
    import torch

    item = BY_ID["mom-tf-default-momentum"]
    assert item.notes_correction is not None and "0.9" in item.notes_correction.claim.en
    assert torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).defaults["momentum"] == 0


@pytest.mark.parametrize(
    ("item_id", "answer", "verdict"),
    [
        ("ebi-iteration-term", "step", "correct"),  # the explanation names it
        ("ebi-iteration-term", "training step", "correct"),
        ("ebi-iteration-term", "epoch", "incorrect"),
        ("pool-gap-fill", "global average pooling", "correct"),
        ("pool-gap-fill", "Global-Average Pooling", "correct"),
        ("pool-gap-fill", "全局平均池化层", "correct"),
        ("pool-gap-fill", "global max pooling", "incorrect"),
        ("gradvx-init-relu", "MSRA", "correct"),
        ("gradvx-init-relu", "Xavier", "incorrect"),
        ("cnn-same-padding", "1 pixel", "correct"),
        ("cnn-same-padding", "2", "incorrect"),
        ("res-fill-degradation", "the degradation problem", "correct"),
        ("act-leaky-relu-name", "nn.LeakyReLU", "correct"),
        ("mom-fill-velocity", "velocity term", "correct"),
        ("rf-seven-fill", "7x7 conv", "correct"),
        ("rf-seven-fill", "5x5", "incorrect"),
    ],
)
def test_fill_items_accept_the_synonyms_learners_use(item_id: str, answer: str, verdict: str) -> None:
    from quizzer.grading.kinds import grade_item, parse_item_answer

    item = BY_ID[item_id]
    assert grade_item(item, parse_item_answer(item, answer)).verdict == verdict


def test_trivial_recall_items_gave_way_to_deeper_ones() -> None:
    retired = {
        "act-relu-positive-derivative",
        "gradvx-tanh-max-deriv",
        "mom-fill-typical-mu",
        "bnln-fill-affine",
        "res-tf-identity-zero",
    }
    assert retired.isdisjoint(BY_ID)
    deeper = {
        "regnorm-scaling-conditioning",
        "regnorm-augmentation-regularizer",
        "regnorm-early-stop-min-delta",
        "act-gelu-negative-value",
        "act-gelu-properties",
    }
    assert deeper <= set(BY_ID) and all(BY_ID[i].difficulty >= 2 for i in deeper)


def test_feature_scaling_item_matches_gradient_descent_in_torch() -> None:
    import torch

    item = BY_ID["regnorm-scaling-conditioning"]
    hessian = torch.tensor([100.0, 1.0], dtype=torch.float64)
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=2 / 101)
    steps = 0
    while w.detach().abs().max() > 1e-3:  # the optimum is 0: shrink the error 1000-fold
        opt.zero_grad()
        (0.5 * (hessian * w**2).sum()).backward()
        opt.step()
        steps += 1
        if steps == 1:
            assert torch.allclose(
                w.detach().abs(), torch.full((2,), item.value, dtype=torch.float64), atol=item.tolerance
            )
    assert steps == 346 and "346" in item.explanation.en and "346" in item.explanation.zh
    # Standardised features: Hessian diag(1, 1), one step of lr 1 lands on the optimum.
    v = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    (0.5 * (v**2).sum()).backward()
    assert torch.equal(v.detach() - v.grad, torch.zeros(2, dtype=torch.float64))


def test_early_stopping_item_follows_patience_and_min_delta() -> None:
    losses, patience, min_delta = [0.90, 0.75, 0.70, 0.695, 0.693, 0.72, 0.69], 3, 0.01

    def stop_epoch(delta: float) -> int | None:
        best, wait = float("inf"), 0
        for epoch, loss in enumerate(losses, start=1):
            if loss < best - delta:
                best, wait = loss, 0
            else:
                wait += 1
                if wait >= patience:
                    return epoch
        return None

    item = BY_ID["regnorm-early-stop-min-delta"]
    assert "0.90, 0.75, 0.70, 0.695, 0.693, 0.72, 0.69" in item.prompt.en
    assert stop_epoch(min_delta) == item.value == 6
    assert stop_epoch(0.0) is None  # without min_delta it would not stop: the explanation says so


def test_gelu_items_match_torch() -> None:
    import torch

    gelu = torch.nn.functional.gelu
    item = BY_ID["act-gelu-negative-value"]
    assert abs(gelu(torch.tensor(-1.0, dtype=torch.float64)).item() - item.value) <= item.tolerance
    x = torch.linspace(-3, 0, 30001, dtype=torch.float64)
    y = gelu(x)
    assert round(y.min().item(), 2) == -0.17 and round(x[y.argmin()].item(), 2) == -0.75
    assert "−0.17" in BY_ID["act-gelu-properties"].options[0].text.en
