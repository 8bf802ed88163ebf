"""Build a folder of briefs into a site: every report, in parallel, only what changed.

Reports that may be published (TLP:CLEAR or GREEN, and final, or a draft with ``drafts``) go
to the public folder; every other report is written only to the restricted folder, which is
never inside the public one. Each folder gets its own catalogue, feeds and checksums.

An output is rebuilt when its brief, its series registry, its template's files, a local file
the PDF loaded (an image, a font), a capture of its sources, osintkit's version or the build
options changed. What each
brief was built from is kept in a manifest in the restricted folder (it names restricted
reports, so it is not published), so an unchanged brief is skipped without even being parsed:
a no-op rebuild reads and hashes files, nothing more; a file's digest is kept there too, with
its size and times (:class:`osintkit.digests.Digests`), so an unchanged 500 MB capture is not
hashed again. A build holds a lock on both folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from osintkit import __version__
from osintkit.catalogue import (
    Number,
    brief_paths,
    duplicate_numbers,
    issue_position,
    numbering_gaps,
)
from osintkit.digests import Digests
from osintkit.errors import (
    BriefErrors,
    Diagnostic,
    OsintkitError,
    OutputError,
    RenderError,
    TemplateError,
)
from osintkit.output import (
    CHECKSUMS,
    LOCK_FILE,
    MANIFEST_FILE,
    TEMP_SUFFIX,
    remove_stale_temporaries,
    write_atomic,
)
from osintkit.paths import NotARegularFileError, read_regular_file
from osintkit.records import (
    IssueRecord,
    Malformed,
    OutputFile,
    is_count,
    is_path,
    json_object,
    want,
)
from osintkit.render.sandbox import DEFAULT_LIMITS, RenderLimits
from osintkit.tradecraft import TLP_ORDER, is_public

if TYPE_CHECKING:
    from osintkit.models import Brief
    from osintkit.output import PdfVariant
    from osintkit.validation import LoadedBrief

#: 2: one manifest in the restricted folder, each brief's files in the folder it names.
_MANIFEST_FORMAT = 2
#: A manifest names each brief once with its inputs: tens of thousands of briefs fit.
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024

Status = Literal["built", "skipped", "failed"]


class FolderError(OutputError):
    """A folder of the build cannot be used: it cannot be written or locked, or another build
    holds it. ``diagnostic`` is the problem as every command prints one, at the folder."""

    def __init__(self, folder: Path, message: str, rule: str = "output") -> None:
        super().__init__(f"{folder}: {message}")
        self.diagnostic = Diagnostic(folder, 0, 0, "", rule, message)


class FolderConflict(FolderError):
    """The public and the restricted folder are one, or one lies inside the other."""

    def __init__(self, folder: Path, message: str) -> None:
        super().__init__(folder, message, "folders")


def default_restricted_dir(out_dir: Path) -> Path:
    """The restricted folder beside ``out_dir``: ``site`` → ``site-restricted``."""
    base = out_dir if out_dir.name not in ("", "..") else out_dir.resolve()
    return base.parent / f"{base.name}-restricted"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to build and how."""

    #: The public site: only reports that may be published are written here.
    out_dir: Path
    #: Where restricted reports (and drafts, unless ``drafts``) go; default beside out_dir.
    restricted_dir: Path | None = None
    #: Worker processes; 1 renders in this process, one brief after another.
    jobs: int = 1
    #: Publish drafts in the public site (else they go to the restricted folder).
    drafts: bool = False
    pdf_variant: PdfVariant | None = None
    registry: Path | None = None
    #: How long and how much memory one PDF may take.
    limits: RenderLimits = DEFAULT_LIMITS
    #: Wait for another build of the same folders to finish (else fail at once).
    wait: bool = True

    @property
    def restricted_out(self) -> Path:
        """The restricted folder, given or by default."""
        if self.restricted_dir is not None:
            return self.restricted_dir
        return default_restricted_dir(self.out_dir)

    def root(self, restricted: bool) -> Path:
        """The folder a public (or restricted) report goes to."""
        return self.restricted_out if restricted else self.out_dir

    def fingerprint(self) -> str:
        """The options that change a report's bytes, and which files a build writes."""
        from osintkit.exports import EXPORTERS
        from osintkit.output import FORMATS

        return json.dumps(
            {
                "version": __version__,
                "variant": self.pdf_variant,
                "formats": list(FORMATS),
                "exports": list(EXPORTERS),
            }
        )


@dataclass
class BuildOutcome:
    """What became of one brief."""

    brief_path: Path
    status: Status
    #: What made a brief fail, located; empty for a built or skipped one.
    problems: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The brief's catalogue entry (number, title, date, files), for built and skipped briefs.
    entry: IssueRecord | None = None
    #: Local files the PDF loaded, for a built brief.
    files_read: list[str] = field(default_factory=list)
    #: Whether its files go to the restricted folder; None if it failed before that was known.
    restricted: bool | None = None
    #: The folder its files are (or were to be) written to.
    folder: Path | None = None
    #: The catalogue entries of its editions below the full one (``entry``), each marked
    #: with its level, for built and skipped briefs that list editions.
    editions: list[IssueRecord] = field(default_factory=list)


