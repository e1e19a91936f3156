"""The catalogue of interface text: complete, consistent in both languages, correct plurals, import-light."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer import messages as msg
from quizzer.messages import Plural
from quizzer.text import BiText
from quizzer.topics import TOPIC_SLUGS


def _constants() -> dict[str, BiText | Plural]:
    found: dict[str, BiText | Plural] = {}
    for name, value in vars(msg).items():
        if not name.isupper():
            continue
        if isinstance(value, (BiText, Plural)):
            found[name] = value
        elif isinstance(value, (dict, tuple)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            found.update({f"{name}[{key}]": v for key, v in items if isinstance(v, (BiText, Plural))})
    return found


CONSTANTS = _constants()


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_catalogue_is_not_empty() -> None:
    # The collection above is what the next tests check: make sure it found the catalogue.
    assert len(CONSTANTS) > 60 and "ANSWER" in CONSTANTS and "STREAK_DAYS" in CONSTANTS


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_every_message_has_both_languages_and_the_same_fields(name: str) -> None:
    value = CONSTANTS[name]
    sides = [value.zh, value.en] if isinstance(value, BiText) else [value.zh, value.one, value.many]
    assert all(side.strip() for side in sides), f"{name} has an empty side"
    assert all(_fields(side) == _fields(sides[0]) for side in sides), f"{name}: zh and en use different fields"
    if isinstance(value, Plural):
        assert "n" in _fields(value.zh), f"{name} does not show its count"


def test_every_topic_has_a_title() -> None:
    assert set(msg.TOPIC_TITLES) == set(TOPIC_SLUGS)
    # Titles are told apart in legends and tables: no two topics share one.
    for lang in ("zh", "en"):
        assert len({t.get(lang) for t in msg.TOPIC_TITLES.values()}) == len(TOPIC_SLUGS)


def test_weekdays_start_on_monday_like_date_weekday() -> None:
    from datetime import date, timedelta

    monday = date(2026, 11, 23)
    days = [monday + timedelta(days=i) for i in range(7)]
    assert [d.weekday() for d in days] == list(range(7))
    # Python's default C locale gives the English abbreviations.
    assert [msg.WEEKDAYS[d.weekday()].en for d in days] == [d.strftime("%a") for d in days]
    assert "".join(msg.WEEKDAYS[d.weekday()].zh for d in days) == "一二三四五六日"


@pytest.mark.parametrize(("n", "en"), [(0, "0 problem families"), (1, "1 problem family"), (2, "2 problem families")])
def test_plural_picks_the_english_form_by_count(n: int, en: str) -> None:
    assert msg.FAMILIES_TITLE.format(n) == BiText(f"{n} 个题型", en)


@given(n=st.integers(min_value=-10, max_value=10**9))
def test_plural_chinese_has_one_form_and_english_is_singular_only_for_one(n: int) -> None:
    phrase = Plural("{n} 天", "{n} day", "{n} days").format(n)
    assert phrase.zh == f"{n} 天"
    assert phrase.en == (f"{n} day" if n == 1 else f"{n} days")


def test_plural_takes_other_fields_too() -> None:
    assert msg.HISTORY_EXPORTED.format(1, path="a.csv").en == "Wrote 1 answer to a.csv."
    assert msg.HISTORY_EXPORTED.format(3, path="a.csv").zh == "已将 3 条作答写入 a.csv。"


def test_importing_the_catalogue_stays_light() -> None:
    code = "import sys, quizzer.messages; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'quizzer'" in loaded  # the check below can fail: the module list is real
    for heavy in ("pydantic", "rich", "sqlalchemy", "torch", "numpy", "yaml", "click"):
        assert f"'{heavy}'" not in loaded, heavy


def test_labels_use_each_languages_colon() -> None:
    assert msg.label(msg.ANSWER, "zh") == "答案：" and msg.label(msg.ANSWER, "en") == "Answer: "
    assert msg.heading(msg.SOLUTION, "zh") == "解答：" and msg.heading(msg.SOLUTION, "en") == "Solution:"
    with pytest.raises(ValueError):
        msg.label(msg.ANSWER, "de")
