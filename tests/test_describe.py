"""``describe_family``: every parameter listed with what pydantic really accepts, in both languages."""

from __future__ import annotations

import re
import shlex
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from quizzer.errors import BadParameters, NotFound
from quizzer.generators.describe import EXAMPLE_SEED, describe_family
from quizzer.generators.registry import all_families, get_family, parse_params, sample_params

FAMILIES = all_families()
NAMES = [f.name for f in FAMILIES]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_every_parameter_has_a_one_line_meaning_in_both_languages(family) -> None:
    doc = describe_family(family)
    assert [p.name for p in doc.parameters] == list(family.params_model.model_fields)
    for field_name, info in family.params_model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        en, zh = info.description, extra.get("zh")
        assert en and en.strip(), f"{family.name}.{field_name} has no Field(description=...)"
        assert isinstance(zh, str) and CJK.search(zh), (
            f'{family.name}.{field_name} has no json_schema_extra={{"zh": …}}'
        )
        assert "\n" not in en and "\n" not in zh, f"{family.name}.{field_name}: the meaning is one line"


def _field_adapter(family, name: str) -> TypeAdapter[Any]:
    info = family.params_model.model_fields[name]
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)


INTERVAL = re.compile(r"^([\[(])(-?[\d.e]+|-∞), (-?[\d.e]+|∞)([\])])$")


def _number(text: str) -> float:
    return float(text.replace("e", "e+") if re.fullmatch(r"\d+e\d+", text) else text)


def _numeric_fields() -> list[tuple[Any, str]]:
    out = []
    for family in FAMILIES:
        for p in describe_family(family).parameters:
            if p.type in ("int", "float") and INTERVAL.match(p.allowed.en):
                out.append((family, p.name))
    return out


@pytest.mark.parametrize("family, name", _numeric_fields(), ids=lambda v: getattr(v, "name", v))
def test_the_interval_shown_is_the_one_pydantic_enforces(family, name) -> None:
    """The listing's bounds, read back from its text, are accepted or refused exactly as they say."""
    (p,) = [q for q in describe_family(family).parameters if q.name == name]
    left, lo, hi, right = INTERVAL.match(p.allowed.en).groups()  # type: ignore[union-attr]
    adapter = _field_adapter(family, name)

    def step(bound: float) -> float:
        return 1 if p.type == "int" else max(abs(bound) * 1e-9, 1e-9)

    def accepts(value: float) -> bool:
        try:
            adapter.validate_python(int(value) if p.type == "int" else value)
        except ValidationError:
            return False
        return True

    if lo != "-∞":
        low = _number(lo)
        assert accepts(low) == (left == "["), f"{family.name}.{name} at its lower bound {low}"
        assert not accepts(low - step(low)) and accepts(low + step(low))
    if hi != "∞":
        high = _number(hi)
        assert accepts(high) == (right == "]"), f"{family.name}.{name} at its upper bound {high}"
        assert not accepts(high + step(high)) and accepts(high - step(high))


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_choices_shown_are_exactly_the_accepted_values(family) -> None:
    for p in describe_family(family).parameters:
        if p.type != "choice":
            continue
        adapter = _field_adapter(family, p.name)
        for value in p.allowed.en.split(", "):
            adapter.validate_python(value)
        with pytest.raises(ValidationError):
            adapter.validate_python("no-such-choice")


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_required_and_defaults_match_the_model(family) -> None:
    doc = {p.name: p for p in describe_family(family).parameters}
    for name, info in family.params_model.model_fields.items():
        if info.is_required():
            assert doc[name].required and doc[name].default is None, name
        default = info.get_default(call_default_factory=True)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            assert float(doc[name].default) == pytest.approx(default, rel=1e-5), name  # type: ignore[arg-type]
        if isinstance(default, bool):
            assert doc[name].default == str(default).lower(), name


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_the_example_is_the_seeded_draw_written_as_typed(family) -> None:
    """The example's key=value words parse back to exactly the instance the family draws for the seed."""
    words = shlex.split(describe_family(family).example)
    assert words[:3] == ["quizzer", "solve", family.name]
    typed = dict(w.split("=", 1) for w in words[3:])
    drawn = sample_params(family, EXAMPLE_SEED, family.difficulties[0])
    # Compared as dumped (what gen --json shows): a layer's unset stride and its default stride dump alike.
    assert parse_params(family, typed).model_dump() == drawn.model_dump()


def test_scheduler_arguments_say_which_scheduler_takes_them() -> None:
    doc = {p.name: p for p in describe_family(get_family("lr-schedule")).parameters}
    assert doc["step_size"].required and "scheduler=step only" in doc["step_size"].meaning.en
    assert "仅 scheduler=step" in doc["step_size"].meaning.zh
    assert doc["T_mult"].default == "1" and not doc["T_mult"].required
    assert doc["scheduler"].required and "multistep" in doc["scheduler"].allowed.en.split(", ")
    # gamma: StepLR and MultiStepLR default to 0.1, ExponentialLR needs it, CyclicLR's is 1 (torch's own signatures)
    assert doc["gamma"].default == "step: 0.1; multistep: 0.1; exponential: —; cyclic: 1"


def test_a_shared_scheduler_argument_means_only_what_the_familys_own_schedulers_make_it() -> None:
    everything = {p.name: p for p in describe_family(get_family("lr-schedule")).parameters}
    assert "CyclicLR" in everything["gamma"].meaning.en and "CyclicLR" in everything["gamma"].meaning.zh
    assert "SequentialLR" in everything["milestones"].meaning.en
    threshold = {p.name: p for p in describe_family(get_family("lr-threshold-step")).parameters}
    assert "CyclicLR" not in threshold["gamma"].meaning.en and "CyclicLR" not in threshold["gamma"].meaning.zh
    assert "SequentialLR" not in threshold["milestones"].meaning.en