@dataclass
class BuildResult:
    """Every brief's outcome, or the catalogue problems that stopped the build."""

    outcomes: list[BuildOutcome] = field(default_factory=list)
    #: Numbers (or report file names) given twice: found before anything is built, and nothing is.
    problems: list[Diagnostic] = field(default_factory=list)
    interrupted: bool = False
    #: Why the catalogue, feeds or checksums could not be written (a full disk), if they could not.
    error: Diagnostic | None = None

    @property
    def failed(self) -> list[BuildOutcome]:
        """The briefs that could not be built."""
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass
class _Planned:
    """One edition of a brief to build: placed by its own level."""

    level: str
    #: Whether it is the full edition (the brief's own TLP, today's file names).
    full: bool
    restricted: bool
    #: Its files, relative to the folder they go to.
    files: list[str]
    #: The edition's brief (the full brief for the full edition): its catalogue entry's text.
    brief: Brief
    #: The file name of the brief it is rendered from ("x.clear.yaml" for an edition).
    name: str
    #: Its exports, made from the edition's own content and leak-checked by the parent:
    #: (name, extension, bytes) each, written with the report (``report.write_report``).
    exports: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass
class _Pending:
    path: Path
    number: Number
    fingerprint: str
    registry_path: Path
    template_folder: Path
    #: The brief as validated here, so the worker does not parse and validate it again.
    loaded: LoadedBrief
    #: Every edition the brief lists, the full one first. A brief builds as a whole: one
    #: edition that fails (a leak) fails the brief, and it keeps its last good build.
    editions: list[_Planned]

    @property
    def restricted(self) -> bool:
        """Whether the full edition goes to the restricted folder."""
        return self.editions[0].restricted


