"""The cache of validated contracts: ``replay`` and ``contract validate`` answer at once (issue 23).

Validating a contract means building its pydantic schema (the validators of ~40 models), which
every fresh process pays for before it can read a contract; a command run again and again on the
same file (a replay, a validate while drafting) pays it every time. So the first load validates
as always (``loader.parse_contract``, nothing skipped) and keeps the validated contract, pickled,
in ``$SLAENGINE_CACHE_DIR/contracts`` (by default ``$XDG_CACHE_HOME/slaengine/contracts``, that
is ``~/.cache/slaengine/contracts``); a later load of the same bytes unpickles it. Unpickling
sets the models' fields as they were validated and builds no schema (the models are
``defer_build``), and the contract's fingerprint is kept with it, so a command answered from the
cache builds neither the contract's validator nor its serializer, nor imports PyYAML.

An entry is used only if everything validation read is as it was: the contract file's bytes
(the entry's name is their SHA-256), each rule library the contract uses (the file its name
finds from the contract's folder now, and that file's bytes), slaengine's modules that were
loaded (path, size, modification time), pydantic, pydantic-core, PyYAML and the ``holidays``
registry (the same), and the Python version. (Not tracked: the time zone database a calendar's
``timezone`` is checked against; IANA names are not withdrawn.) Anything else — a missing,
stale, unreadable, foreign or corrupt entry — is a miss: the contract is validated as if there
were no cache and the entry written again. Only contracts that validate are kept, so every error
is found and worded by the loader itself. ``SLAENGINE_NO_CACHE=1`` turns the cache off; writing
it is best effort (a read-only home changes nothing but the time). Entries are pickles, so one is
read only from a file the user owns that no one else may write, in a folder made private (0700).

The API, the service, ingestion and every other command load contracts with ``load_contract``
and always validate; only the command line's ``replay`` and ``contract validate`` use this cache.
"""

from __future__ import annotations

import os
import sys
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slaengine.contract.files import rule_library_candidates, utf8_text
from slaengine.contract.fingerprint import contract_fingerprint, remember_fingerprint
from slaengine.contract.models import Contract

if TYPE_CHECKING:
    from slaengine.contract.loader import LibrariesRead

try:  # the C module alone: ``pickle`` adds its Python half, needed only to write (issue 23)
    from _pickle import load
except ImportError:  # pragma: no cover - a Python without the C module
    from pickle import load

#: The folder of slaengine's caches (the contracts are in its ``contracts`` folder).
CACHE_DIR_ENV = "SLAENGINE_CACHE_DIR"
#: Set to anything but empty or ``0`` to turn the cache of validated contracts off.
NO_CACHE_ENV = "SLAENGINE_NO_CACHE"
#: Bumped whenever an entry's layout changes: an entry of another format is a miss.
FORMAT = 1
#: Entries kept; the least recently written go first.
MAX_ENTRIES = 200

#: Files of the libraries validation depends on, by module: a reinstall rewrites them.
_LIBRARY_MODULES = ("pydantic.version", "pydantic_core", "pydantic_core._pydantic_core", "yaml")


def cache_folder() -> Path | None:
    """Where validated contracts are kept; None if the cache is turned off."""
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    base = os.environ.get(CACHE_DIR_ENV)
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # The XDG rule: a relative XDG_CACHE_HOME is ignored.
        if os.path.isabs(xdg):
            return Path(xdg) / "slaengine" / "contracts"
        try:
            return Path.home() / ".cache" / "slaengine" / "contracts"
        except RuntimeError:  # no home to find
            return None
    return Path(base) / "contracts"


def load_contract_cached(path: str | Path) -> Contract:
    """``load_contract(path)``: the same contract and the same errors, from the cache when it
    holds this file's contract validated (see the module's docstring)."""
    path = Path(path)
    folder = cache_folder()
    if folder is not None:
        try:
            data = path.read_bytes()
            text = utf8_text(data)
        except (OSError, UnicodeDecodeError):
            pass  # the loader says what is wrong, in its words
        else:
            key = sha256(data).hexdigest()
            entry = folder / f"{key}.pickle"
            found = _read(entry, key, path)
            if found is not None:
                return found
            from slaengine.contract.loader import parse_contract

            libraries: LibrariesRead = []
            contract = parse_contract(text, path, libraries)
            _write(folder, entry, key, contract, libraries)
            return contract
    from slaengine.contract.loader import load_contract

    return load_contract(path)


def _read(entry: Path, key: str, path: Path) -> Contract | None:
    """The contract an entry holds, if the entry is sound and current; else None."""
    try:
        with entry.open("rb") as file:
            status = os.fstat(file.fileno())
            if status.st_uid != os.getuid() or status.st_mode & 0o022:
                return None  # a pickle runs code: only the user's own, unshared files
            head = load(file)  # noqa: S301 - the user's own file (checked above)
            if not _current(head, key, path):
                return None
            contract = load(file)  # noqa: S301 - the same file
    except Exception:  # missing, unreadable or corrupt: a miss, never an error
        return None
    if type(contract) is not Contract:
        return None
    remember_fingerprint(contract, head["fingerprint"])
    return contract


def _current(head: Any, key: str, path: Path) -> bool:
    """Whether an entry's head says it was written from what validation would read now."""
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        return False
    if head.get("key") != key or head.get("python") != sys.version:
        return False
    if not isinstance(head.get("fingerprint"), str):
        return False
    for _name, where, size, mtime in head["code"]:
        status = os.stat(where)
        if status.st_size != size or status.st_mtime_ns != mtime:
            return False
    for name, where, digest in head["libraries"]:
        found = next((c for c in rule_library_candidates(name, path.parent) if c.is_file()), None)
        if found is None or str(found) != where:
            return False
        if sha256(found.read_bytes()).hexdigest() != digest:
            return False
    return True


def _code_files() -> list[tuple[str, str, int, int]]:
    """The files of the code a validation ran: slaengine's loaded modules, pydantic's, PyYAML's
    and the ``holidays`` registry (read for a calendar's country), with size and mtime."""
    files: list[tuple[str, str]] = []
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "slaengine" or name in _LIBRARY_MODULES:
            where = getattr(module, "__file__", None)
            if where:
                files.append((name, where))
    from importlib.util import find_spec

    holidays = find_spec("holidays")
    if holidays is not None and holidays.origin is not None:
        files.append(("holidays.registry", str(Path(holidays.origin).parent / "registry.py")))
    code = []
    for name, where in sorted(files):
        status = os.stat(where)
        code.append((name, where, status.st_size, status.st_mtime_ns))
    return code


def _write(
    folder: Path, entry: Path, key: str, contract: Contract, libraries: LibrariesRead
) -> None:
    """Keep a validated contract (best effort: a folder that cannot be written is no error)."""
    import pickle
    import tempfile

    try:
        head = {
            "format": FORMAT,
            "key": key,
            "python": sys.version,
            "fingerprint": contract_fingerprint(contract),
            "code": _code_files(),
            "libraries": [(name, str(where), digest) for name, where, digest in libraries],
        }
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(head, file, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(contract, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder)
    except Exception:  # noqa: S110 - the cache only saves time; validation is done
        pass


def _prune(folder: Path) -> None:
    """Keep the ``MAX_ENTRIES`` most recently written entries."""
    entries = list(folder.glob("*.pickle"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)
