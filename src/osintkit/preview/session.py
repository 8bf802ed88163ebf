"""One brief rendered again and again, for the live preview: the latest result and its inputs.

The session knows nothing of HTTP or the terminal. :meth:`PreviewSession.rebuild` renders on
the thread that calls it (the PDF is laid out in a forked child, and forking is only safe
from a thread that no other thread can be holding a lock for); the server's threads read
:meth:`PreviewSession.snapshot` and wait for the next build with
:meth:`PreviewSession.wait_for_build`.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from osintkit.digests import Digests
from osintkit.errors import BriefErrors, OsintkitError
from osintkit.preview.assets import candidate_file, local_url_paths
from osintkit.render.sandbox import DEFAULT_LIMITS, RenderLimits

if TYPE_CHECKING:
    from osintkit.fields import Tlp

#: A file's identity and version as far as the preview cares: (mtime_ns, size, inode), or
#: None while it does not exist.
Signature = tuple[int, int, int] | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the preview shows: the last good report and the latest build's problems."""

    #: Different after every build, and across sessions, so a page can tell it is stale.
    generation: str
    #: The last good brief's title ("" before there was one).
    title: str = ""
    #: The report as ``osintkit render`` writes it, with nothing of the preview in it.
    html: str | None = None
    #: The PDF, when previewing the PDF.
    pdf: bytes | None = None
    #: The latest build's problems, one ``file:line:column: field: message`` line each;
    #: empty when it succeeded.
    errors: tuple[str, ...] = ()
    #: URL paths of the local files the report's page loads (its images), to serve.
    assets: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Build:
    """One rebuild: whether it worked, what it said, how long it took, what set it off."""

    number: int
    ok: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    seconds: float
    #: The files whose change caused it (empty for the first build).
    changed: tuple[Path, ...] = ()
    #: Pages of the PDF, when previewing the PDF.
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class Inputs:
    """The files a build was made from: a change to any of them calls for another build."""

    files: frozenset[Path] = frozenset()
    #: Folders every file of which is an input (the template's).
    folders: frozenset[Path] = frozenset()

    def affected_by(self, path: Path) -> bool:
        """Whether a change at ``path`` can change the report.

        A folder on the way to an input counts too: creating or renaming ``images/`` changes
        what ``images/chart.png`` is.
        """
        if path in self.files or any(path.is_relative_to(f) for f in self.folders):
            return True
        return any(f.is_relative_to(path) for f in (*self.files, *self.folders))

    def watch_folders(self) -> frozenset[Path]:
        """The folders to watch, not recursively: each input's folder, every folder of a
        template, and for a missing folder its nearest existing parent (where it would appear).
        """
        folders: set[Path] = {f.parent for f in self.files}
        for top in self.folders:
            folders.add(top)
            for below, subfolders, _ in os.walk(top):
                folders.update(Path(below) / name for name in subfolders)
        return frozenset(_existing(folder) for folder in folders)

    def signatures(self) -> dict[Path, Signature]:
        """Return the signature of every input file now, template files included."""
        paths = set(self.files)
        for top in self.folders:
            for below, _, names in os.walk(top):
                paths.update(Path(below) / name for name in names)
        return {path: _signature(path) for path in paths}


def _existing(folder: Path) -> Path:
    while not folder.is_dir() and folder.parent != folder:
        folder = folder.parent
    return folder


def _signature(path: Path) -> Signature:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _both_names(path: Path) -> set[Path]:
    """The absolute path and, if it differs, the symlink-free one: an editor saving through a
    symlink changes the target, one saving beside it replaces the link."""
    absolute = path.parent.resolve() / path.name
    return {absolute, absolute.resolve()}


@dataclass
class _State:
    snapshot: Snapshot
    inputs: Inputs
    signatures: dict[Path, Signature] = field(default_factory=dict)


