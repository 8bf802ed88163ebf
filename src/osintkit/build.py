"""Build a folder of briefs into a site: every report, in parallel, only what changed.

An output is rebuilt when its brief, its series registry, its template's files, a local file
the PDF loaded (an image, a font), osintkit's version or the build options changed. What each
brief was built from is kept in a manifest in the output folder, so an unchanged brief is
skipped without even being parsed: a no-op rebuild reads and hashes files, nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from osintkit import __version__
from osintkit.catalogue import Number, brief_paths, duplicate_numbers, issue_position
from osintkit.errors import BriefError, BriefErrors, OsintkitError
from osintkit.output import write_atomic

if TYPE_CHECKING:
    from osintkit.validation import LoadedBrief

MANIFEST_FILE = ".osintkit-build.json"
#: The checksums of every published file (written by osintkit.site).
CHECKSUMS = "SHA256SUMS"
_MANIFEST_FORMAT = 1

Status = Literal["built", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to build and how."""

    out_dir: Path
    #: Worker processes; 1 renders in this process, one brief after another.
    jobs: int = 1
    #: Publish drafts in the catalogue, feeds and checksums (they are rendered either way).
    drafts: bool = False
    pdf_variant: str | None = None
    registry: Path | None = None
    #: Seconds and MiB one PDF may take (see osintkit.render.pdf.RenderLimits).
    time_limit: float = 60.0
    memory_limit: int = 2048

    def fingerprint(self) -> str:
        """The options that change a report's bytes."""
        return json.dumps({"version": __version__, "variant": self.pdf_variant})


@dataclass
class BuildOutcome:
    """What became of one brief."""

    brief_path: Path
    status: Status
    #: The first problem, for a failed brief.
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The brief's catalogue entry (number, title, date, files), for built and skipped briefs.
    entry: dict[str, Any] | None = None


@dataclass
class BuildResult:
    """Every brief's outcome, or the catalogue problems that stopped the build."""

    outcomes: list[BuildOutcome] = field(default_factory=list)
    #: Numbers given twice: found before anything is built, and nothing is.
    problems: list[BriefError] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[BuildOutcome]:
        """The briefs that could not be built."""
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass
class _Pending:
    path: Path
    number: Number
    fingerprint: str
    registry_path: Path
    template_folder: Path
    #: The brief as validated here, so the worker does not parse and validate it again.
    loaded: LoadedBrief


