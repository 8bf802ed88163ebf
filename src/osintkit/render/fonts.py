"""Which fontconfig configuration a render child uses: osintkit's own when scripts/setup.sh
made it, the system's otherwise.

The system's configuration reads dozens of files under /etc/fonts and lists every font the
machine has, user folders included, in every process that starts fontconfig; a font someone
installs later can then change what a report's fallback glyphs are set in. scripts/setup.sh
writes a configuration that lists only the folders of the fonts osintkit's templates name
(Noto, and DejaVu Sans Mono for code), with a font cache it builds there and then: a render
child reads that cache and nothing else of the machine's fonts. Setup writes the file last,
only once its cache is built and fontconfig finds the body face through it, so a machine
without the set-up (no file) renders with the system's configuration, as before. A
template's own fonts come through ``@font-face`` rules, which WeasyPrint adds by file
whatever the configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

from osintkit.paths import cache_folder

#: The variable fontconfig reads its configuration file from, at start-up.
VARIABLE = "FONTCONFIG_FILE"


def private_config() -> Path | None:
    """Return osintkit's fontconfig file if scripts/setup.sh made it, else None."""
    try:
        path = cache_folder() / "fontconfig" / "fonts.conf"
    except RuntimeError:  # no home folder
        return None
    return path if path.is_file() else None


def render_environment() -> dict[str, str]:
    """The variables a render child sets before fontconfig starts: osintkit's configuration,
    unless there is none or the user chose one (``FONTCONFIG_FILE`` already set)."""
    if VARIABLE in os.environ:
        return {}
    path = private_config()
    return {VARIABLE: str(path)} if path is not None else {}