class PreviewSession:
    """A brief, rendered anew on request, with what the preview shows and what to watch."""

    def __init__(
        self,
        brief: Path,
        *,
        registry: Path | None = None,
        template: str | None = None,
        pdf: bool = False,
        limits: RenderLimits = DEFAULT_LIMITS,
        edition: Tlp | None = None,
    ) -> None:
        """Prepare to preview ``brief`` (nothing is rendered until :meth:`rebuild`).

        ``registry`` and ``template`` override the series registry and template as in
        ``osintkit render``; with ``pdf`` the preview is the paginated PDF, rendered within
        ``limits``. With ``edition``, the preview is that edition of the brief, as ``osintkit
        render --edition`` renders it (leak check included).
        """
        self.brief = brief
        self.registry = registry
        self.template = template
        self.pdf = pdf
        self.limits = limits
        self.edition = edition
        #: The folder the page's own files (images) are served from.
        self.asset_root = brief.parent.resolve()
        self._token = secrets.token_hex(4)
        self._numbers = itertools.count(1)
        self._changed = threading.Condition()
        self._state = _State(Snapshot(f"{self._token}-0"), self._first_inputs())
        self._template_folders: tuple[Path, ...] = ()
        #: The captures' digests, taken once while each file is unchanged (and settled: see
        #: osintkit.digests), not on every save of the brief.
        self._digests = Digests()
        self._assets: frozenset[Path] = frozenset()
        self._figures: frozenset[Path] = frozenset()

    def snapshot(self) -> Snapshot:
        """Return what the preview shows now."""
        with self._changed:
            return self._state.snapshot

    @property
    def inputs(self) -> Inputs:
        """The files the latest build was made from."""
        with self._changed:
            return self._state.inputs

    def changed_inputs(self) -> tuple[Path, ...]:
        """Return the input files that differ from what the latest build read (by mtime,
        size and inode), for a watcher that may have missed an event."""
        with self._changed:
            inputs, before = self._state.inputs, self._state.signatures
        now = inputs.signatures()
        return tuple(sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p)))

    def wait_for_build(self, seen: str, timeout: float) -> str:
        """Return the current generation once it differs from ``seen``, or after ``timeout``
        seconds or a :meth:`wake` (then it may still equal ``seen``)."""
        with self._changed:
            if self._state.snapshot.generation == seen:
                self._changed.wait(timeout)
            return self._state.snapshot.generation

    def wake(self) -> None:
        """Release every thread in :meth:`wait_for_build` now (on shutdown)."""
        with self._changed:
            self._changed.notify_all()

    def rebuild(self, changed: Iterable[Path] = ()) -> Build:
        """Render the brief now, on this thread, and return how it went.

        An invalid brief or a failed render does not raise: the build carries its problems,
        and the snapshot keeps the last good report beside them. KeyboardInterrupt passes.
        """
        before = self.inputs.signatures()
        number = next(self._numbers)
        started = time.perf_counter()
        errors: list[str] = []
        warnings: list[str] = []
        good: Snapshot | None = None
        pages: int | None = None
        try:
            good, warnings, pages = self._render(f"{self._token}-{number}")
        except BriefErrors as exc:
            errors = [error.located for error in exc.errors]
        except OsintkitError as exc:
            errors = [str(exc)]
        seconds = time.perf_counter() - started
        inputs = self._inputs()
        after = inputs.signatures()
        # A file read for this build keeps the signature it had before the build started, so
        # a save during the build still counts as a change afterwards.
        signatures = {path: before.get(path, after[path]) for path in after}
        with self._changed:
            previous = self._state.snapshot
            generation = f"{self._token}-{number}"
            if good is None:
                snapshot = Snapshot(
                    generation,
                    previous.title,
                    previous.html,
                    previous.pdf,
                    tuple(errors),
                    previous.assets,
                )
            else:
                snapshot = good
            self._state = _State(snapshot, inputs, signatures)
            self._changed.notify_all()
        return Build(
            number, good is not None, tuple(errors), tuple(warnings), seconds, tuple(changed), pages
        )

    def _render(self, generation: str) -> tuple[Snapshot, list[str], int | None]:
        from osintkit.report import render_brief, template_for
        from osintkit.validation import load_brief

        self._figures = self._figure_files()
        loaded = load_brief(self.brief, self.registry, digests=self._digests)
        template = template_for(loaded, self.template)
        self._template_folders = template.folders
        # The pipeline of `osintkit render`, so the preview is that HTML or that PDF.
        rendered = render_brief(
            loaded,
            formats=("pdf",) if self.pdf else ("html",),
            template=template,
            limits=self.limits,
            edition=self.edition,
        )
        url_paths = local_url_paths(rendered.html)
        self._assets = frozenset(
            path
            for url_path in url_paths
            if (path := candidate_file(self.asset_root, url_path)) is not None
        )
        title = loaded.brief.title
        if rendered.pdf is None:
            snapshot = Snapshot(generation, title, rendered.html, assets=url_paths)
        else:
            # The figures the PDF read are inlined: only its other files are assets.
            figures = {figure.path for figure in loaded.figures.values()}
            self._assets |= frozenset(p for p in rendered.files_read if p not in figures)
            snapshot = Snapshot(generation, title, pdf=rendered.pdf)
        return snapshot, rendered.warnings, rendered.pages

    def _first_inputs(self) -> Inputs:
        from osintkit.paths import find_registry

        files = _both_names(self.brief)
        registry = self.registry or find_registry(self.brief)
        if registry is not None:
            files |= _both_names(registry)
        return Inputs(frozenset(files))

    def _figure_files(self) -> frozenset[Path]:
        """The figures the brief shows, found even when the brief is invalid (a figure
        missing is an error): saving the missing file is then what rebuilds."""
        from osintkit.figures import figure_candidates
        from osintkit.loader import load_yaml
        from osintkit.models import markdown_fields

        try:
            data = load_yaml(self.brief).data
        except BriefErrors:
            return self._figures
        return figure_candidates(markdown_fields(data), self.brief.parent)

    def _inputs(self) -> Inputs:
        """What the build just done read: the brief, the registry, the template, the assets."""
        files = set(self._first_inputs().files)
        for asset in self._assets | self._figures:
            files |= _both_names(asset)
        return Inputs(frozenset(files), frozenset(self._template_folders))