def build(
    sources: Sequence[Path],
    options: BuildOptions,
    on_outcome: Callable[[BuildOutcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build every brief of ``sources`` (files or folders) into ``options.out_dir``.

    ``on_start`` is told how many briefs will be rendered, ``on_outcome`` each brief's outcome
    as it comes (skipped ones first). One broken brief does not stop the others. Two briefs
    with the same number stop the build before anything is written. On Ctrl-C, the briefs
    built so far are kept and recorded, and KeyboardInterrupt is raised again. Raises
    :class:`BriefErrors` for a folder without briefs.
    """
    report = on_outcome or (lambda outcome: None)
    paths = brief_paths(sources)
    manifest = _Manifest.load(options.out_dir)
    hashes = _Hashes()
    result = BuildResult()
    numbers: dict[Path, Number] = {}
    pending: list[_Pending] = []

    for path in paths:
        key = _key(path)
        old = manifest.entries.get(key)
        if old is not None and _unchanged(path, old, options, hashes):
            numbers[path] = tuple(old["number"])
            result.outcomes.append(BuildOutcome(path, "skipped", entry=old["entry"]))
            continue
        try:
            pending.append(_prepare(path, options, hashes))
        except (BriefErrors, OsintkitError) as exc:
            manifest.entries.pop(key, None)
            result.outcomes.append(BuildOutcome(path, "failed", message=_first_line(exc, path)))
            continue
        numbers[path] = pending[-1].number

    result.problems = duplicate_numbers(numbers, issue_position)
    if result.problems:
        return result
    for outcome in result.outcomes:
        report(outcome)
    if on_start is not None:
        on_start(len(pending))

    try:
        for item, outcome in _render_all(pending, options):
            result.outcomes.append(outcome)
            key = _key(item.path)
            if outcome.status == "built" and outcome.entry is not None:
                manifest.entries[key] = {
                    "fingerprint": item.fingerprint,
                    "number": list(item.number),
                    "registry": str(item.registry_path),
                    "template": str(item.template_folder),
                    "inputs": {
                        p: hashes.file(Path(p)) for p in outcome.entry.pop("files_read", [])
                    },
                    "entry": outcome.entry,
                }
            else:
                manifest.entries.pop(key, None)
            report(outcome)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        manifest.keep_only({_key(p) for p in paths})
        manifest.save(options.out_dir)
        _sweep(options.out_dir)
    _publish(manifest, options, hashes)
    manifest.save(options.out_dir)
    return result


def _publish(manifest: _Manifest, options: BuildOptions, hashes: _Hashes) -> None:
    """Write the catalogue, feeds and checksums, unless nothing they show has changed."""
    entries = [manifest.entries[key]["entry"] for key in sorted(manifest.entries)]
    registries = sorted({manifest.entries[key]["registry"] for key in manifest.entries})
    state = json.dumps(
        {
            "entries": entries,
            "drafts": options.drafts,
            "registries": [hashes.file(Path(r)) for r in registries],
            "version": __version__,
        },
        sort_keys=True,
    )
    fingerprint = hashlib.sha256(state.encode()).hexdigest()
    if fingerprint == manifest.published and (options.out_dir / CHECKSUMS).is_file():
        return
    from osintkit.site import publish
    from osintkit.validation import load_registry

    series = {}
    for registry in registries:
        series.update(load_registry(Path(registry)))
    publish(options.out_dir, entries, series, drafts=options.drafts)
    manifest.published = fingerprint


def _sweep(out_dir: Path) -> None:
    """Remove what killed workers left half-written: temporaries of dead processes."""
    from osintkit.output import remove_stale_temporaries

    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
        for folder in out_dir.iterdir():
            if folder.is_dir():
                remove_stale_temporaries(folder)


def _render_all(
    pending: list[_Pending], options: BuildOptions
) -> Any:  # Iterator[tuple[_Pending, BuildOutcome]]
    if options.jobs <= 1 or len(pending) <= 1:
        for item in pending:
            yield item, _render_one(item.loaded, options)
        return
    import multiprocessing

    # fork: workers inherit the warmed-up interpreter (imports, fonts) instead of starting cold.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=min(options.jobs, len(pending)),
        mp_context=context,
        initializer=_warm_up,
        initargs=(options.time_limit, options.memory_limit),
    ) as pool:
        futures: dict[Future[BuildOutcome], _Pending] = {
            pool.submit(_render_one, item.loaded, options): item for item in pending
        }
        try:
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            # Ctrl-C or an error here: stop now, not after the renders under way. Killed
            # workers' render children die with them (PDEATHSIG); the temporaries they may
            # leave are swept by the caller.
            for process in list(pool._processes.values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _warm_up(time_limit: float, memory_limit: int) -> None:
    """Start the worker's render child, which pays WeasyPrint's import and font set-up once
    for all the worker's briefs, while the worker loads its first brief."""
    import signal

    # Ctrl-C goes to the whole process group; the parent stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from osintkit.render.pdf import RenderLimits, start_renderer

    start_renderer(RenderLimits(time_limit, memory_limit))


def _render_one(loaded: LoadedBrief, options: BuildOptions) -> BuildOutcome:
    """Render one validated brief into the site; never raises for a failed render."""
    from osintkit.render.pdf import RenderLimits
    from osintkit.report import render_report, template_for

    path = loaded.path
    started = time.perf_counter()
    try:
        out_dir = options.out_dir / loaded.brief.series
        limits = RenderLimits(options.time_limit, options.memory_limit)
        rendered = render_report(
            loaded,
            out_dir,
            template=template_for(loaded),
            limits=limits,
            pdf_variant=options.pdf_variant,
        )
    except (BriefErrors, OsintkitError) as exc:
        return BuildOutcome(
            path, "failed", message=_first_line(exc, path), seconds=time.perf_counter() - started
        )
    brief = loaded.brief
    files = {
        written.kind: {
            "path": written.path.relative_to(options.out_dir).as_posix(),
            "size": written.size,
            "sha256": hashlib.sha256(written.path.read_bytes()).hexdigest(),
            **({"pages": written.pages} if written.pages is not None else {}),
        }
        for written in rendered.files
    }
    entry = {
        "series": brief.series,
        "volume": brief.volume,
        "issue": brief.issue,
        "title": brief.title,
        "subtitle": brief.subtitle,
        "date": brief.date.isoformat(),
        "language": brief.language,
        "status": brief.status,
        "tlp": brief.tlp or loaded.series.tlp,
        "authors": list(brief.authors),
        "keywords": list(brief.keywords),
        "summary": _plain_text(brief.executive_summary),
        "brief": path.name,
        "files": files,
        "files_read": [str(p) for p in rendered.files_read],
    }
    return BuildOutcome(
        path,
        "built",
        warnings=rendered.warnings,
        seconds=time.perf_counter() - started,
        entry=entry,
    )


def _prepare(path: Path, options: BuildOptions, hashes: _Hashes) -> _Pending:
    """Validate a brief that needs building and fingerprint what it is built from."""
    from osintkit.report import template_for
    from osintkit.validation import load_brief

    loaded = load_brief(path, options.registry)
    template = template_for(loaded)
    fingerprint = _fingerprint(path, loaded.registry_path, template.folder, options, hashes)
    number = (loaded.brief.series, loaded.brief.volume, loaded.brief.issue)
    return _Pending(path, number, fingerprint, loaded.registry_path, template.folder, loaded)


def _fingerprint(
    brief: Path, registry: Path, template: Path, options: BuildOptions, hashes: _Hashes
) -> str:
    # The whole registry file, not only the brief's entry: reading the entry would mean
    # parsing YAML on the no-op path; a registry changes seldom.
    parts = [
        options.fingerprint(),
        hashes.file(brief),
        hashes.file(registry),
        hashes.folder(template),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _unchanged(path: Path, old: dict[str, Any], options: BuildOptions, hashes: _Hashes) -> bool:
    try:
        registry, template = Path(old["registry"]), Path(old["template"])
        if options.registry is not None and options.registry.resolve() != registry.resolve():
            return False
        if _fingerprint(path, registry, template, options, hashes) != old["fingerprint"]:
            return False
        if any(hashes.file(Path(p)) != digest for p, digest in old["inputs"].items()):
            return False
        for written in old["entry"]["files"].values():
            output = options.out_dir / written["path"]
            if output.stat().st_size != written["size"]:
                return False
    except (KeyError, TypeError, OSError, ValueError):
        return False
    return True


class _Hashes:
    """SHA-256 of files and template folders, each read once per build."""

    def __init__(self) -> None:
        self._files: dict[Path, str] = {}
        self._folders: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._files:
            try:
                self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._files[path] = "missing"
        return self._files[path]

    def folder(self, folder: Path) -> str:
        if folder not in self._folders:
            digest = hashlib.sha256()
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(self.file(path).encode())
            self._folders[folder] = digest.hexdigest()
        return self._folders[folder]


@dataclass
class _Manifest:
    entries: dict[str, dict[str, Any]]
    #: Fingerprint of what the catalogue, feeds and checksums were last written from.
    published: str = ""
    #: The file's text as loaded: an unchanged manifest is not written again.
    text: str = ""

    @classmethod
    def load(cls, out_dir: Path) -> _Manifest:
        try:
            text = (out_dir / MANIFEST_FILE).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, ValueError):
            return cls({})
        if not isinstance(data, dict) or data.get("format") != _MANIFEST_FORMAT:
            return cls({})
        entries = data.get("briefs")
        published = data.get("published")
        return cls(
            entries if isinstance(entries, dict) else {},
            published if isinstance(published, str) else "",
            text,
        )

    def keep_only(self, keys: set[str]) -> None:
        for key in list(self.entries):
            if key not in keys:
                del self.entries[key]

    def save(self, out_dir: Path) -> None:
        text = json.dumps(
            {"format": _MANIFEST_FORMAT, "published": self.published, "briefs": self.entries},
            indent=1,
            sort_keys=True,
        )
        if text == self.text:
            return
        with contextlib.suppress(OsintkitError):  # a manifest that cannot be saved: rebuild
            write_atomic(out_dir / MANIFEST_FILE, text.encode())
            self.text = text


def _key(path: Path) -> str:
    return os.fspath(path.resolve())


def _first_line(exc: Exception, path: Path) -> str:
    """The first problem, located: ``path:line:col: field: message`` for a brief's own."""
    if isinstance(exc, BriefErrors) and exc.errors:
        first = str(exc.errors[0])
        more = exc.count - 1
        return first + (f" (and {more} more)" if more else "")
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{path}: {text}"


def _plain_text(markdown_text: str, limit: int = 400) -> str:
    """The first paragraph of a Markdown field as plain text, for feeds and the catalogue."""
    import html

    import nh3

    from osintkit.markdown import render_markdown

    blocks = [b.strip() for b in markdown_text.strip().split("\n\n")]
    first = next((b for b in blocks if b and not b.startswith("#")), blocks[0])
    text = html.unescape(nh3.clean(str(render_markdown(first)), tags=set()))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