def build(
    sources: Sequence[Path],
    options: BuildOptions,
    on_outcome: Callable[[BuildOutcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_wait: Callable[[Path], None] | None = None,
    on_warning: Callable[[Diagnostic], None] | None = None,
) -> BuildResult:
    """Build every brief of ``sources`` (files or folders) into the public and restricted folders.

    ``on_start`` is told how many briefs will be rendered, ``on_outcome`` each brief's outcome
    as it comes (skipped ones first), ``on_wait`` the folder another build holds (this one
    then waits for it, unless ``options.wait`` is false), ``on_warning`` a manifest that was
    ignored and each hole in a volume's numbering. One broken brief does not stop the others.
    Two briefs with the same number stop the build before anything is written. On Ctrl-C, the
    briefs built so far are kept and recorded, and KeyboardInterrupt is raised again. Raises
    :class:`FolderConflict` if one folder lies inside the other, :class:`FolderError` if a
    folder cannot be written (or, without waiting, another build holds it),
    :class:`BriefErrors` for a folder without briefs.
    """
    check_folders(options.out_dir, options.restricted_out)
    paths = brief_paths(sources)
    try:
        with _locked(options, on_wait or (lambda folder: None)):
            return _build(
                paths,
                options,
                on_outcome or (lambda outcome: None),
                on_start or (lambda count: None),
                on_warning or (lambda diagnostic: None),
            )
    except (FolderError, BriefErrors):
        raise
    except OsintkitError as exc:  # an old copy that cannot be removed, a pool that cannot start
        rule, line = _rule_and_line(exc)
        raise FolderError(options.out_dir, line, rule) from None


def check_folders(public: Path, restricted: Path) -> None:
    """Raise :class:`FolderConflict` unless the two folders are apart, symlinks resolved."""
    try:
        pub, res = public.resolve(), restricted.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise FolderError(public, f"cannot be used with {restricted}: {exc}") from None
    if pub == res:
        raise FolderConflict(restricted, f"the restricted folder is the public folder {public}")
    if res.is_relative_to(pub):
        raise FolderConflict(
            restricted,
            f"the restricted folder lies inside the public folder {public}: "
            f"whoever publishes {public} would publish it",
        )
    if pub.is_relative_to(res):
        raise FolderConflict(
            public, f"the public folder lies inside the restricted folder {restricted}"
        )


@contextlib.contextmanager
def _locked(options: BuildOptions, on_wait: Callable[[Path], None]) -> Iterator[None]:
    """Hold an exclusive lock on both folders (made if missing), taken in one fixed order so
    that two builds wanting the same two folders cannot each hold one and wait for the other."""
    folders = sorted(
        [(options.out_dir, False), (options.restricted_out, True)],
        key=lambda pair: str(pair[0].resolve()),
    )
    with contextlib.ExitStack() as stack:
        for folder, restricted in folders:
            descriptor = _open_lock(folder, restricted)
            _held_locks.add(descriptor)
            stack.callback(_release, descriptor)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not options.wait:
                    raise FolderError(
                        folder, "another build is using this folder", "lock"
                    ) from None
                on_wait(folder)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            except OSError as exc:
                raise FolderError(
                    folder, f"cannot be locked: {exc.strerror or exc}", "lock"
                ) from None
            _check_writable(folder)
        yield


#: The lock files this process holds open. A flock belongs to the open file, which a forked
#: child shares: a render child kept warm after the build would go on holding the lock.
_held_locks: set[int] = set()


def _release(descriptor: int) -> None:
    _held_locks.discard(descriptor)
    os.close(descriptor)


def _forget_locks() -> None:
    for descriptor in _held_locks:
        with contextlib.suppress(OSError):
            os.close(descriptor)  # the child's copy only: the parent's lock stays
    _held_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


def _open_lock(folder: Path, restricted: bool) -> int:
    try:
        # A restricted folder osintkit makes is its owner's alone.
        folder.mkdir(parents=True, exist_ok=True, mode=0o700 if restricted else 0o777)
        return os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise FolderError(folder, "cannot be written to: it is a file, not a folder") from None
    except OSError as exc:
        raise FolderError(folder, f"cannot be written to: {exc.strerror or exc}") from None


def _check_writable(folder: Path) -> None:
    """Raise :class:`OutputError` now, not once a brief, for a folder that cannot be written."""
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".probe.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder
        )
        os.close(descriptor)
        Path(name).unlink()
    except OSError as exc:
        raise FolderError(folder, f"cannot be written to: {exc.strerror or exc}") from None


def _build(
    paths: list[Path],
    options: BuildOptions,
    report: Callable[[BuildOutcome], None],
    on_start: Callable[[int], None],
    warn: Callable[[Diagnostic], None],
) -> BuildResult:
    manifest, problem = _Manifest.load(options.restricted_out)
    if problem:
        warn(problem)
    _remove_old_public_manifest(options.out_dir)
    previous = dict(manifest.records)
    hashes = _Hashes(manifest.digests)
    result = BuildResult()
    numbers: dict[Path, Number] = {}
    pending: list[_Pending] = []
    #: (key, restricted, files) of each skipped brief: where its report stays.
    placed: list[tuple[str, bool, list[str]]] = []

    named = {_key(path) for path in paths}
    # The site lists every brief a build recorded, not only those named this time: a build of
    # one brief, or of a path mistyped, leaves the others published. A recorded brief whose
    # file is gone is withdrawn, its files with it, so the site never lists what it lacks nor
    # holds what it does not list.
    for key, record in sorted(manifest.records.items()):
        brief_key = record.brief_key(key)
        if brief_key in named:
            continue
        if Path(brief_key).is_file():
            numbers[Path(brief_key)] = record.number
        else:
            _withdraw(brief_key, record, options, warn)
            del manifest.records[key]
    # Each brief's records, one per edition (the full one under the brief's own key).
    by_brief: dict[str, dict[str, _Record]] = {}
    for key, record in manifest.records.items():
        by_brief.setdefault(record.brief_key(key), {})[key] = record

    for path in paths:
        key = _key(path)
        old = manifest.records.get(key)
        olds = by_brief.get(key, {})
        # The editions of a brief are recorded together, from one build of it: if none of
        # its inputs changed, neither did the editions it lists.
        if old is not None and all(
            _unchanged(path, record, options, hashes) for record in olds.values()
        ):
            numbers[path] = old.number
            placed.extend((k, record.restricted, record.files()) for k, record in olds.items())
            folder = options.root(old.restricted) / old.entry.series
            lower = [record.entry for k, record in sorted(olds.items()) if k != key]
            result.outcomes.append(
                BuildOutcome(
                    path,
                    "skipped",
                    entry=old.entry,
                    restricted=old.restricted,
                    folder=folder,
                    editions=lower,
                )
            )
            continue
        try:
            pending.append(_prepare(path, options, hashes))
        except (BriefErrors, OsintkitError) as exc:
            result.outcomes.append(BuildOutcome(path, "failed", problems=_problems(exc, path)))
            _keep_last_build(path, old, warn)
            continue
        numbers[path] = pending[-1].number

    result.problems = duplicate_numbers(numbers, issue_position)
    result.problems += _name_clashes(placed, manifest, pending)
    for gap in numbering_gaps(numbers, issue_position):
        warn(gap)
    if result.problems:
        return result
    planned = [
        (_edition_key(_key(item.path), plan), plan.restricted, plan.files)
        for item in pending
        for plan in item.editions
    ]
    # Editions a brief no longer lists: their files and records go.
    dropped = {
        key: record
        for item in pending
        for key, record in by_brief.get(_key(item.path), {}).items()
        if key not in {_edition_key(_key(item.path), plan) for plan in item.editions}
    }
    _remove_stale_copies(placed + planned, previous, options, list(dropped.values()))
    _leave_old_folders(manifest, pending, options, hashes, set(dropped))
    for outcome in result.outcomes:
        report(outcome)
    on_start(len(pending))

    try:
        with contextlib.closing(_render_all(pending, options)) as rendered:
            for item, outcome in rendered:
                result.outcomes.append(outcome)
                key = _key(item.path)
                if outcome.status == "built" and outcome.entry is not None:
                    entries = [outcome.entry, *outcome.editions]
                    for plan, entry in zip(item.editions, entries, strict=True):
                        manifest.records[_edition_key(key, plan)] = _Record(
                            fingerprint=item.fingerprint,
                            number=item.number,
                            registry=str(item.registry_path),
                            template=str(item.template_folder),
                            inputs=_inputs(item, outcome, hashes),
                            restricted=plan.restricted,
                            entry=entry,
                            edition=None if plan.full else plan.level,
                        )
                else:
                    _keep_last_build(item.path, manifest.records.get(key), warn)
                # Saved as each report is done, so that even a build killed with SIGKILL
                # goes on from there next time.
                manifest.save(options.restricted_out)
                report(outcome)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        manifest.save(options.restricted_out)
        for root in (options.out_dir, options.restricted_out):
            _sweep(root)
    result.error = _publish_all(manifest, options, hashes, [False, True])
    return result


def _name_clashes(
    placed: list[tuple[str, bool, list[str]]], manifest: _Manifest, pending: list[_Pending]
) -> list[Diagnostic]:
    """Two briefs whose files would have one name: ``x.yaml``'s CLEAR edition and a brief
    ``x.clear.yaml`` both make ``x.clear.pdf``. Found before anything is built, like a number
    given twice."""
    owner = {
        name: manifest.records[key].brief_key(key) for key, _, names in placed for name in names
    }
    problems = []
    for item in pending:
        mine = _key(item.path)
        for plan in item.editions:
            for name in plan.files:
                other = owner.setdefault(name, mine)
                if other != mine:
                    what = "its report" if plan.full else f"its TLP:{plan.level} edition"
                    message = (
                        f"{what} would be written as {name}, the name of a report of "
                        f"{Path(other).name}: rename one of the briefs"
                    )
                    problems.append(Diagnostic(item.path, 0, 0, "", "output", message))
                    break
    return problems


def _keep_last_build(path: Path, old: _Record | None, warn: Callable[[Diagnostic], None]) -> None:
    """Say that a brief which failed keeps the report its last good build published.

    Its files are still in the site, so its record stays and the catalogue goes on listing
    them: a typo in a brief does not unpublish the issue, and the next good build replaces it.
    """
    if old is None:
        return
    entry = old.entry
    where = "restricted folder" if old.restricted else "site"
    warn(
        Diagnostic(
            path, 0, 0, "", "kept",
            f"the {where} keeps its last good build (Volume {entry.volume} Issue "
            f"{entry.issue}, {entry.title!r}) until it builds again",
            "warning",
        )
    )  # fmt: skip


def _withdraw(
    key: str, record: _Record, options: BuildOptions, warn: Callable[[Diagnostic], None]
) -> None:
    """Remove the files of a recorded brief whose file is gone, and say so."""
    root = options.root(record.restricted)
    for name in record.files():
        with contextlib.suppress(FileNotFoundError):
            (root / name).unlink()
    entry = record.entry
    warn(
        Diagnostic(
            Path(key), 0, 0, "", "withdrawn",
            f"the brief is gone, so its report (Volume {entry.volume} Issue {entry.issue}) "
            "left the " + ("restricted folder" if record.restricted else "site"),
            "warning",
        )
    )  # fmt: skip


def _remove_stale_copies(
    placed: list[tuple[str, bool, list[str]]],
    previous: dict[str, _Record],
    options: BuildOptions,
    dropped: Sequence[_Record] = (),
) -> None:
    """Remove every copy of a brief's report outside the folder it now belongs in.

    A report reclassified (CLEAR → AMBER, a draft without ``--drafts``) must not stay in the
    public folder: its old files, as the manifest lists them, and whatever lies where it would
    be in the other folder go, unless another brief's report is there. The check runs on every
    build, so a copy survives neither a lost manifest nor an older osintkit's layout. Each
    edition of a brief is placed (a ``placed`` entry) by its own level; the files of an edition
    the brief no longer lists (``dropped``) go too.
    """
    claimed = {(restricted, path) for _, restricted, paths in placed for path in paths}
    stale_of: list[tuple[str, set[tuple[bool, str]]]] = []
    for key, restricted, paths in placed:
        stale = {(not restricted, path) for path in paths}
        old = previous.get(key)
        if old is not None:
            stale |= {(old.restricted, path) for path in old.files()}
        stale_of.append((key, stale))
    for record in dropped:
        stale_of.append((record.entry.brief, {(record.restricted, p) for p in record.files()}))
    for key, stale in stale_of:
        for where, path in sorted(stale - claimed):
            target = options.root(where) / path
            try:
                target.unlink(missing_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"cannot remove {target}, an old copy of {Path(key).name}: "
                    f"{exc.strerror or exc}"
                ) from None


def _leave_old_folders(
    manifest: _Manifest,
    pending: list[_Pending],
    options: BuildOptions,
    hashes: _Hashes,
    dropped: Collection[str] = (),
) -> None:
    """Take the editions that change folders (and those ``dropped``, which a brief no longer
    lists) out of their old folder's catalogue, feeds and checksums now, not after the
    renders: a build stopped half-way must not leave a public feed naming a report that is
    restricted now. Raises :class:`OutputError`."""
    left = set()
    for key in dropped:
        left.add(manifest.records.pop(key).restricted)
    for item in pending:
        for plan in item.editions:
            key = _edition_key(_key(item.path), plan)
            old = manifest.records.get(key)
            if old is not None and old.restricted != plan.restricted:
                left.add(old.restricted)
                del manifest.records[key]
    problem = _publish_all(manifest, options, hashes, sorted(left))
    if problem:
        raise FolderError(problem.path, problem.message, problem.rule)


def _remove_old_public_manifest(out_dir: Path) -> None:
    """Earlier versions of osintkit kept the manifest, restricted reports' titles and all, in
    the public folder."""
    old = out_dir / MANIFEST_FILE
    try:
        old.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot remove {old}: {exc.strerror or exc}") from None


def _publish_all(
    manifest: _Manifest, options: BuildOptions, hashes: _Hashes, folders: list[bool]
) -> Diagnostic | None:
    """Publish the folders named (False: public, True: restricted); return why one could not
    be written, at that folder, or None."""
    try:
        for restricted in folders:
            try:
                _publish(manifest, options, hashes, restricted)
            except OsintkitError as exc:
                return Diagnostic(options.root(restricted), 0, 0, "", *_rule_and_line(exc))
    finally:
        manifest.save(options.restricted_out)
    return None


def _publish(manifest: _Manifest, options: BuildOptions, hashes: _Hashes, restricted: bool) -> None:
    """Write one folder's catalogue, feeds and checksums, unless nothing they show has changed."""
    from osintkit.site import one_per_number, publish

    records = _listed(manifest, restricted)
    entries = [r.entry for r in records]
    # The restricted catalogue links each issue's public edition, as the public site has it.
    public: dict[Number, IssueRecord] = {}
    if restricted:
        shown = [r.entry for r in _listed(manifest, False)]
        shown = [e for e in shown if is_public(e.tlp, e.status, options.drafts)]
        public = {(e.series, e.volume, e.issue): e for e in one_per_number(shown)}
    public_editions = {n: e for n, e in public.items() if n in {r.number for r in records}}
    registries = sorted({r.registry for r in records})
    root = options.root(restricted)
    shows: dict[str, Any] = {
        "entries": [entry.to_json() for entry in entries],
        "drafts": options.drafts,
        "registries": [hashes.file(Path(r)) for r in registries],
        "version": __version__,
    }
    if public_editions:  # only then: a site without editions keeps its fingerprint
        shows["public_editions"] = [e.to_json() for _, e in sorted(public_editions.items())]
    state = json.dumps(shows, sort_keys=True)
    fingerprint = hashlib.sha256(state.encode()).hexdigest()
    listed = (root / CHECKSUMS).is_file()
    if fingerprint == manifest.published[restricted] and listed:
        return
    if restricted and not entries and not listed:
        return  # a restricted folder that never held a report needs no empty catalogue
    if restricted:
        for series in {entry.series for entry in entries}:
            _confine(root / series, root)  # its feed
    from osintkit.validation import load_registry

    series_entries = {}
    for registry in registries:
        series_entries.update(load_registry(Path(registry)))
    publish(
        root,
        entries,
        series_entries,
        drafts=options.drafts,
        restricted=restricted,
        public_editions=public_editions,
    )
    manifest.published[restricted] = fingerprint


def _listed(manifest: _Manifest, restricted: bool) -> list[_Record]:
    """The records of one folder, in key order."""
    records = [manifest.records[key] for key in sorted(manifest.records)]
    return [r for r in records if r.restricted == restricted]


def _confine(folder: Path, root: Path) -> None:
    """Raise :class:`OutputError` if ``folder``, symlinks resolved, is not inside ``root``:
    a link planted in the restricted folder must not carry its reports somewhere else."""
    try:
        inside = folder.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    if not inside:
        raise OutputError(
            f"{folder} leads out of {root} (a symbolic link?); restricted reports are "
            "written only inside the restricted folder"
        )


def _sweep(out_dir: Path) -> None:
    """Remove what killed workers left half-written: temporaries of dead processes."""
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
        for folder in out_dir.iterdir():
            if folder.is_dir():
                remove_stale_temporaries(folder)


def _render_all(
    pending: list[_Pending], options: BuildOptions
) -> Generator[tuple[_Pending, BuildOutcome]]:
    if options.jobs <= 1 or len(pending) <= 1:
        for item in pending:
            yield item, _render_one(item, options)
        return
    from osintkit.processes import WorkerFailure, WorkerPool

    # The worker's render child pays WeasyPrint's import and font set-up once for all the
    # worker's briefs, while the worker loads its first brief.
    from osintkit.render.pdf import start_renderer

    pool: WorkerPool[_Pending, BuildOutcome] = WorkerPool(
        min(options.jobs, len(pending)),
        functools.partial(_render_one, options=options),
        functools.partial(start_renderer, options.limits),
    )
    # Ctrl-C, an error here or the end: the workers are killed, renders under way or not;
    # their render children die with them and the temporaries they may leave are swept.
    with contextlib.closing(pool.run(pending)) as results:
        for index, outcome in results:
            item = pending[index]
            if isinstance(outcome, WorkerFailure):
                outcome = BuildOutcome(
                    item.path,
                    "failed",
                    problems=[_failed_render(item.path, outcome.message)],
                    restricted=item.restricted,
                    folder=options.root(item.restricted) / item.number[0],
                )
            yield item, outcome


def _render_one(item: _Pending, options: BuildOptions) -> BuildOutcome:
    """Render every edition of one validated brief into its folder; never raises for a
    failed render. Every edition is rendered (and leak-checked) before any is written."""
    from osintkit.leaks import LeakError
    from osintkit.report import render_brief, template_for, write_report

    loaded = item.loaded
    path = loaded.path
    out_dir = options.root(item.restricted) / loaded.brief.series
    started = time.perf_counter()
    entries: list[IssueRecord] = []
    warnings: list[str] = []
    files_read: set[str] = set()
    plan = item.editions[0]
    try:
        renders = []
        template = template_for(loaded)
        for plan in item.editions:
            root = options.root(plan.restricted)
            if plan.restricted:
                _confine(root / loaded.brief.series, root)
            rendered = render_brief(
                loaded,
                template=template,
                limits=options.limits,
                pdf_variant=options.pdf_variant,
                edition=None if plan.full else plan.level,  # type: ignore[arg-type]
                pdf_url=_pdf_url(loaded, plan),
            )
            renders.append((plan, root, rendered))
        for plan, root, rendered in renders:
            folder = root / loaded.brief.series
            files_written = write_report(rendered, folder, plan.exports)
            data = {**rendered.files, **{kind: bytes_ for kind, _, bytes_ in plan.exports}}
            entries.append(_entry(item, plan, root, data, files_written))
            warnings.extend(w for w in rendered.warnings if w not in warnings)
            files_read.update(str(p) for p in rendered.files_read)
    except LeakError as exc:
        return BuildOutcome(
            path,
            "failed",
            problems=[_leak(loaded, plan.level, exc)],
            seconds=time.perf_counter() - started,
            restricted=item.restricted,
            folder=out_dir,
        )
    except (BriefErrors, OsintkitError) as exc:
        return BuildOutcome(
            path,
            "failed",
            problems=_problems(exc, path),
            seconds=time.perf_counter() - started,
            restricted=item.restricted,
            folder=out_dir,
        )
    return BuildOutcome(
        path,
        "built",
        warnings=warnings,
        seconds=time.perf_counter() - started,
        entry=entries[0],
        files_read=sorted(files_read),
        restricted=item.restricted,
        folder=out_dir,
        editions=entries[1:],
    )


def _pdf_url(loaded: LoadedBrief, plan: _Planned) -> str | None:
    """Where the edition's PDF will be on the web: the series' ``site_url`` (the address its
    folder of the site is published at) and the PDF's file name; None for an edition that is
    not published (the restricted folder's) or a series without a ``site_url``."""
    url = loaded.series.site_url
    name = next((Path(f).name for f in plan.files if f.endswith(".pdf")), None)
    if plan.restricted or not url or name is None:
        return None
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme, parts.netloc, f"{parts.path.rstrip('/')}/{quote(name)}", "", "")
    )


