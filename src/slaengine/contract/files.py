"""Where a contract's files are: its rule libraries, looked for by name next to the contract
first; and how a file's bytes are read as text. Without PyYAML, so that the cache of validated
contracts (contract/cache.py) can check an entry's rule libraries without importing the loader.
"""

from __future__ import annotations

from pathlib import Path

from slaengine.bundled import bundled_dir


def rule_library_candidates(name: str, near: Path) -> list[Path]:
    """Where a rule library named ``name`` (``after-sales``) or given by path is looked for, in
    order, for a contract in the folder ``near``: next to the contract first."""
    candidates: list[Path] = []
    if name.endswith((".yaml", ".yml")):
        candidates.append((near / name).resolve())
    else:
        near = near.resolve()
        for folder in (near / "rules", near.parent / "rules", bundled_dir("rules")):
            candidate = folder / f"{name}.yaml"
            if candidate not in candidates:
                candidates.append(candidate)
    return candidates


def utf8_text(data: bytes) -> str:
    """A file's bytes as ``Path.read_text(encoding="utf-8")`` reads them (newlines translated)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
