"""BiText, the one text type: language lookup, templates, joining."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.text import LANGS, BiText, check_lang


def test_get_returns_each_language() -> None:
    text = BiText("答案", "Answer")
    assert [text.get(lang) for lang in LANGS] == ["答案", "Answer"]


@pytest.mark.parametrize("lang", ["fr", "EN", "", "zh-CN", "english"])
def test_get_rejects_an_unknown_language_instead_of_answering_in_english(lang: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        BiText("答案", "Answer").get(lang)
    with pytest.raises(ValueError, match="expected one of zh, en"):
        check_lang(lang)


def test_format_fills_each_side_and_takes_bitext_values_per_language() -> None:
    template = BiText("{who}得了 {n} 分", "{who} scored {n}")
    filled = template.format(who=BiText("你", "You"), n=3)
    assert filled == BiText("你得了 3 分", "You scored 3")


def test_format_does_not_reinterpret_braces_in_values() -> None:
    # User text (a profile name, a path) may hold braces: it is substituted, never formatted again.
    assert BiText("{p}", "{p}").format(p="{oops}") == BiText("{oops}", "{oops}")


def test_add_and_join_keep_the_languages_apart() -> None:
    parts = [BiText("一", "one"), BiText("二", "two")]
    assert BiText.join(parts) == BiText("一\n二", "one\ntwo")
    assert parts[0] + parts[1] == BiText("一二", "onetwo")
    assert parts[0].as_dict() == {"zh": "一", "en": "one"}


@given(zh=st.text(), en=st.text(), lang=st.text(max_size=5))
def test_get_either_answers_in_the_language_asked_or_raises(zh: str, en: str, lang: str) -> None:
    text = BiText(zh, en)
    if lang in LANGS:
        assert text.get(lang) == (zh if lang == "zh" else en)
    else:
        with pytest.raises(ValueError):
            text.get(lang)


@given(st.text(min_size=1).filter(str.strip), st.sampled_from(["zh", "en"]))
def test_a_one_language_text_answers_in_either_language_and_says_which_it_has(body: str, side: str) -> None:
    text = BiText.one_sided(body, "") if side == "zh" else BiText.one_sided("", body)
    assert text.get("zh") == text.get("en") == body
    assert text.only == side and text.has(side) and not text.has("en" if side == "zh" else "zh")
    assert text.as_dict() == {side: body}  # stored as written, without the missing side
    both = BiText.one_sided("问", "Q")
    assert both == BiText("问", "Q") and both.has("zh") and both.has("en") and both.as_dict() == {"zh": "问", "en": "Q"}
