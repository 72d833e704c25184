"""A contract's fingerprint: a short hash of its meaning (not its formatting), which names its
version (a new fingerprint is a new version) and its rule set.

It is a JSON dump of the whole contract, so it needs the contract's pydantic serializer, built
at the first dump. A contract read from the cache of validated contracts (contract/cache.py)
comes with its fingerprint, computed when the entry was written; ``remember_fingerprint`` holds
it for that object, so a command answered from the cache never builds the serializer.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slaengine.contract.models import Contract

#: Fingerprints given by the cache, by the contract object's identity (a contract holds lists,
#: so it is not hashable); an entry goes when its contract does.
_known: dict[int, tuple[weakref.ref[Contract], str]] = {}


def contract_fingerprint(contract: Contract) -> str:
    """A short hash of the contract's meaning (not its formatting): changes mean a new version."""
    held = _known.get(id(contract))
    if held is not None and held[0]() is contract:
        return held[1]
    import hashlib

    canonical = contract.model_dump_json(by_alias=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def remember_fingerprint(contract: Contract, fingerprint: str) -> None:
    """Hold ``fingerprint`` as ``contract``'s (the cache computed it from an equal contract)."""
    ident = id(contract)
    # The callback holds the table itself: at interpreter exit the module's globals are None.
    table = _known
    _known[ident] = (weakref.ref(contract, lambda _: table.pop(ident, None)), fingerprint)
