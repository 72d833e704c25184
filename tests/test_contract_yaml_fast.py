"""Contracts are composed by libyaml when it is there (issue 23: start-up); the data and the
line of every value are the same as PyYAML's own parser gives, and a broken file still gets
PyYAML's message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slaengine.contract import loader
from slaengine.errors import ContractError

REPO = Path(__file__).resolve().parents[1]
FILES = sorted(
    [*REPO.glob("contracts/*.yaml"), *REPO.glob("rules/*.yaml"), *REPO.glob("mappings/*.yaml")]
)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_libyaml_and_pyyaml_read_the_same_values_on_the_same_lines(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert loader._FAST_LOADER is yaml.CSafeLoader  # the fast path is the one under test
    text = path.read_text(encoding="utf-8")
    fast = loader.LocatedYaml(path, text)
    monkeypatch.setattr(loader, "_FAST_LOADER", yaml.SafeLoader)
    slow = loader.LocatedYaml(path, text)
    assert fast.data == slow.data
    assert fast.lines == slow.lines


def test_a_broken_file_is_named_in_pyyamls_words(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    text = "id: X\ncommitments:\n  - id: a\n    target: [4h\n"
    with pytest.raises(ContractError) as fast:
        loader.LocatedYaml(path, text)
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", ""))
    assert problem and problem in str(fast.value)