def test_described_types_and_ranges_read_as_typed() -> None:
    conv = {p.name: p for p in describe_family(get_family("conv-output")).parameters}
    assert (conv["input_size"].type, conv["input_size"].allowed.en) == ("int", "[1, 4096]")
    assert conv["transposed"].allowed.en == "true, false" and conv["transposed"].default == "false"
    chain = {p.name: p for p in describe_family(get_family("activation-chain-gradient")).parameters}
    assert chain["weights"].type == "list[float]" and chain["weights"].allowed.en == "1–10 values, each in [-10, 10]"
    assert chain["weights"].allowed.zh == "1–10 个值，每个取 [-10, 10]"
    rf = {p.name: p for p in describe_family(get_family("receptive-field")).parameters}
    assert rf["layers"].type == "layers" and "separated by ';'" in rf["layers"].meaning.en
    big = {p.name: p for p in describe_family(get_family("iterations")).parameters}
    assert big["num_samples"].allowed.en == "[1, 1e8]"


def test_as_dict_in_one_language_or_both() -> None:
    doc = describe_family(get_family("pool-output"))
    both, en = doc.as_dict(), doc.as_dict("en")
    assert both["parameters"][0]["meaning"] == {"zh": doc.parameters[0].meaning.zh, "en": doc.parameters[0].meaning.en}
    assert en["parameters"][0]["meaning"] == doc.parameters[0].meaning.en and en["example"] == doc.example


# ---------------------------------------------------------------- suggestions


def test_an_unknown_family_suggests_the_nearest_names_on_one_line() -> None:
    with pytest.raises(NotFound) as err:
        get_family("conv-ouptut")
    assert "did you mean conv-output" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(NotFound, match="did you mean conv-output\\?"):
        get_family("conv_output")  # a Python-style name: the one family it spells
    with pytest.raises(NotFound, match="known families: activation-chain-gradient, "):
        get_family("zzz")  # nothing close: every name


@given(st.sampled_from(NAMES), st.data())
def test_a_one_letter_typo_of_a_family_suggests_it(name, data) -> None:
    i = data.draw(st.integers(0, len(name) - 1))
    typo = name[:i] + name[i + 1 :]  # one letter dropped
    if typo in NAMES:
        return
    with pytest.raises(NotFound) as err:
        get_family(typo)
    assert re.search(rf"(mean|or) {re.escape(name)}\b", str(err.value))


def test_an_unknown_parameter_suggests_the_nearest_and_lists_them_all() -> None:
    family = get_family("conv-output")
    with pytest.raises(BadParameters) as err:
        parse_params(family, {"input_size": "9", "kernal_size": "3"})
    text = str(err.value)
    assert "unknown parameter 'kernal_size'; did you mean kernel_size?" in text
    assert all(name in text for name in family.params_model.model_fields)
    with pytest.raises(BadParameters) as far:
        parse_params(family, {"qqq": "1"})
    assert "did you mean" not in str(far.value) and "parameters are: input_size" in str(far.value)


def _union_fields() -> list[tuple[Any, str]]:
    return [(f, p.name) for f in FAMILIES for p in describe_family(f).parameters if " | " in p.type]


def test_union_parameters_are_found() -> None:
    assert {(f.name, name) for f, name in _union_fields()} >= {("conv-output", "padding"), ("grad-clip", "norm_type")}


@pytest.mark.parametrize("family, name", _union_fields(), ids=lambda v: getattr(v, "name", v))
def test_a_union_shows_each_alternative_as_pydantic_enforces_it(family, name) -> None:
    """``int | choice · [0, 64] or same, valid``: the interval's ends and every choice, accepted or refused as shown."""
    (p,) = [q for q in describe_family(family).parameters if q.name == name]
    adapter = _field_adapter(family, name)
    kinds = p.type.split(" | ")
    parts = p.allowed.en.split(" or ")
    assert len(parts) == len(kinds) and p.allowed.zh.split(" 或 ") == parts
    for kind, part in zip(kinds, parts, strict=True):
        if kind == "choice":
            for value in part.split(", "):
                adapter.validate_python(value)
            continue
        left, lo, hi, right = INTERVAL.match(part).groups()  # type: ignore[union-attr]
        number = int if kind == "int" else float
        step = 1 if kind == "int" else 1e-9
        for bound, closed, outward in ((lo, left == "[", -step), (hi, right == "]", step)):
            if bound in ("-∞", "∞"):
                continue
            value = number(_number(bound))
            if closed:
                adapter.validate_python(value)
            with pytest.raises(ValidationError):
                adapter.validate_python(value + outward if closed else value)
    with pytest.raises(ValidationError):
        adapter.validate_python("no-such-choice")


def test_a_bad_union_value_is_one_line_saying_what_is_allowed() -> None:
    with pytest.raises(BadParameters) as err:
        parse_params(get_family("conv-output"), {"input_size": "9", "kernel_size": "3", "padding": "full"})
    assert str(err.value).splitlines()[1:] == [
        "  padding: must be an integer in [0, 64], 'same' or 'valid', not 'full'"
    ]
    with pytest.raises(BadParameters) as err:
        parse_params(get_family("grad-clip"), {"weight_grad": "3,4", "max_norm": "1", "norm_type": "two"})
    assert str(err.value).splitlines()[1:] == ["  norm_type: must be a number in [1, 64] or 'inf', not 'two'"]
    conv = {p.name: p for p in describe_family(get_family("conv-output")).parameters}
    assert (conv["padding"].type, conv["padding"].allowed.en) == ("int | choice", "[0, 64] or same, valid")
