"""WeasyPrint imported with its C libraries found without running a program.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig by trying several names for each
(one per platform), and cffi asks ``ctypes.util.find_library`` about every name. On Linux that
runs ``ldconfig -p`` and, for a name it does not know, ``gcc`` and ``ld``: over fifty programs
at every cold start, a good part of the import's time, and programs a render has no business
running. The names are WeasyPrint's own, so on Linux each is answered with its library's
soname, which the dynamic loader then finds as it finds any library; a name not in the table
goes to the original lookup.

WeasyPrint also declares the C functions it calls in one string that cffi parses with pycparser
at every import (in-line ABI mode: about 0.2 s of a cold render). osintkit ships that string
already parsed, as cffi's out-of-line ABI mode makes it (render/weasyprint_ffi.py, data made by
scripts/weasyprint_ffi.py, no compiler): while WeasyPrint is imported its ``cffi.FFI()`` is an
FFI built from those tables, whose ``cdef`` only checks that the declarations are the ones
parsed. Declarations that differ (another WeasyPrint) are parsed by cffi as before.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import sys
from collections.abc import Callable
from typing import Any

#: Each library's soname on Linux, with the names WeasyPrint 70 tries for it (text/ffi.py).
_LIBRARIES: dict[str, tuple[str, ...]] = {
    "libgobject-2.0.so.0": (
        "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libgobject-2.0.so.0",
        "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll",
    ),
    "libpango-1.0.so.0": (
        "libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0",
        "libpango-1.0.dylib", "libpango-1.0-0.dll",
    ),
    "libharfbuzz.so.0": (
        "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
        "libharfbuzz-0.dll",
    ),
    "libharfbuzz-subset.so.0": (
        "libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
        "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll",
    ),
    "libharfbuzz-vector.so.0": (
        "libharfbuzz-vector-0", "harfbuzz-vector", "harfbuzz-vector-0.0",
        "libharfbuzz-vector.so.0", "libharfbuzz-vector.0.dylib", "libharfbuzz-vector-0.dll",
    ),
    "libfontconfig.so.1": (
        "libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.so.1",
        "libfontconfig.1.dylib", "libfontconfig-1.dll",
    ),
    "libpangoft2-1.0.so.0": (
        "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0", "libpangoft2-1.0.so.0",
        "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll",
    ),
}  # fmt: skip
SONAMES: dict[str, str] = {name: soname for soname, names in _LIBRARIES.items() for name in names}


def import_weasyprint() -> None:
    """Import WeasyPrint, on Linux answering its library lookups from :data:`SONAMES`, and
    with its C declarations parsed ahead of time when they are the ones osintkit ships.

    The lookup and ``cffi.FFI`` are replaced only while WeasyPrint is imported, and only if
    nothing has imported it yet (its libraries are opened and declared once, at import).
    """
    if "weasyprint" in sys.modules:
        return
    import cffi

    original_ffi = cffi.FFI
    original_find = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        return SONAMES.get(name) or original_find(name)

    if sys.platform.startswith("linux"):
        ctypes.util.find_library = find_library
    cffi.FFI = _parsed_ffi_factory(original_ffi)
    try:
        try:
            import weasyprint
        except _OtherDeclarations:
            # Another WeasyPrint: forget what its import had done, and let cffi parse.
            for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
                del sys.modules[name]
            cffi.FFI = original_ffi
            import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = original_find
        cffi.FFI = original_ffi


class _OtherDeclarations(Exception):
    """WeasyPrint declared something else than the parsed tables hold."""


def _parsed_ffi_factory(original: Callable[[], Any]) -> Callable[[], Any]:
    """A stand-in for ``cffi.FFI``: the first FFI made is built from the parsed tables (what
    WeasyPrint's text/ffi.py makes), any other one is cffi's own."""
    import _cffi_backend

    from osintkit.render import weasyprint_ffi

    class ParsedFFI(_cffi_backend.FFI):  # type: ignore[misc]
        def cdef(self, declarations: str, **_: object) -> None:
            digest = hashlib.sha256(declarations.encode("utf-8")).hexdigest()
            if digest != weasyprint_ffi.DECLARATIONS_SHA256:
                raise _OtherDeclarations

    made: list[Any] = []

    def factory() -> Any:
        if made:
            return original()
        try:
            made.append(ParsedFFI(weasyprint_ffi.MODULE, **weasyprint_ffi.TABLES))
        except Exception:  # tables another cffi cannot read ("unsupported version"…)
            made.append(original())
        return made[0]

    return factory
