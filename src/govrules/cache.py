"""A cache of loaded packs, keyed by everything that decides what loading returns (issue 5).

Loading a pack parses YAML, validates it against the published schemas and checks it; the
result depends only on the pack's files, the fact vocabulary, govrules' own code and the
directory's name as shown in locations. The cache key is a SHA-256 over all of them, computed
from the bytes on every load, so a stale entry is never served: change any byte and the key
changes. Only packs that loaded without a problem are stored, so ``lint`` and errors always come
from a real load. One file per pack directory (overwritten), in ``$GOVRULES_CACHE_DIR`` or the
user's cache directory; ``GOVRULES_CACHE=0`` turns it off. A cache that cannot be read or
written is ignored.

The entries are pickles written by this module into the user's own cache directory; anyone who
can write there can already change the user's code, so this adds no new trust.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .model import Pack
from .vocabulary import Vocabulary, default_vocabulary

__all__ = ["cache_dir", "load_pack_cached"]

_FORMAT = b"govrules-pack-cache-1"


def cache_dir() -> Path | None:
    """Where cached packs live, or None when caching is off."""
    if os.environ.get("GOVRULES_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("GOVRULES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govrules" / "packs"


@cache
def _code_fingerprint() -> bytes:
    """The govrules source that turns pack files into a ``Pack`` (and the vocabulary it checks against)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(_FORMAT)
    for path in sorted([*here.glob("*.py"), *(here / "schemas").glob("*.json"), *(here / "data").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _key(directory: Path, display: str) -> str | None:
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(display.encode() + b"\0")
    names = ["pack.yaml", "provisions.yaml"]
    if (directory / "readings.yaml").exists():
        names.append("readings.yaml")
    rules = directory / "rules"
    if rules.is_dir():
        names += [f"rules/{p.name}" for p in sorted([*rules.glob("*.yaml"), *rules.glob("*.yml")])]
    from .safefiles import read_limited
    from .yamlfiles import MAX_FILE_BYTES

    for name in names:
        try:
            # The same limits as the reader's, checked before reading: a huge file, a device or a
            # FIFO is never hashed whole (issue 14); the real loader then reports it.
            digest.update(name.encode() + b"\0" + read_limited(directory / name, MAX_FILE_BYTES) + b"\0")
        except OSError:
            return None  # let the real loader report it
    return digest.hexdigest()


def _proxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        return NotImplemented


def load_pack_cached(directory: Path | str, vocab: Vocabulary | None = None) -> Pack:
    """``loading.load_pack``, served from the cache when the exact same inputs were loaded before."""
    from .loading import _display, load_pack

    directory = Path(directory)
    where = cache_dir()
    if where is None or (vocab is not None and vocab is not default_vocabulary()):
        return load_pack(directory, vocab)
    display = _display(directory)
    key = _key(directory, display)
    try:
        resolved = str(directory.resolve())
    except (OSError, RuntimeError):  # a symlink loop: the real loader reports it
        return load_pack(directory, vocab)
    entry = where / (hashlib.sha256(resolved.encode()).hexdigest()[:32] + ".pickle")
    if key is not None:
        try:
            raw = entry.read_bytes()
            stored_key, _, body = raw.partition(b"\n")
            if stored_key.decode() == key:
                pack = pickle.loads(body)
                if isinstance(pack, Pack):
                    return pack
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            pass
    pack = load_pack(directory, vocab)
    if key is not None:
        try:
            buffer = io.BytesIO()
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(pack)
            where.mkdir(parents=True, exist_ok=True)
            temporary = entry.with_name(entry.name + f".{os.getpid()}.tmp")
            temporary.write_bytes(key.encode() + b"\n" + buffer.getvalue())
            os.replace(temporary, entry)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # caching is an optimization; a read-only home directory must not break loading
    return pack
