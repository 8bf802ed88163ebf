"""Live preview: a brief rendered again on every save and served to the browser, which reloads.

:class:`PreviewSession` renders and keeps the latest result, :func:`rebuild_on_change` watches
its inputs, :class:`PreviewServer` serves it on 127.0.0.1. None of them prints; the CLI does.
"""

from osintkit.preview.server import PreviewServer
from osintkit.preview.session import Build, PreviewSession, Snapshot
from osintkit.preview.watch import rebuild_on_change

__all__ = ["Build", "PreviewServer", "PreviewSession", "Snapshot", "rebuild_on_change"]
