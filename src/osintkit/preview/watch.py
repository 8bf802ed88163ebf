"""Rebuild a preview whenever one of its inputs changes on disk, with ``watchfiles``.

The folders of the inputs are watched (not the files: an editor that saves by writing a new
file and renaming it over the old one replaces the file a watch would be on). Between events
the inputs' signatures are compared every half second too, which catches a save made while
the watch was being set up, or on a file system that sends no events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from osintkit.preview.session import Build, PreviewSession

#: Milliseconds without a further change before a batch of changes counts: an editor's save
#: is often several writes.
_STEP_MS = 50
#: At most this many milliseconds of changes are gathered into one rebuild.
_DEBOUNCE_MS = 400
#: Milliseconds between checks of the inputs' signatures when nothing is reported.
_CHECK_MS = 500


def rebuild_on_change(
    session: PreviewSession,
    on_build: Callable[[Build], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Rebuild ``session`` on this thread each time one of its inputs changes; call
    ``on_build`` with each build. Returns once ``stop`` is set; KeyboardInterrupt passes.

    """
    stop = stop or threading.Event()
    while not stop.is_set():
        folders = session.inputs.watch_folders()
        try:
            _watch(session, folders, on_build, stop)
        except FileNotFoundError:
            # A folder went away between choosing it and watching it: choose again.
            stop.wait(_CHECK_MS / 1000)


def _watch(
    session: PreviewSession,
    folders: frozenset[Path],
    on_build: Callable[[Build], None] | None,
    stop: threading.Event,
) -> None:
    """Watch ``folders`` until ``stop`` or until the inputs move to other folders."""
    for changes in watchfiles.watch(
        *sorted(folders),
        watch_filter=None,
        debounce=_DEBOUNCE_MS,
        step=_STEP_MS,
        rust_timeout=_CHECK_MS,
        yield_on_timeout=True,
        stop_event=stop,
        recursive=False,
    ):
        inputs = session.inputs
        touched = sorted({Path(path) for _, path in changes if inputs.affected_by(Path(path))})
        changed = tuple(touched) or session.changed_inputs()
        if changed:
            build = session.rebuild(changed)
            if on_build is not None:
                on_build(build)
        if session.inputs.watch_folders() != folders:
            return  # the report now reads from somewhere else: watch there instead
