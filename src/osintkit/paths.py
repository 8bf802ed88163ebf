"""Where a series' input files are: the registry's file name, and finding it above a brief.

No osintkit imports and nothing heavy: the series model, validation, the catalogue, scaffold
and preview all need these names, and each of those imports this module, never the others.
"""

from __future__ import annotations

from pathlib import Path

#: The series registry's file name.
REGISTRY_FILE_NAME = "series.yaml"

#: What a brief's file name ends in.
BRIEF_SUFFIXES = (".yaml", ".yml")


def find_registry(start: Path) -> Path | None:
    """Return the nearest ``series.yaml`` in ``start`` (a brief file or folder) or a parent."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / REGISTRY_FILE_NAME
        if path.is_file():
            return path
    return None
