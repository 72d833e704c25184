"""Contracts: the tender's commitments as validated data (models) read from YAML (loader)."""

from slaengine.contract.loader import contract_fingerprint, load_contract, parse_contract
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
