"""Files that ship with slaengine: the example tender, the rule library, the demo events.

They live at the top of the repository (contracts/, rules/, examples/, mappings/) where contract
managers read them. An editable install finds them in the checkout; a wheel installs them under
``<prefix>/share/slaengine/`` (pyproject.toml, data-files).
"""

from __future__ import annotations

import sys
from pathlib import Path


def bundled_dir(folder: str) -> Path:
    """The directory of a shipped folder (``contracts``, ``rules``, ``examples``, ``mappings``)."""
    checkout = Path(__file__).resolve().parents[2] / folder
    if checkout.is_dir():
        return checkout
    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix) / "share" / "slaengine" / folder
        if installed.is_dir():
            return installed
    raise FileNotFoundError(f"the shipped folder {folder}/ is not installed")


def example_contract() -> Path:
    return bundled_dir("contracts") / "example-tender.yaml"


def demo_events() -> Path:
    return bundled_dir("examples") / "demo-month.jsonl"
