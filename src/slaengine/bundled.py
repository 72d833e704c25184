"""Files that ship with slaengine: the example tender, the rule library, the demo events.

They live at the top of the repository (contracts/, rules/, examples/) where contract managers
read them. A wheel carries them as the packages ``slaengine._contracts`` etc. (see
pyproject.toml); an editable install finds them in the checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_FOLDERS = {"contracts": "_contracts", "rules": "_rules", "examples": "_examples"}


def bundled_dir(folder: str) -> Path:
    """The directory of a shipped folder (``contracts``, ``rules`` or ``examples``)."""
    checkout = Path(__file__).resolve().parents[2] / folder
    if checkout.is_dir():
        return checkout
    try:
        packaged = resources.files(f"slaengine.{_FOLDERS[folder]}")
    except ModuleNotFoundError:
        raise FileNotFoundError(f"the shipped folder {folder}/ is not installed") from None
    return Path(str(packaged))


def example_contract() -> Path:
    return bundled_dir("contracts") / "example-tender.yaml"


def demo_events() -> Path:
    return bundled_dir("examples") / "demo-month.jsonl"