def _entry(
    item: _Pending,
    plan: _Planned,
    root: Path,
    data: dict[str, bytes],
    files_written: Sequence[Any],
) -> IssueRecord:
    """The catalogue entry of one edition: its text from the edition's own brief, so that a
    public catalogue or feed never carries a restricted edition's words."""
    brief = plan.brief
    return IssueRecord(
        series=brief.series,
        volume=brief.volume,
        issue=brief.issue,
        title=brief.title,
        subtitle=brief.subtitle,
        date=brief.date.isoformat(),
        language=brief.language,
        status=brief.status,
        tlp=plan.level,
        authors=tuple(brief.author_names()),
        keywords=tuple(brief.keywords),
        summary=_plain_text(brief.executive_summary),
        brief=plan.name,
        files={
            written.kind: OutputFile(
                path=written.path.relative_to(root).as_posix(),
                size=written.size,
                sha256=hashlib.sha256(data[written.kind]).hexdigest(),
                pages=written.pages,
            )
            for written in files_written
        },
    )


def _leak(loaded: LoadedBrief, level: str, exc: Exception) -> Diagnostic:
    """A leak found in an edition, located at the removed portion it came from."""
    from osintkit.leaks import LeakError

    message = f"the TLP:{level} edition is not built: {exc}"
    leak = exc.leak if isinstance(exc, LeakError) else None
    if leak is None:
        return Diagnostic(loaded.path, 0, 0, "", "leak", message)
    return loaded.document.diagnostic(leak.portion.key_path, "leak", message)


