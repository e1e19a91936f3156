"""Finding questions in notes of every common shape, and drafting items from them.

The corpus in tests/data/notes/ was written for these tests, one file per shape; the expected questions,
chapters, kinds and answers below were read off those files by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from quizzer.bank.loader import load_bank
from quizzer.bank.notes import draft_notes, parse_notes, validate_draft
from quizzer.bank.notes.draft import keywords, stable_id
from quizzer.bank.notes.parse import is_question, strip_numbering
from quizzer.errors import BadParameters, NotFound, QuizzerError
from quizzer.quiz.question import question_from_item

CORPUS = Path(__file__).parent / "data" / "notes"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "notes" / "interview-notes.zh.md"


def _found(name: str) -> list[tuple[str, str, str | None]]:
    return [(q.question, q.shape, q.chapter) for q in parse_notes((CORPUS / name).read_text(encoding="utf-8"))]


def _items(name: str, bank: str = "t") -> list[dict]:
    return draft_notes(CORPUS / name, bank=bank).items


def test_numbered_headings_with_chapters_math_tables_and_figures() -> None:
    assert _found("headings-numbered.zh.md") == [
        ("学习率太大会怎样？", "heading", "2.1 梯度下降"),
        ("SGD 与批量梯度下降的区别", "heading", "2.1 梯度下降"),
        ("为什么要做 warmup", "heading", "2.2 学习率调度"),
        ("余弦退火的公式是什么？", "heading", "2.2 学习率调度"),
    ]
    items = {item["prompt"]["zh"]: item for item in _items("headings-numbered.zh.md")}
    table = items["SGD 与批量梯度下降的区别"]
    # The table stays as text in the reference; each body row is a key point; the image is a note.
    assert "| SGD | 1 个样本 | 快但噪声大 |" in table["reference"]["zh"]
    assert "(figure omitted: img/sgd-vs-gd.png)" in table["reference"]["zh"]
    assert [p["point"]["zh"] for p in table["key_points"]] == [
        "批量梯度下降；全部样本；稳定但慢",
        "SGD；1 个样本；快但噪声大",
    ]
    formula = items["余弦退火的公式是什么？"]["reference"]["zh"]
    assert "$$\n\\eta_t = \\eta_{min}" in formula and "$T$ 是周期长度" in formula  # math kept as written
    warmup = items["为什么要做 warmup"]
    assert len(warmup["key_points"]) == 3  # one per numbered entry
    everything = yaml.safe_dump(_items("headings-numbered.zh.md"), allow_unicode=True)
    assert "[TOC]" not in everything and "注释" not in everything  # TOC marker and HTML comment dropped
    assert {item["topic"] for item in items.values()} == {"2.1 梯度下降", "2.2 学习率调度"}


def test_bold_list_item_questions_and_their_cloze_items() -> None:
    assert _found("bold-items.en.md") == [
        ("What does dropout do during training?", "bold", "Dropout"),
        ("Is dropout active at test time?", "bold", "Dropout"),
        ("Why does weight decay reduce overfitting?", "bold", "Weight decay"),
    ]
    items = _items("bold-items.en.md")
    assert [i["kind"] for i in items] == ["open", "fill", "open", "open", "fill"]
    clozes = [i for i in items if i["kind"] == "fill"]
    assert [c["accepted"] for c in clozes] == [["inverted dropout"], ["L2 penalty"]]
    assert clozes[0]["prompt"]["en"].startswith("It zeroes each activation with probability p")
    assert "which is called ____." in clozes[0]["prompt"]["en"] and "inverted dropout" not in clozes[0]["prompt"]["en"]
    assert all(set(i["prompt"]) == {"en"} for i in items)  # English notes make an English-only bank


def test_question_and_answer_pairs_in_both_languages() -> None:
    assert _found("qa-pairs.zh.md") == [
        ("BatchNorm 在哪个维度上求均值？", "qa", "BatchNorm"),
        ("推理时 BatchNorm 用的是什么统计量？", "qa", "BatchNorm"),
        ("LayerNorm 为什么适合 RNN 和 Transformer？", "qa", "LayerNorm"),
    ]
    zh = {i["prompt"]["zh"]: i for i in _items("qa-pairs.zh.md") if i["kind"] == "open"}
    # An answer that runs on to the next line stays one answer.
    assert zh["LayerNorm 为什么适合 RNN 和 Transformer？"]["reference"]["zh"].endswith("序列长度不同时也能直接使用。")
    assert [q for q, _, _ in _found("qa-pairs.en.md")] == [
        "What does a 1x1 convolution change?",
        "How many weights does a 3x3 convolution from 64 to 128 channels have, without bias?",
        "What is the receptive field of two stacked 3x3 convolutions with stride 1?",
    ]
    en = {i["prompt"]["en"]: i for i in _items("qa-pairs.en.md")}
    weights = en["How many weights does a 3x3 convolution from 64 to 128 channels have, without bias?"]
    assert weights["reference"]["en"] == "3 * 3 * 64 * 128 = 73728 weights."
    assert "73728" in weights["key_points"][0]["keywords"]["en"]  # the number the answer gives, 3·3·64·128


def test_one_liners_become_fill_items_and_code_is_not_a_card() -> None:
    found = _found("oneliners.en.md")
    assert [(q, s) for q, s, _ in found] == [
        ("Output range of the sigmoid function", "oneliner"),
        ("Derivative of ReLU for positive inputs", "oneliner"),
        ("The activation that is zero-centred and saturates at -1 and 1", "oneliner"),
        ("Largest value of the sigmoid derivative", "oneliner"),
    ]
    items = _items("oneliners.en.md")
    assert [(i["kind"], i["accepted"]) for i in items] == [
        ("fill", ["(0, 1)"]),
        ("fill", ["1"]),
        ("fill", ["tanh"]),
        ("fill", ["0.25"]),
    ]


def test_the_learners_own_shape_with_sub_headings() -> None:
    assert [(q, s) for q, s, _ in _found("learner-shape.zh.md")] == [
        ("残差连接解决了什么问题", "heading"),
        ("动量法的直观理解", "heading"),
        ("早停的判断依据是什么", "heading"),
    ]
    items = _items("learner-shape.zh.md")
    residual = items[0]
    points = [p["point"]["zh"] for p in residual["key_points"]]
    assert points[2:] == [
        "两种实现：维度相同时直接相加",
        "两种实现：维度不同时用 1x1 卷积做投影",
    ]  # sub-heading as context
    assert {i["topic"] for i in items} == {"learner-shape.zh"}  # no chapter headings: the file names the topic
    momentum = next(i for i in items if i["prompt"]["zh"] == "动量法的直观理解" and i["kind"] == "open")
    assert "figures/momentum.png" in momentum["reference"]["zh"] and "<img" not in momentum["reference"]["zh"]


def test_headings_that_ask_nothing_group_and_their_text_is_no_question() -> None:
    found = _found("mixed-headings.en.md")
    assert found == [
        ("How does momentum change the update", "heading", "Chapter 1: Training loops"),
        ("Explain gradient clipping", "heading", "Chapter 1: Training loops"),
        ("Difference between BatchNorm and LayerNorm?", "heading", "Chapter 2: Normalization"),
    ]
    items = _items("mixed-headings.en.md")
    assert [len(i["key_points"]) for i in items] == [2, 1, 2]


def test_every_corpus_file_drafts_a_valid_single_language_bank() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        if path.name == "no-questions.md":
            continue
        draft = draft_notes(path, bank="corpus")
        loaded = validate_draft(draft)
        assert len(loaded) == len(draft.items) > 0
        assert all(entry.item.prompt.only == draft.lang for entry in loaded)


def test_a_file_with_no_question_shows_its_first_lines_and_the_shapes() -> None:
    with pytest.raises(QuizzerError) as info:
        draft_notes(CORPUS / "no-questions.md")
    message = str(info.value)
    assert "no question found" in message and "# Shopping list | - milk | - eggs" in message
    for shape in ("###", "**", "问：/答：", "Q:/A:", "::"):
        assert shape in message
    with pytest.raises(NotFound):
        draft_notes(CORPUS / "missing.md")


def test_keywords_are_the_answers_terms_not_its_first_characters() -> None:
    point = "sigmoid和tanh在输入绝对值较大时导数接近0，**梯度消失**；而ReLU在正区间导数恒为1"
    words = keywords(point, "ReLU 有什么优势", "zh")
    assert words[:3] == ["梯度消失", "sigmoid", "tanh"]  # bold first, then English terms
    assert "ReLU" not in words  # the question already says it: echoing the question shows nothing
    assert "sigmoid和tanh" not in words
    plain = keywords("在训练刚开始时，先用较小的学习率热身", "为什么要 warmup", "zh")
    assert plain and all(len(w) >= 2 for w in plain) and "在训练刚开" not in plain


def test_ids_are_stable_across_renumbering_and_spacing() -> None:
    assert stable_id("b", "3.1.1 神经网络组成？") == stable_id("b", "神经网络组成") == stable_id("b", "神经网络组成 ？")
    assert stable_id("b", "神经网络组成") != stable_id("b", "神经网络的组成")
    assert stable_id("b", "q", "term") != stable_id("b", "q", "other") and stable_id("b", "q", "t").startswith("b-")


@pytest.mark.parametrize(
    "text, asks",
    [
        ("3.1.1 神经网络组成？", True),
        ("为什么要使用池化层", True),
        ("What is dropout", True),
        ("Explain BN", True),
        ("第三章 深度学习基础", False),
        ("3.1 基本概念", False),
        ("Chapter 2: Normalization", False),
        ("Dropout", False),
    ],
)
def test_what_counts_as_a_question(text: str, asks: bool) -> None:
    assert is_question(strip_numbering(text)) is asks


@given(st.text(max_size=400))
def test_parsing_never_crashes_and_every_question_has_an_answer(markdown: str) -> None:
    for question in parse_notes(markdown):
        assert question.question and question.has_answer


def test_cloze_grades_the_bold_term_and_gives_the_usual_feedback_for_a_near_miss() -> None:
    loaded = validate_draft(draft_notes(CORPUS / "bold-items.en.md", bank="g"))
    cloze = next(entry.item for entry in loaded if entry.item.kind == "fill")
    question = question_from_item(cloze, 1)
    right = question.grade(question.parse("Inverted  Dropout"))  # case and spacing do not matter
    assert right.verdict == "correct" and right.score == 1.0
    near = question.grade(question.parse("inverted dropuot"))
    assert near.verdict == "incorrect" and near.score == 0.0
    assert "inverted dropout" in near.feedback[0].text.en  # the verdict line names the answer


def test_the_example_interview_notes_have_over_fifty_questions() -> None:
    draft = draft_notes(EXAMPLE, bank="interview")
    assert sum(draft.shapes.values()) == draft.shapes["heading"] >= 50
    assert draft.lang == "zh" and len({i["topic"] for i in draft.items}) >= 4
    references = "\n".join(i["reference"]["zh"] for i in draft.items if i["kind"] == "open")
    assert "$" in references and "| ---" in references  # math and tables kept
    assert len(validate_draft(draft)) == len(draft.items)


def test_the_default_bank_name_is_refused_for_notes(tmp_path: Path) -> None:
    from quizzer.bank.notes import import_notes
    from quizzer.store.engine import open_store

    store = open_store(None)
    with pytest.raises(BadParameters, match="bank of their own"):
        import_notes(store, CORPUS / "qa-pairs.en.md", bank="bundled")
    with pytest.raises(BadParameters, match="bad bank name"):
        import_notes(store, CORPUS / "qa-pairs.en.md", bank="My Notes")
    store.close()


def test_a_written_draft_is_a_valid_bank_file(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    out.write_text(draft_notes(CORPUS / "qa-pairs.zh.md", bank="d").yaml(), encoding="utf-8")
    loaded = load_bank([out])
    assert [entry.item.kind for entry in loaded] == ["open", "open", "fill", "open"]


def test_unreadable_notes_are_one_clear_error(tmp_path: Path) -> None:
    binary = tmp_path / "notes.md"
    binary.write_bytes(b"### \xff\xfe what?\n")
    with pytest.raises(QuizzerError, match="not UTF-8 text"):
        draft_notes(binary)
    with pytest.raises(QuizzerError, match="is a directory"):
        draft_notes(tmp_path)


def test_the_learners_real_notes_give_thirteen_questions() -> None:
    here = Path(__file__).resolve()
    candidates = [parent / "shared" / "notes" / "dl-notes.zh.md" for parent in here.parents[1:4]]
    notes = next((path for path in candidates if path.exists()), None)
    if notes is None:
        pytest.skip("the learner's notes are not beside this checkout")
    draft = draft_notes(notes, bank="dl")
    assert draft.shapes == {"heading": 13} and draft.lang == "zh"
    assert all(d.items[0]["kind"] == "open" and len(d.items[0]["key_points"]) >= 2 for d in draft.drafted)
    assert len(validate_draft(draft)) == len(draft.items)
