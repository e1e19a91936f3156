"""The bank item union and the bank file model, assembled from the registered kinds.

Each kind defines its own item model in ``quizzer.grading.kinds``; ``BankItem`` is their
discriminated union (on ``kind``), so a bank file is validated against exactly the kinds
the quiz can ask and grade. ``quizzer.bank.schema`` re-exports these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import ConfigDict, Field

from quizzer.bank.schema import ItemBase, Strict
from quizzer.grading.kinds import REGISTRY

KINDS: tuple[str, ...] = tuple(REGISTRY)

if TYPE_CHECKING:
    # Statically an item is "some registered model"; code that needs a kind's own fields gets the
    # precise model through its BankKind (the union is only known once the kind modules are found).
    BankItem = ItemBase
else:
    # Union[...] because the members are only known at run time: a tuple of types has no `X | Y` spelling.
    BankItem = Annotated[Union[tuple(kind.model for kind in REGISTRY.values())], Field(discriminator="kind")]  # noqa: UP007


class BankFile(Strict):
    """One YAML file of the bank: ``schema: 1`` and a list of items."""

    schema_version: Literal[1] = Field(alias="schema")
    items: list[BankItem] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