def _prepare(path: Path, options: BuildOptions, hashes: _Hashes) -> _Pending:
    """Validate a brief that needs building, fingerprint what it is built from and decide
    which folder each of its editions goes to."""
    from osintkit.editions import edition_of
    from osintkit.exports import export_edition
    from osintkit.leaks import LeakError
    from osintkit.output import output_path
    from osintkit.portions import marking
    from osintkit.report import FORMATS, template_for
    from osintkit.validation import load_brief

    loaded = load_brief(path, options.registry, digests=hashes.digests)
    template = template_for(loaded)
    fingerprint = _fingerprint(path, loaded.registry_path, template.folders, options, hashes)
    brief = loaded.brief
    number = (brief.series, brief.volume, brief.issue)
    mark = marking(brief, loaded.series)
    editions = []
    # The full edition first, with today's file names; then the others, most open first.
    for level in [mark.full, *(e for e in mark.editions if e != mark.full)]:
        full = level == mark.full
        edition = loaded if full else edition_of(loaded, level).loaded  # type: ignore[arg-type]
        files = [output_path(edition.path, Path(brief.series), k).as_posix() for k in FORMATS]
        # Cheap beside a PDF, and made here so that a leak in one fails the brief before
        # anything renders, located at the portion it came from.
        try:
            made = export_edition(loaded, edition, None if full else level)  # type: ignore[arg-type]
        except LeakError as exc:
            raise BriefErrors([_leak(loaded, level, exc)]) from None
        exports = [(e.exporter.name, e.exporter.suffix.removeprefix("."), e.data) for e in made]
        files += [
            output_path(edition.path, Path(brief.series), x).as_posix() for _, x, _ in exports
        ]
        restricted = not is_public(level, brief.status, options.drafts)
        editions.append(
            _Planned(level, full, restricted, files, edition.brief, edition.path.name, exports)
        )
    return _Pending(
        path, number, fingerprint, loaded.registry_path, template.folder, loaded, editions
    )


