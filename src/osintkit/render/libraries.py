"""WeasyPrint imported with its C libraries found without running a program.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig by trying several names for each
(one per platform), and cffi asks ``ctypes.util.find_library`` about every name. On Linux that
runs ``ldconfig -p`` and, for a name it does not know, ``gcc`` and ``ld``: over fifty programs
at every cold start, a good part of the import's time, and programs a render has no business
running. The names are WeasyPrint's own, so on Linux each is answered with its library's
soname, which the dynamic loader then finds as it finds any library; a name not in the table
goes to the original lookup.
"""

from __future__ import annotations

import ctypes.util
import sys

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
    """Import WeasyPrint, on Linux answering its library lookups from :data:`SONAMES`.

    The lookup is replaced only while WeasyPrint is imported, and only if nothing has imported
    it yet (its libraries are opened once, at import).
    """
    if "weasyprint" in sys.modules:
        return
    if not sys.platform.startswith("linux"):
        import weasyprint

        return
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        return SONAMES.get(name) or original(name)

    ctypes.util.find_library = find_library
    try:
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = original
