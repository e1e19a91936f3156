"""Bank question kinds: one module per kind, found here without a list to keep up to date.

Every module of this package except ``base`` defines a ``KINDS`` tuple of ``BankKind`` objects
(see ``base.py`` for the contract). ``REGISTRY`` maps each kind's name to its object, in the
kinds' ``order``; the functions below dispatch through it, so nothing else switches on a kind.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from quizzer import messages as M
from quizzer.bank.schema import ItemBase
from quizzer.grading.grade import Feedback, Result
from quizzer.grading.kinds.base import AnswerShape, BankKind, Reveal, bi
from quizzer.text import BiText

AnyKind = BankKind[Any, Any]


def _discover() -> dict[str, AnyKind]:
    found: dict[str, AnyKind] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "base" or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for kind in getattr(module, "KINDS", ()):
            if kind.name in found:
                raise TypeError(f"bank kind {kind.name!r} is defined twice ({module.__name__})")
            found[kind.name] = kind
    return dict(sorted(found.items(), key=lambda entry: entry[1].order))


REGISTRY: dict[str, AnyKind] = _discover()


def kind_of(item: ItemBase) -> AnyKind:
    return REGISTRY[item.kind]


def parse_item_answer(item: ItemBase, raw: str) -> Any:
    """The parsed answer; raises AnswerParseError (with a hint) when it cannot be read."""
    return kind_of(item).parse(item, raw)


def grade_item(item: ItemBase, parsed: Any) -> Result:
    """The kind's verdict and feedback, then what every item adds: its explanation and any correction of the notes."""
    result = kind_of(item).grade(item, parsed)
    result.feedback.append(Feedback("explanation", bi(item.explanation)))
    if item.notes_correction:
        nc = item.notes_correction
        result.feedback.append(Feedback("correction", M.NOTES_CLAIM + bi(nc.claim)))
        result.feedback.append(Feedback("correction", M.NOTES_TRUTH + bi(nc.truth)))
        result.feedback.append(Feedback("correction", M.NOTES_WHY + bi(nc.why)))
    return result


def item_hints(item: ItemBase) -> list[BiText]:
    return kind_of(item).hints(item)


def missing_hints(items: list[ItemBase]) -> list[ItemBase]:
    """The items whose kind expects an author-written hint they do not have (``bank validate`` warns about them)."""
    return [item for item in items if kind_of(item).missing_hint(item)]


def item_expected(item: ItemBase) -> BiText:
    return kind_of(item).expected(item)


def item_reveal(item: ItemBase) -> Reveal:
    return kind_of(item).reveal(item)


def item_shape(item: ItemBase) -> AnswerShape:
    return kind_of(item).shape(item)