def _fingerprint(
    brief: Path,
    registry: Path,
    template: tuple[Path, ...],
    options: BuildOptions,
    hashes: _Hashes,
) -> str:
    # The whole registry file, not only the brief's entry: reading the entry would mean
    # parsing YAML on the no-op path; a registry changes seldom.
    parts = [
        options.fingerprint(),
        hashes.file(brief),
        hashes.file(registry),
        *(hashes.folder(folder) for folder in template),  # the folders it extends too
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _unchanged(path: Path, old: _Record, options: BuildOptions, hashes: _Hashes) -> bool:
    from osintkit.errors import TemplateError
    from osintkit.templates import find_template

    entry = old.entry
    if old.restricted == is_public(entry.tlp, entry.status, options.drafts):
        return False  # it belongs in the other folder now (--drafts given or dropped)
    try:
        registry, template = Path(old.registry), Path(old.template)
        if options.registry is not None and options.registry.resolve() != registry.resolve():
            return False
        folders = find_template(str(template)).folders
        if _fingerprint(path, registry, folders, options, hashes) != old.fingerprint:
            return False
        for name, digest in old.inputs.items():
            # Inputs are kept resolved: one that now resolves elsewhere (swapped for a symlink,
            # the same bytes outside the brief's folder) is for validation to refuse, not skip.
            if Path(name).resolve() != Path(name) or hashes.file(Path(name)) != digest:
                return False
        root = options.root(old.restricted)
        for written in entry.files.values():
            if (root / written.path).stat().st_size != written.size:
                return False
    except (OSError, RuntimeError, TemplateError):
        return False  # a template gone or its chain broken: rebuilding says what is wrong
    return True


def _inputs(item: _Pending, outcome: BuildOutcome, hashes: _Hashes) -> dict[str, str]:
    """The files a report was made from besides its brief, registry and template, with their
    SHA-256: what its PDF loaded, and its sources' captures (as validation hashed them)."""
    inputs = {p: hashes.file(Path(p)) for p in outcome.files_read}
    inputs.update((os.fspath(c.path), c.sha256) for c in item.loaded.captures.values())
    return inputs


class _Hashes:
    """SHA-256 of files and template folders, each read once per build, and not at all if the
    manifest's digests know the file unchanged."""

    def __init__(self, digests: Digests) -> None:
        self.digests = digests
        self._files: dict[Path, str] = {}
        self._folders: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._files:
            # Regular files only: a manifest naming /dev/zero or a FIFO must not hang a build.
            self._files[path] = self.digests.file(path) or "missing"
        return self._files[path]

    def folder(self, folder: Path) -> str:
        if folder not in self._folders:
            digest = hashlib.sha256()
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(self.file(path).encode())
            self._folders[folder] = digest.hexdigest()
        return self._folders[folder]


_RECORD_FIELDS = frozenset(
    {"fingerprint", "number", "registry", "template", "inputs", "restricted", "entry"}
)


@dataclass
class _Record:
    """What one brief was built from, and its catalogue entry (as osintkit.site takes it)."""

    fingerprint: str
    number: Number
    registry: str
    template: str
    #: Local files the PDF loaded and the captures of the brief's sources, with their SHA-256.
    inputs: dict[str, str]
    #: Whether its files are in the restricted folder (else in the public one).
    restricted: bool
    entry: IssueRecord
    #: The level of an edition below the full one; None for the full edition (every brief
    #: without editions), whose record keeps the manifest's shape of before.
    edition: str | None = None

    def brief_key(self, key: str) -> str:
        """The brief's key, of the record's key in the manifest (:func:`_edition_key`)."""
        return key.removesuffix(f"#{self.edition}") if self.edition else key

    def files(self) -> list[str]:
        """Its files, relative to the folder they are in."""
        return [f.path for f in self.entry.files.values()]

    def to_json(self) -> dict[str, Any]:
        data = {
            "fingerprint": self.fingerprint,
            "number": list(self.number),
            "registry": self.registry,
            "template": self.template,
            "inputs": self.inputs,
            "restricted": self.restricted,
            "entry": self.entry.to_json(),
        }
        if self.edition is not None:
            data["edition"] = self.edition
        return data

    @classmethod
    def from_json(cls, data: object, where: str) -> _Record:
        """Check every field a build or the catalogue uses; raise :class:`Malformed` if one
        is missing or of the wrong kind."""
        record = json_object(data, where, _RECORD_FIELDS, {"edition"})
        number = record["number"]
        want(
            isinstance(number, list)
            and len(number) == 3
            and isinstance(number[0], str)
            and is_count(number[1], 1)
            and is_count(number[2], 1),
            f"{where}.number",
            "[series, volume, issue]",
        )
        inputs = record["inputs"]
        want(
            isinstance(inputs, dict)
            and all(is_path(k) and isinstance(v, str) for k, v in inputs.items()),
            f"{where}.inputs",
            "an object of file paths and their SHA-256",
        )
        for name in ("registry", "template"):
            want(is_path(record[name]), f"{where}.{name}", "a file path")
        want(isinstance(record["fingerprint"], str), f"{where}.fingerprint", "a string")
        want(isinstance(record["restricted"], bool), f"{where}.restricted", "true or false")
        edition = record.get("edition")
        want(edition is None or edition in TLP_ORDER, f"{where}.edition", "a TLP level or absent")
        return cls(
            record["fingerprint"],
            (number[0], number[1], number[2]),
            record["registry"],
            record["template"],
            inputs,
            record["restricted"],
            IssueRecord.from_json(record["entry"], f"{where}.entry"),
            edition,
        )


@dataclass
class _Manifest:
    records: dict[str, _Record] = field(default_factory=dict)
    #: Fingerprint of what each folder's catalogue, feeds and checksums were last written from
    #: (False: the public folder, True: the restricted one).
    published: dict[bool, str] = field(default_factory=lambda: {False: "", True: ""})
    #: The file's text as loaded: an unchanged manifest is not written again.
    text: str = ""
    #: The digests of files read, remembered with their size and times.
    digests: Digests = field(default_factory=Digests)

    @classmethod
    def load(cls, folder: Path) -> tuple[_Manifest, Diagnostic | None]:
        """The manifest in ``folder``, or an empty one and why the file was not usable (None
        if there is none)."""
        path = folder / MANIFEST_FILE

        def ignored(why: str) -> tuple[_Manifest, Diagnostic]:
            message = f"{why}; every brief is built again"
            return cls(), Diagnostic(path, 0, 0, "", "manifest", message, "warning")

        try:
            raw = read_regular_file(path, _MAX_MANIFEST_BYTES)
            if len(raw) > _MAX_MANIFEST_BYTES:
                raise ValueError(f"larger than {_MAX_MANIFEST_BYTES // 1024 // 1024} MiB")
            text = raw.decode("utf-8")
        except FileNotFoundError:
            return cls(), None
        except NotARegularFileError:
            return ignored("cannot be read (not a regular file)")
        except (OSError, ValueError) as exc:
            return ignored(f"cannot be read ({exc})")
        try:
            return cls._parse(json.loads(text), text), None
        except (ValueError, RecursionError):
            return ignored("not valid JSON")
        except Malformed as exc:
            return ignored(f"not a build manifest: {exc}")

    @classmethod
    def _parse(cls, data: object, text: str) -> _Manifest:
        want(isinstance(data, dict), "the file", "a JSON object")
        assert isinstance(data, dict)
        want(data.get("format") == _MANIFEST_FORMAT, "format", str(_MANIFEST_FORMAT))
        manifest = json_object(
            data, "the file", frozenset({"format", "published", "briefs"}), {"digests"}
        )
        published = json_object(
            manifest["published"], "published", frozenset(_PUBLISHED_KEYS.values())
        )
        for name in _PUBLISHED_KEYS.values():
            want(isinstance(published[name], str), f"published.{name}", "a string")
        briefs = manifest["briefs"]
        want(isinstance(briefs, dict), "briefs", "an object")
        records = {
            key: _Record.from_json(value, f"briefs[{json.dumps(key[:80])}]")
            for key, value in briefs.items()
        }
        for key, record in records.items():
            want(
                record.edition is None or key.endswith(f"#{record.edition}"),
                f"briefs[{json.dumps(key[:80])}]",
                "keyed <brief>#<edition> for an edition",
            )
        return cls(
            records,
            {restricted: published[name] for restricted, name in _PUBLISHED_KEYS.items()},
            text,
            Digests.from_json(manifest.get("digests")),
        )

    def save(self, folder: Path) -> None:
        # The digests of files this build read, and of every input a record names (a build of
        # one brief keeps the others' captures remembered).
        named = {p for record in self.records.values() for p in record.inputs}
        text = json.dumps(
            {
                "format": _MANIFEST_FORMAT,
                "published": {name: self.published[r] for r, name in _PUBLISHED_KEYS.items()},
                "briefs": {key: record.to_json() for key, record in self.records.items()},
                "digests": self.digests.to_json(keep=named),
            },
            indent=1,
            sort_keys=True,
        )
        if text == self.text:
            return
        with contextlib.suppress(OsintkitError):  # a manifest that cannot be saved: rebuild
            write_atomic(folder / MANIFEST_FILE, text.encode())
            self.text = text


_PUBLISHED_KEYS = {False: "public", True: "restricted"}


def _key(path: Path) -> str:
    return os.fspath(path.resolve())


def _edition_key(key: str, plan: _Planned) -> str:
    """The manifest key of one edition of the brief ``key``: the brief's own key for the full
    edition, as before editions existed; ``<key>#CLEAR`` for another."""
    return key if plan.full else f"{key}#{plan.level}"


#: The rule of a failure that is not a brief's own problem, by the error's kind.
_FAILURE_RULES: list[tuple[type[Exception], str]] = [
    (TemplateError, "template"),
    (RenderError, "render"),
    (OutputError, "output"),
]


def _problems(exc: Exception, path: Path) -> list[Diagnostic]:
    """Why ``path`` failed: a brief's own problems, located, or one line for anything else."""
    if isinstance(exc, BriefErrors) and exc.errors:
        return exc.errors
    return [Diagnostic(path, 0, 0, "", *_rule_and_line(exc))]


def _rule_and_line(exc: Exception) -> tuple[str, str]:
    """The rule of a failure that is not a brief's own problem, and its first line."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    rule = next((rule for kind, rule in _FAILURE_RULES if isinstance(exc, kind)), "build")
    return rule, text


def _failed_render(path: Path, why: str) -> Diagnostic:
    """A worker that died rendering ``path`` (killed, out of memory)."""
    return Diagnostic(path, 0, 0, "", "render", f"PDF rendering failed: {why}")


def _plain_text(markdown_text: str, limit: int = 400) -> str:
    """The first paragraph of a Markdown field as plain text, for feeds and the catalogue.

    Citations are left out: a summary has no reference list for their numbers to point to.
    """
    from osintkit.markdown import plain_text

    blocks = [b.strip() for b in markdown_text.strip().split("\n\n")]
    first = next((b for b in blocks if b and not b.startswith("#")), blocks[0])
    text = plain_text(first)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
