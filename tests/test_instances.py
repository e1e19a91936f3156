"""quizzer.quiz.instances: generated instances stored with the key torch computed."""

from __future__ import annotations

import pytest

from quizzer.errors import NotFound
from quizzer.generators.registry import get_family, make_problem
from quizzer.generators.verification import check
from quizzer.quiz.instances import list_instances, recheck_instance, record_instance
from quizzer.store.engine import open_store


@pytest.fixture
def store():
    store = open_store("sqlite://")
    yield store
    store.close()


def test_record_list_and_recheck(store) -> None:
    family = get_family("conv-output")
    problem = make_problem(family, 3, 2)
    unverified = record_instance(store, problem)
    verified = record_instance(
        store, problem, verified=check(family, family.params_model.model_validate(problem.params))
    )
    rows = list_instances(store, family="conv-output")
    assert [r.id for r in rows] == [unverified, verified]
    assert rows[0].torch_answer is None and rows[0].agree is None
    assert rows[1].agree is True and rows[1].torch_answer == problem.answer and rows[1].torch_version
    assert list_instances(store, family="pool-output") == []

    result = recheck_instance(store, unverified)
    assert result.agree and result.torch_answer == problem.answer
    assert list_instances(store)[0].agree is True  # the recheck was written back


def test_recheck_of_a_missing_instance_is_not_found(store) -> None:
    with pytest.raises(NotFound, match="no generated instance with id 99"):
        recheck_instance(store, 99)
