"""Contracts: the tender's commitments as validated data (models) read from YAML (loader).

The loader (and with it PyYAML) is imported when first asked for: a contract read back from the
cache of validated contracts (contract/cache.py) is rebuilt from the models alone.
"""

from typing import TYPE_CHECKING, Any

from slaengine.contract.fingerprint import contract_fingerprint
from slaengine.contract.models import (
    BUILTIN_EVENT_TYPES,
    TICKETLESS_EVENT_TYPES,
    Asset,
    Commitment,
    Condition,
    Contract,
    Obligation,
    Text,
)

if TYPE_CHECKING:
    from slaengine.contract.loader import load_contract, parse_contract

__all__ = [
    "BUILTIN_EVENT_TYPES",
    "TICKETLESS_EVENT_TYPES",
    "Asset",
    "Commitment",
    "Condition",
    "Contract",
    "Obligation",
    "Text",
    "contract_fingerprint",
    "load_contract",
    "parse_contract",
]


def __getattr__(name: str) -> Any:
    if name in ("load_contract", "parse_contract"):
        from slaengine.contract import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
