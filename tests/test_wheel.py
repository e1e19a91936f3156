"""The wheel carries the bank and the migrations: installed non-editable, it works from anywhere."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)], check=True
    )
    (built,) = out.glob("quizzer-*.whl")
    return built


def test_wheel_contains_bank_and_migrations(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "quizzer/_bundled/questions/pooling.yaml" in names
    assert "quizzer/_bundled/db/env.py" in names
    assert any(n.startswith("quizzer/_bundled/db/versions/0001") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_runs_bank_stats_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies (torch, SQLAlchemy, …) come from the running environment rather than a second
    # multi-GB install; a .pth line adds its site-packages *after* the new venv's own, and does not
    # run the editable-install hooks there, so `quizzer` itself can only come from the wheel.
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (venv_site,) = (venv / "lib").glob("python3*/site-packages")
    (venv_site / "zz_deps.pth").write_text("\n".join(deps) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "QUIZZER_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import quizzer, quizzer.resources as r; print(quizzer.__file__); print(r.bundled_questions_dir()); print(r.migrations_dir())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(venv_site) in line for line in where), where
    assert where[1].endswith("_bundled/questions") and where[2].endswith("_bundled/db")

    result = subprocess.run(
        [str(venv / "bin" / "quizzer"), "bank", "stats", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["total"] >= 180 and all(stats["by_topic"].values())
    assert (tmp_path / "home" / "quizzer.db").exists()
