"""What an exam build writes down so that the exam can be graded later: ``manifest.json``.

The manifest is the contract between ``exam build`` (which writes it) and ``exam grade`` / the exporters
(which read it): everything needed to rebuild every question of every version exactly, with its correct
answer, tolerance and option order, without the spec or the random seed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
CSV_HEADER = ("student", "version", "question", "answer")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManifestItem(_Strict):
    """One question as printed in one version."""

    number: int = Field(ge=1, description="the question's number on this version's sheet (1-based)")
    section: int = Field(ge=0, description="index of the spec section it was drawn for")
    points: float = Field(gt=0)
    source: Literal["bank", "generated"]
    kind: str = Field(description="bank kind (single, multi, truefalse, fill, numeric, open) or 'numeric'")
    # bank items
    item_id: str | None = None
    item_version: int | None = None
    # generated problems: family + difficulty + instance seed rebuild the problem; params are recorded too
    family: str | None = None
    difficulty: int | None = None
    seed: int | None = None
    params: dict[str, Any] | None = None
    # the key, in the printed form (choice items: letters as printed, after the permutation)
    answer: Any = None
    rel_tol: float | None = None
    abs_tol: float | None = None
    # choice items: permutation[i] = index in the bank item's options of the option printed at position i
    permutation: list[int] | None = None


class ManifestVersion(_Strict):
    code: str = Field(description="printed on every page of this version, e.g. 'A', 'B', … or 'V07'")
    items: list[ManifestItem]


class Manifest(_Strict):
    format: int = MANIFEST_FORMAT
    title: str
    lang: Literal["zh", "en"]
    seed: int
    spec_sha256: str
    quizzer_version: str
    bank_sha256: str | None = None
    total_points: float
    versions: list[ManifestVersion]
    # the answers CSV a teacher fills in: header plus one row per (version, question), student left blank
    csv_template: str
