"""`quizzer export` through the CLI: each format, topic filter, refusals and clear errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from tests.exam_manifests import store_fixture, synced_template_fixture  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _synced_home(store) -> None:
    """Start every test from a data home with the bank already imported (an import costs seconds)."""


def test_moodle_xml_for_one_topic(run, tmp_path: Path) -> None:
    out = tmp_path / "pooling.xml"
    data = json.loads(run("export", "moodle-xml", str(out), "--topic", "pooling", "-n", "2", "--json").output)
    root = ET.parse(out).getroot()
    names = [q.findtext("name/text") for q in root.findall("question") if q.get("type") != "category"]
    assert len(names) == sum(data["counts"].values()) and any(n.startswith("pool-output-d") for n in names)
    categories = {q.findtext("category/text") for q in root.findall("question[@type='category']")}
    assert categories == {"$course$/top/quizzer/pooling"}


def test_gift_and_anki(run, tmp_path: Path) -> None:
    gift = tmp_path / "q.gift"
    out = run("export", "gift", str(gift), "--topic", "cnn", "--topic", "conv1x1", "--lang", "zh").output
    assert "道题 →" in out and gift.read_text(encoding="utf-8").startswith("$CATEGORY: $course$/top/quizzer/cnn")
    deck = tmp_path / "q.apkg"
    run("export", "anki", str(deck), "--topic", "momentum", "-n", "0")
    assert "collection.anki2" in zipfile.ZipFile(deck).namelist()


def test_refusals_and_errors(run, tmp_path: Path) -> None:
    out = tmp_path / "q.gift"
    run("export", "gift", str(out), "--topic", "residual")
    again = run("export", "gift", str(out), "--topic", "residual", expect=1)
    assert "exists; use --force" in again.output
    run("export", "gift", str(out), "--topic", "residual", "--force")
    missing = run("export", "gift", str(tmp_path / "no" / "q.gift"), expect=2)
    assert "no such directory" in missing.output and "Traceback" not in missing.output
    topic = run("export", "gift", str(tmp_path / "x.gift"), "--topic", "nope", expect=2)
    assert "unknown topic 'nope'" in topic.output
    fmt = run("export", "pdf", str(tmp_path / "x.pdf"), expect=2)
    assert "'pdf' is not one of" in fmt.output
