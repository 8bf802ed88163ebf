"""The ``osintkit`` command: the command line, imported where a Ctrl-C is caught.

Importing the command line takes a moment (Typer, Rich, the models); a Ctrl-C pressed then
would end in Python's traceback, and a traceback is a bug here. Once the command line runs,
its own handlers answer an interrupt.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line and run it; an interrupt while importing exits 130."""
    try:
        from osintkit.cli import app
    except KeyboardInterrupt:
        sys.stderr.write("osintkit: interrupted while starting; nothing was done\n")
        raise SystemExit(130) from None
    app()
