"""Building exam manifests for grading tests directly from real bank items and real generated problems.

The key of every entry is worked out here from the bank item and the permutation (not by the grader),
so a grader that maps printed letters the wrong way round fails the tests.
"""

from __future__ import annotations

import hashlib
import shutil
import string
from pathlib import Path

import pytest

from quizzer.bank.catalog import get_item
from quizzer.exam.manifest import MANIFEST_NAME, Manifest, ManifestItem, ManifestVersion
from quizzer.generators.registry import get_family, make_problem
from quizzer.store.engine import Store

LETTERS = string.ascii_uppercase


def printed_letter(permutation: list[int], original: str) -> str:
    """Where the bank's option ``original`` was printed: the position i with permutation[i] == its index."""
    return LETTERS[permutation.index(LETTERS.index(original))]


def bank_entry(
    store: Store, item_id: str, number: int, points: float, permutation: list[int] | None = None, section: int = 0
) -> ManifestItem:
    record = get_item(store, item_id)
    item = record.item
    answer = None
    if item.kind == "single":
        answer = printed_letter(permutation, item.answer)
    elif item.kind == "multi":
        answer = "".join(sorted(printed_letter(permutation, a) for a in item.answer))
    elif item.kind == "truefalse":
        answer = item.answer
    elif item.kind == "numeric":
        answer = item.value
    return ManifestItem(
        number=number,
        section=section,
        points=points,
        source="bank",
        kind=item.kind,
        item_id=item.id,
        item_version=record.version,
        answer=answer,
        abs_tol=getattr(item, "tolerance", None),
        permutation=permutation,
    )


def gen_entry(family: str, seed: int, difficulty: int, number: int, points: float, section: int = 1) -> ManifestItem:
    problem = make_problem(get_family(family), seed, difficulty)
    return ManifestItem(
        number=number,
        section=section,
        points=points,
        source="generated",
        kind="numeric",
        family=family,
        difficulty=difficulty,
        seed=seed,
        params=problem.params,
        answer=problem.answer,
        rel_tol=problem.spec.rel_tol,
        abs_tol=problem.spec.abs_tol,
    )


def make_manifest(versions: dict[str, list[ManifestItem]], title: str = "深度学习小测 · test") -> Manifest:
    total = sum(e.points for e in next(iter(versions.values())))
    rows = ["student,version,question,answer"]
    rows += [f",{code},{e.number}," for code, items in versions.items() for e in sorted(items, key=lambda e: e.number)]
    return Manifest(
        title=title,
        lang="zh",
        seed=1,
        spec_sha256=hashlib.sha256(title.encode()).hexdigest(),
        quizzer_version="test",
        total_points=total,
        versions=[ManifestVersion(code=c, items=items) for c, items in versions.items()],
        csv_template="\n".join(rows) + "\n",
    )


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    return directory


def write_answers(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "version", "question", "answer"])
        writer.writerows(rows)
    return path


# --- fixtures: one bank sync per test session, copied into each test's own data home -------------


# Named apart from the fixture names, so a test module imports them without shadowing its parameters.
@pytest.fixture(scope="session", name="synced_template")
def synced_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the bundled bank imported; syncing costs seconds, copying it milliseconds."""
    from quizzer.bank.sync import sync_bundled
    from quizzer.store.engine import open_store

    path = tmp_path_factory.mktemp("synced") / "quizzer.db"
    store = open_store(str(path))
    sync_bundled(store)
    store.close()
    return path


@pytest.fixture(name="store")
def store_fixture(synced_template: Path, isolated_home: Path):
    """The test's own store (in its isolated data home), starting from the synced bank."""
    from quizzer.store.engine import open_store

    isolated_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(synced_template, isolated_home / "quizzer.db")
    store = open_store()
    yield store
    store.close()
