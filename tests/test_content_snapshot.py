"""The skill starts from a parsed snapshot of content/, and never from a stale one."""

from __future__ import annotations

import shutil
from pathlib import Path

from skill.runtime import yaml_files
from skill.runtime.content import load_content
from skill.runtime.resources import content_dir

from test_layout import _modules_after_importing


def content_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(content_dir(), folder)
    return folder


def test_the_shipped_snapshot_holds_every_content_file_as_it_is():
    assert yaml_files.stale_snapshot(content_dir()) == [], "run python -m skill.tools.models"


def test_an_edited_file_is_read_from_its_yaml_not_the_snapshot(tmp_path):
    folder = content_copy(tmp_path)
    shipped = load_content(folder).topics["food"].answers[0].line.variants[0]
    topics = folder / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace(shipped, "Eat a banana, slowly.", 1), encoding="utf-8")
    assert yaml_files.stale_snapshot(folder) == ["topics.yaml"]
    assert load_content(folder).topics["food"].answers[0].line.variants[0] == "Eat a banana, slowly."


def test_a_broken_snapshot_is_ignored_and_the_yaml_read(tmp_path):
    folder = content_copy(tmp_path)
    (folder / yaml_files.SNAPSHOT_NAME).write_bytes(b"not a pickle")
    assert load_content(folder) == load_content(content_dir())


def test_from_the_snapshot_the_content_is_what_its_yaml_says(tmp_path):
    folder = content_copy(tmp_path)
    (folder / yaml_files.SNAPSHOT_NAME).unlink()
    assert load_content(folder) == load_content(content_dir())


def test_a_cold_start_does_not_import_pyyaml():
    """PyYAML's import and parse were about a sixth of a Lambda cold start."""
    loaded = _modules_after_importing("skill.lambda_function")
    assert "skill.runtime.yaml_files" in loaded
    assert [name for name in loaded if name.split(".")[0] == "yaml"] == []
