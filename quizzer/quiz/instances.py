"""Storing the generated instances a quiz used, with their torch-verified keys.

This lives in ``quizzer.quiz``, not ``quizzer.generators``: generators stay free of the store (they are
pure problem makers plus the torch check), and the quiz is the room that brings the two together.
"""

from __future__ import annotations

from sqlalchemy import select

from quizzer.errors import NotFound
from quizzer.generators.base import Problem
from quizzer.generators.registry import get_family
from quizzer.generators.verification import Check, check
from quizzer.store.engine import Store
from quizzer.store.models import GeneratedInstanceRow


def torch_version() -> str:
    import torch

    return str(torch.__version__)


def record_instance(store: Store, problem: Problem, *, verified: Check | None = None) -> int:
    """Store ``problem``; with ``verified`` (from a torch check already run) the torch value too. Returns its id."""
    row = GeneratedInstanceRow(
        family=problem.family,
        difficulty=problem.difficulty,
        seed=problem.seed,
        params=problem.params,
        answer=problem.answer,
        torch_answer=verified.torch_answer if verified else None,
        agree=verified.agree if verified else None,
        torch_version=torch_version() if verified else None,
    )
    with store.session() as session:
        session.add(row)
        session.flush()
        return row.id


def recheck_instance(store: Store, instance_id: int) -> Check:
    """Run torch again on a stored instance and record the result."""
    with store.session() as session:
        row = session.get(GeneratedInstanceRow, instance_id)
        if row is None:
            raise NotFound(f"no generated instance with id {instance_id}")
        family = get_family(row.family)
        result = check(family, family.params_model.model_validate(row.params))
        row.torch_answer, row.agree, row.torch_version = result.torch_answer, result.agree, torch_version()
        return result


def list_instances(store: Store, *, family: str | None = None) -> list[GeneratedInstanceRow]:
    query = select(GeneratedInstanceRow).order_by(GeneratedInstanceRow.id)
    if family:
        query = query.where(GeneratedInstanceRow.family == family)
    with store.session() as session:
        return list(session.scalars(query))
