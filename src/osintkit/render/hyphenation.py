"""Hyphenation dictionaries parsed once per machine, not once per render child.

WeasyPrint hyphenates with pyphen, which reads a ``hyph_*.dic`` text file and parses its
patterns the first time a language is hyphenated in a process: 140 ms for English, over a
second for German, in every cold render child (18 % of one, profiled). The patterns depend
only on the file and on pyphen's parser, so they are kept in osintkit's cache folder as JSON,
named by pyphen's version and the file's SHA-256, and read back in a few milliseconds.

The cache is a writable place anyone with the user's rights may have written, so it holds
data only (JSON, never pickle), every value is checked for its type and range before it is
used, and a file that fails any check is ignored and written again from the dictionary. A
file is written under a temporary name and renamed, so two renders at once never read half
of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from osintkit.errors import OutputError
from osintkit.output import write_atomic
from osintkit.paths import cache_folder, read_regular_file

#: The layout of a cache file; a file of another layout is rebuilt.
FORMAT = 1
#: The attributes pyphen 0.x's ``HyphDict`` has, all rebuilt from a cache file. A release
#: whose dictionaries hold anything else is not cached (parsed as pyphen does it).
_ATTRIBUTES = frozenset({"patterns", "cache", "maxlen"})
#: The largest digit a pattern's value can have (one digit per position in hyph_*.dic).
_MAX_VALUE = 9
#: A cache file larger than this is not read (the largest of pyphen's, Hungarian's, is 2 MB):
#: a planted one of gigabytes would take the render child's memory.
_MAX_BYTES = 32 * 1024 * 1024


def install() -> None:
    """Make pyphen read each dictionary through the cache, from now on in this process.

    pyphen keeps the dictionaries it parsed in ``pyphen.hdcache``, filled by calling
    ``pyphen.HyphDict(path)``; only that name is replaced, by a subclass that fills the same
    attributes from the cache, so ``pyphen.Pyphen`` and WeasyPrint's use of it are untouched.
    Calling it again does nothing.
    """
    import pyphen

    if getattr(pyphen.HyphDict, "osintkit_cached", False):
        return
    pyphen.HyphDict = _cached_class(pyphen.HyphDict, pyphen.__version__, pyphen.DataInt)


def _cached_class(original: type, version: str, data_int: type) -> type:
    class CachedHyphDict(original):  # type: ignore[misc]
        """pyphen's HyphDict, its patterns read from osintkit's cache when it has them."""

        osintkit_cached = True

        def __init__(self, path: Path) -> None:
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                cache_file = cache_path(version, digest)
            except (OSError, RuntimeError):  # unreadable; or no home folder to cache in
                super().__init__(path)  # pyphen raises what it raises
                return
            patterns = _read(cache_file, version, digest, data_int)
            if patterns is not None:
                self.patterns = patterns
                self.cache: dict[str, list[int]] = {}
                self.maxlen = max(len(key) for key in patterns)
                return
            super().__init__(path)
            if set(vars(self)) == _ATTRIBUTES:
                _write(cache_file, _encode(self.patterns, version, digest, data_int))

    return CachedHyphDict


def cache_path(version: str, digest: str) -> Path:
    """Where the patterns of the dictionary whose SHA-256 is ``digest`` are cached."""
    return cache_folder() / "hyphenation" / f"{digest}.pyphen-{version}.v{FORMAT}.json"


def _encode(patterns: dict[str, Any], version: str, digest: str, data_int: type) -> bytes:
    """The cache file of ``patterns``: each distinct (start, values) once, a reference each.

    A dictionary of 11 000 patterns has about 1 500 distinct value lists, so reading shares
    them (pyphen never changes one) and builds a tenth of the tuples.
    """
    distinct: dict[tuple[Any, ...], int] = {}
    keys: list[str] = []
    refs: list[int] = []
    for key, (start, values) in patterns.items():
        row = (start, *(_encode_value(value, data_int) for value in values))
        keys.append(key)
        refs.append(distinct.setdefault(row, len(distinct)))
    document = {
        "format": FORMAT,
        "pyphen": version,
        "sha256": digest,
        "values": [list(row) for row in distinct],
        "keys": keys,
        "refs": refs,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _encode_value(value: int, data_int: type) -> int | tuple[int, str, int, int]:
    # A value with a nonstandard hyphenation (hyph_hu_HU's "ssz/sz=sz,2,3") carries it.
    data = getattr(value, "data", None) if isinstance(value, data_int) else None
    if data is None:
        return int(value)
    change, index, cut = data
    return (int(value), str(change), int(index), int(cut))


def _read(path: Path, version: str, digest: str, data_int: type) -> dict[str, Any] | None:
    """The patterns cached in ``path``, or None when it is missing or fails any check.

    Only a regular file is read (a FIFO put there would block the render), and only up to
    :data:`_MAX_BYTES`.
    """
    try:
        raw = read_regular_file(path, _MAX_BYTES)
        if len(raw) > _MAX_BYTES:
            return None
        return _decode(json.loads(raw), version, digest, data_int)
    except (OSError, ValueError, TypeError, RecursionError):
        return None


def _decode(document: Any, version: str, digest: str, data_int: type) -> dict[str, Any] | None:
    """pyphen's ``patterns`` from a cache file's JSON, or None unless every part is as written.

    Checked: the file is for this pyphen and this dictionary; each key a string of at most
    the dictionary's word length; each row a start and digits (or a digit with a valid
    nonstandard hyphenation) that fit the key, as pyphen's parser makes them.
    """
    if not isinstance(document, dict) or set(document) != {
        "format", "pyphen", "sha256", "values", "keys", "refs",
    }:  # fmt: skip
        return None
    if (document["format"], document["pyphen"], document["sha256"]) != (FORMAT, version, digest):
        return None
    rows, keys, refs = document["values"], document["keys"], document["refs"]
    if not (isinstance(rows, list) and isinstance(keys, list) and isinstance(refs, list)):
        return None
    if not keys or len(keys) != len(refs):
        return None
    decoded = [_decode_row(row, data_int) for row in rows]
    if any(row is None for row in decoded):
        return None
    patterns: dict[str, Any] = {}
    count = len(decoded)
    for key, ref in zip(keys, refs, strict=True):
        if type(key) is not str or type(ref) is not int or not 0 <= ref < count:
            return None
        row = decoded[ref]
        assert row is not None
        start, values = row
        # pyphen's parser gives a pattern of n letters n + 1 positions.
        if start + len(values) > len(key) + 1:
            return None
        patterns[key] = row
    if len(patterns) != len(keys):
        return None  # a key given twice
    return patterns


def _decode_row(row: Any, data_int: type) -> tuple[int, tuple[int, ...]] | None:
    if not isinstance(row, list) or len(row) < 2:
        return None
    start, *raw = row
    if type(start) is not int or start < 0:
        return None
    values: list[int] = []
    for value in raw:
        if type(value) is int and 0 <= value <= _MAX_VALUE:
            values.append(value)
            continue
        if not (isinstance(value, list) and len(value) == 4):
            return None
        digit, change, index, cut = value
        valid = (
            type(digit) is int
            and 0 <= digit <= _MAX_VALUE
            and type(change) is str
            and change.count("=") == 1
            and type(index) is int
            and type(cut) is int
            and cut >= 0
        )
        if not valid:
            return None
        values.append(data_int(digit, (change, index, cut)))
    # pyphen drops a pattern of zeros only and trims zeros at both ends.
    if not values or not values[0] or not values[-1]:
        return None
    return start, tuple(values)


def _write(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` in one step; a cache that cannot be written is no error."""
    with contextlib.suppress(OutputError):
        write_atomic(path, data)
