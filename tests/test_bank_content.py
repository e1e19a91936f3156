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
    for needle in ("l2 = √", "doubles the receptive field", "word order", "standard normal", "two-dimensional",
                   "parameter count", "longer", "1 larger", "0.25", "threshold", "defaults to 0.9", "adam",
                   "number and the size", "current batch"):
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
            if any(flat[i:i + 20] in notes for i in range(max(0, len(flat) - 19))):
                copied.append(item.id)
    assert copied == []
