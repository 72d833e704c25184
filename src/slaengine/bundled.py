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


# The real help-desk log is not shipped (it is someone else's data set, 21,348 rows): the
# project points to its public source and reads it from a path the user gives.

#: The environment variable that names the user's copy of the help-desk log (a CSV file).
HELPDESK_ENV = "SLAENGINE_HELPDESK_CSV"

#: Where to get it, in words (docs/import.md has the details).
HELPDESK_SOURCE = (
    '4TU.ResearchData, "Dataset belonging to the help desk log of an Italian Company" '
    "(Polato, 2017); save its CSV and give its path"
)


def helpdesk_csv() -> Path | None:
    """The user's copy of the help-desk log: ``$SLAENGINE_HELPDESK_CSV``, or None if unset."""
    import os

    given = os.environ.get(HELPDESK_ENV)
    return Path(given) if given else None


def helpdesk_missing(path: Path | None) -> str | None:
    """Why the help-desk log cannot be read (for a skip or a note), or None if it can."""
    if path is None:
        return (
            f"the real help-desk log is not given: set {HELPDESK_ENV} to its path "
            f"({HELPDESK_SOURCE})"
        )
    if not path.is_file():
        return f"{HELPDESK_ENV}={path}: no such file ({HELPDESK_SOURCE})"
    return None
