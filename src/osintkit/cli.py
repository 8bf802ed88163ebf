"""The ``osintkit`` command line: parse options, call the core, print with Rich.

Exit codes: 0 success, 1 invalid input or a failed render, 2 usage error (Typer's own).
The core is imported inside each command so that ``--help`` stays fast.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from osintkit import __version__
from osintkit.diagnostics import FORMATTERS, RULES, summary
from osintkit.errors import printable
from osintkit.output import FORMATS, PdfVariant
from osintkit.tradecraft import is_public

if TYPE_CHECKING:
    from osintkit.catalogue import Catalogue
    from osintkit.errors import BriefErrors, Diagnostic
    from osintkit.validation import LoadedBrief


class _Terminal(Console):
    """A Rich console that makes every string printable before it renders it.

    Rich turns each string it prints into text here, table cells and titles included, so no
    file name, brief text or message can reach the terminal with a control sequence (an OSC
    that retitles it, a CSI) or a bidi override that reverses the rest of the line, even from
    a call that forgot :func:`_shown`.
    """

    def render_str(self, text: str, **options: Any) -> Text:
        """Return ``text`` rendered by Rich, its unprintable characters escaped first."""
        return super().render_str(printable(text), **options)


class _PrintableStream(io.TextIOBase):
    """A text stream that escapes what Typer writes to it, line by line (see _Commands)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with each line made printable; return the characters given."""
        self._stream.write("\n".join(printable(line) for line in text.split("\n")))
        return len(text)

    def flush(self) -> None:
        """Flush the stream written to."""
        self._stream.flush()

    def isatty(self) -> bool:
        """Whether the stream written to is a terminal (Typer colours only then)."""
        return self._stream.isatty()


class _Commands(TyperGroup):
    """The command group, printing Typer's own usage errors through printable() as well.

    Those quote the command line ("No such option: …", "Got unexpected extra argument(s)"),
    and an argument can be a file name a shell glob picked up.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line, as Typer does, with usage errors escaped."""
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            result = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.Abort:
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        except Exception as exc:
            # Click's own exceptions (usage errors): Typer vendors Click, so their classes are
            # not public; each knows how to show itself and its exit code.
            show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
            if not callable(show) or not isinstance(code, int):
                raise
            show(_PrintableStream(sys.stderr))
            sys.exit(code)
        sys.exit(result if isinstance(result, int) else 0)


app = typer.Typer(
    name="osintkit",
    cls=_Commands,
    help="Validate OSINT briefs (YAML + Markdown) and render them as numbered series reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help panels cost about 100 ms of every --help and usage error.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# No emoji codes: ":pwn:" in a file name stays as written.
out = _Terminal(highlight=False, soft_wrap=True, emoji=False)
err = _Terminal(stderr=True, highlight=False, soft_wrap=True, emoji=False)

REFERENCE_BRIEF = "persian-files-29-2.yaml"


def _format(value: str) -> str:
    # The choices come from output.FORMATS, so a new format needs no change here.
    if value != "all" and value not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)} or all, not {value!r}")
    return value


#: The TLP levels an edition may be asked for, in order (tradecraft.TLP_ORDER, which this
#: module does not import for --help's sake).
_EDITIONS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


def _edition(value: str | None) -> str | None:
    if value is None:
        return None
    level = value.strip().upper()
    if level.startswith("TLP:"):
        level = level[4:]
    if level not in _EDITIONS:
        raise typer.BadParameter(f"must be one of {', '.join(_EDITIONS)}, not {value!r}")
    return level


def _version(value: bool) -> None:
    if value:
        out.print(f"osintkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Validate OSINT briefs (YAML + Markdown) and render them as numbered series reports."""


PdfVariantOption = Annotated[
    PdfVariant | None,
    typer.Option(
        "--pdf-variant", help="Write PDF/A-3 or PDF/UA-1, with the brief attached to the PDF."
    ),
]

#: A day: past that a "limit" is no limit, and the pipe's poll() overflows near 1e9 s.
MAX_TIME_LIMIT = 86_400.0
#: 1 TiB: setrlimit() takes bytes in 64 bits, and no render needs more.
MAX_MEMORY_LIMIT = 1024 * 1024


def _finite_seconds(value: float) -> float:
    # click's FloatRange lets NaN through (every comparison with it is false).
    if value != value:
        raise typer.BadParameter("must be a number of seconds, not nan")
    return value


TimeLimitOption = Annotated[
    float,
    typer.Option(
        "--time-limit",
        min=1,
        max=MAX_TIME_LIMIT,
        callback=_finite_seconds,
        help="Seconds one PDF may take before it is stopped.",
    ),
]
MemoryLimitOption = Annotated[
    int,
    typer.Option(
        "--memory-limit",
        min=64,
        max=MAX_MEMORY_LIMIT,
        help="MiB of memory one PDF render may use.",
    ),
]


def _diagnostic_format(value: str) -> str:
    # The choices come from diagnostics.FORMATTERS: a new format needs no change here.
    if value not in FORMATTERS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATTERS)}, not {value!r}")
    return value


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        callback=_diagnostic_format,
        help=f"How problems are printed: {', '.join(FORMATTERS)} (JSON lines, SARIF 2.1.0, "
        "GitHub workflow commands).",
    ),
]

RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--registry", help="The series registry (default: nearest series.yaml above each brief)."
    ),
]


@app.command()
def validate(
    briefs: Annotated[list[Path], typer.Argument(help="Brief files, or folders of briefs.")],
    registry: RegistryOption = None,
    output_format: FormatOption = "text",
    editions: Annotated[
        bool,
        typer.Option(
            "--editions",
            help="Also list, for each edition a brief is released in, the portions it keeps "
            "and removes, with their lines.",
        ),
    ] = False,
) -> None:
    """Check briefs against the schema and the series registry; list every problem.

    Briefs checked together are a catalogue: two with one series/volume/issue are an error,
    a hole in a volume's numbering a warning.
    """
    catalogue = _load_catalogue(briefs, registry, output_format)
    duplicated = {problem.path for problem in catalogue.problems}
    if editions:
        catalogue.problems.extend(_print_editions(catalogue.briefs, output_format))
    if output_format == "text":
        for item in catalogue.briefs:
            if item.path in duplicated:
                continue
            b = item.brief
            out.print(
                f"[green]✓[/] {_shown(item.path)}  "
                f"[dim]{_shown(item.series.title)}, Volume {b.volume}, Issue {b.issue}[/]"
            )
    problems = [e for f in catalogue.failures for e in f.errors] + catalogue.problems
    _print_diagnostics(problems + catalogue.warnings, output_format, RULES, err)
    if not catalogue.ok:
        valid = len(catalogue.briefs) - len(duplicated)
        files = len(catalogue.briefs) + len(catalogue.failures)
        err.print(f"[red]{summary(problems, files)}[/] ({valid} valid)")
        raise typer.Exit(1)


@app.command()
def render(
    briefs: Annotated[
        list[Path] | None,
        typer.Argument(
            help=f"Brief files or folders (default: the reference brief {REFERENCE_BRIEF})."
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            callback=_format,
            help=f"Which files to write: {', '.join(FORMATS)} or all.",
        ),
    ] = "all",
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the output files.")
    ] = Path("out"),
    template: Annotated[
        str | None,
        typer.Option("--template", "-t", help="Template name or folder (default: the series')."),
    ] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the result in the browser.")] = False,
    registry: RegistryOption = None,
    time_limit: TimeLimitOption = 60.0,
    memory_limit: MemoryLimitOption = 2048,
    pdf_variant: PdfVariantOption = None,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            callback=_edition,
            help="Render the edition for this TLP level (CLEAR, GREEN …): the portions marked "
            "above it removed, and the result checked for any of their text. Files are named "
            "<brief>.clear.pdf …; the brief's own TLP is the full edition, named as without.",
        ),
    ] = None,
    attach_evidence: Annotated[
        bool,
        typer.Option(
            "--attach-evidence",
            help="Attach every capture of the sources to the PDF as its associated source "
            "files, each read and checked against its SHA-256 (needs --pdf-variant pdf/a-3b).",
        ),
    ] = False,
    attach_limit: Annotated[
        int,
        typer.Option(
            "--attach-limit",
            min=1,
            max=MAX_MEMORY_LIMIT,
            help="MiB the attached captures of one report may take in all (default 50); "
            "more is an error, not a silent drop.",
        ),
    ] = 50,
) -> None:
    """Render briefs to PDF and HTML. Nothing is written unless every brief is valid."""
    from osintkit.errors import OsintkitError
    from osintkit.render.pdf import start_renderer
    from osintkit.render.sandbox import RenderLimits

    _check_environment()
    limits = RenderLimits(seconds=time_limit, memory_mib=memory_limit)
    formats = FORMATS if format == "all" else (format,)
    if attach_evidence and pdf_variant not in (PdfVariant.pdf_a_3b, PdfVariant.pdf_a_3u):
        from osintkit.report import EVIDENCE_VARIANT_NEEDED

        raise typer.BadParameter(EVIDENCE_VARIANT_NEEDED, param_hint="'--attach-evidence'")
    if (attach_evidence or pdf_variant) and "pdf" not in formats:
        # Both shape the PDF alone: with no PDF written, they would be ignored in silence.
        option = "--attach-evidence" if attach_evidence else "--pdf-variant"
        raise typer.BadParameter(f"{option} makes a PDF, but --format {format} writes none")
    try:
        # Inside the try: a Ctrl-C held back while the child was forked arrives as it starts.
        if "pdf" in formats:
            start_renderer(limits)  # warms up on another core while the briefs are checked
        from osintkit.report import render_brief, template_for, write_report

        paths = _expand(briefs) if briefs else [_reference_brief()]
        loaded, failures = _load_all(paths, registry)
    except KeyboardInterrupt:
        # The render child may already be up (started first, above): Ctrl-C can come here.
        err.print("[red]interrupted[/] while checking the briefs; nothing was written")
        raise typer.Exit(130) from None
    if edition is not None:
        failures.extend(_edition_problems(loaded, edition))
    if failures:
        _fail_summary(failures, len(loaded), nothing_written=True)
    _check_distinct_outputs(loaded, edition)

    failed = 0
    last = None
    for item in loaded:
        try:
            rendered = render_brief(
                item,
                formats=formats,
                template=template_for(item, template),
                limits=limits,
                pdf_variant=pdf_variant,
                edition=edition,  # type: ignore[arg-type]  # checked by _edition
                attach_evidence=attach_evidence,
                attach_limit_mib=attach_limit,
            )
            files = write_report(rendered, out_dir)
        except KeyboardInterrupt:
            # Files are replaced whole or not at all: what is there is a complete report.
            err.print(
                f"[red]interrupted[/] while rendering {_shown(item.path)}; its files are unchanged"
            )
            raise typer.Exit(130) from None
        except OsintkitError as exc:
            failed += 1
            err.print(f"[red]error:[/] {_shown(f'{item.path}: {exc}')}")
            continue
        for warning in rendered.warnings:
            err.print(f"[yellow]warning:[/] {_shown(f'{item.path}: {warning}')}")
        for written in files:
            count = written.pages
            pages = f"{count} page{'s' * (count != 1)}, " if count is not None else ""
            where = _shown(written.path)
            out.print(f"[green]wrote[/] {where}  [dim]({pages}{_size(written.size)})[/]")
        summary = f"{item.path}: template {rendered.template.name}, {rendered.seconds:.2f} s"
        out.print(f"[dim]{_shown(summary)}[/]")
        last = files
    if open_ and last:
        target = next((f.path for f in last if f.kind == "html"), last[0].path)
        import webbrowser

        webbrowser.open(target.resolve().as_uri())
    if failed:
        raise typer.Exit(1)


def _export_format(value: str) -> str:
    # The choices come from exports.EXPORTERS, imported only when `export` runs: --help and
    # every other command do not load the exporters.
    from osintkit.exports import EXPORTERS

    if value != "all" and value not in EXPORTERS:
        raise typer.BadParameter(f"must be one of {', '.join(EXPORTERS)} or all, not {value!r}")
    return value


@app.command()
def export(
    briefs: Annotated[list[Path], typer.Argument(help="Brief files, or folders of briefs.")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            callback=_export_format,
            help="Which export to write: stix (a STIX 2.1 bundle), misp (a MISP event), csl "
            "(CSL-JSON of the sources), evidence (the evidence register) or all.",
        ),
    ] = "all",
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the output files.")
    ] = Path("out"),
    registry: RegistryOption = None,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            callback=_edition,
            help="Export the edition for this TLP level (CLEAR, GREEN …), as render --edition: "
            "the portions marked above it removed, the result checked for any of their text. "
            "Files are named <brief>.clear.stix.json …",
        ),
    ] = None,
) -> None:
    """Export briefs as STIX 2.1, MISP event and CSL-JSON files (<brief>.stix.json …).

    Nothing is written unless every brief is valid and every export was made.
    """
    from osintkit.errors import OsintkitError
    from osintkit.exports import EXPORTERS, Exported, export_brief
    from osintkit.output import output_path, write_all_atomic

    names = list(EXPORTERS) if to == "all" else [to]
    loaded, failures = _load_all(_expand(briefs), registry)
    if edition is not None:
        failures.extend(_edition_problems(loaded, edition))
    if failures:
        _fail_summary(failures, len(loaded), nothing_written=True)
    _check_distinct_outputs(loaded, edition)
    made: list[tuple[Path, Exported]] = []
    failed = 0
    for item in loaded:
        try:
            exported = export_brief(item, edition, names)  # type: ignore[arg-type]  # _edition
        except OsintkitError as exc:
            failed += 1
            err.print(f"[red]error:[/] {_shown(f'{item.path}: {exc}')}")
            continue
        made.extend(
            (output_path(e.brief_path, out_dir, e.exporter.suffix.removeprefix(".")), e)
            for e in exported
        )
        for name in sorted(set(names) - {e.exporter.name for e in exported}, key=names.index):
            out.print(f"[dim]{_shown(f'{item.path}: nothing to export as {name}')}[/]")
    if failed:
        err.print(
            f"[red]{failed} of {len(loaded)} briefs could not be exported[/]; nothing was written"
        )
        raise typer.Exit(1)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_all_atomic([(path, e.data) for path, e in made])
    except OSError as exc:
        _die(f"cannot write to {out_dir}: {exc.strerror or exc}")
    except OsintkitError as exc:
        _die(str(exc))
    for path, e in made:
        out.print(f"[green]wrote[/] {_shown(path)}  [dim]({_size(len(e.data))})[/]")


@app.command()
def build(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders of briefs, or brief files (default: briefs/)."),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="The public site folder to build into.")
    ] = Path("site"),
    restricted_out: Annotated[
        Path | None,
        typer.Option(
            "--restricted-out",
            help="Folder for TLP:AMBER, AMBER+STRICT and RED reports, and drafts unless "
            "--drafts; never inside --out (default: OUT-restricted beside it).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: every core)."),
    ] = None,
    drafts: Annotated[
        bool, typer.Option("--drafts", help="Publish drafts in the public site too.")
    ] = False,
    no_wait: Annotated[
        bool,
        typer.Option(
            "--no-wait", help="Exit 1 at once if another build holds the folders; do not wait."
        ),
    ] = False,
    pdf_variant: PdfVariantOption = None,
    registry: RegistryOption = None,
    time_limit: TimeLimitOption = 60.0,
    memory_limit: MemoryLimitOption = 2048,
    output_format: FormatOption = "text",
) -> None:
    """Render every brief into a site with its catalogue, feeds and SHA256SUMS.

    Reports marked TLP:AMBER, AMBER+STRICT or RED, and drafts unless --drafts, are written
    only to the restricted folder, which has a catalogue of its own. Only briefs whose inputs
    changed are rendered again. One broken brief does not stop the others; two briefs with
    the same number stop the build before anything is written.
    """
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from osintkit.build import BuildOptions, BuildOutcome, FolderConflict, FolderError
    from osintkit.build import build as run_build
    from osintkit.errors import BriefErrors, OsintkitError
    from osintkit.render.sandbox import RenderLimits

    _check_environment()
    # The cores this process may use: a container or taskset may allow fewer than exist.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    options = BuildOptions(
        out_dir=out_dir,
        restricted_dir=restricted_out,
        jobs=jobs or cores or 1,
        drafts=drafts,
        pdf_variant=pdf_variant,
        registry=registry,
        limits=RenderLimits(seconds=time_limit, memory_mib=memory_limit),
        wait=not no_wait,
    )
    progress = Progress(
        TextColumn("[bold]building[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}"), console=err, transient=True,
    )  # fmt: skip
    task = progress.add_task("", total=None)

    def started(count: int) -> None:
        progress.update(task, total=count)
        # Not into a pipe or a log: stopping it there prints an empty line.
        if count and err.is_terminal:
            progress.start()

    def stop_progress() -> None:
        if progress.live.is_started:
            progress.stop()

    def finished(outcome: BuildOutcome) -> None:
        if outcome.status != "skipped":
            # Rich renders a progress column from markup itself, past the console's own check.
            progress.update(task, advance=1, description=_shown(outcome.brief_path.name))
        for warning in outcome.warnings:
            line = f"{outcome.brief_path}: {warning}"
            progress.console.print(f"[yellow]warning:[/] {_shown(line)}")

    def waiting(folder: Path) -> None:
        err.print(f"waiting for another build of {_shown(folder)} to finish")

    # A tool's format is one document (SARIF) or one stream: what comes up during the build
    # waits for the end. A person reads a warning at once, before a long build.
    noted: list[Diagnostic] = []

    def warned(diagnostic: Diagnostic) -> None:
        if output_format == "text":
            _print_diagnostics([diagnostic], output_format, RULES, progress.console)
        else:
            noted.append(diagnostic)

    def report(problems: list[Diagnostic]) -> None:
        _print_diagnostics(noted + problems, output_format, RULES, err)

    try:
        result = run_build(sources or [Path("briefs")], options, finished, started, waiting, warned)
    except FolderError as exc:
        stop_progress()
        report([exc.diagnostic])
        raise typer.Exit(2 if isinstance(exc, FolderConflict) else 1) from None
    except BriefErrors as exc:
        report(exc.errors)
        raise typer.Exit(1) from None
    except OsintkitError as exc:  # build() makes its own FolderErrors; anything else, one line
        stop_progress()
        if noted:
            report([])
        err.print(f"[red]error:[/] {_shown(exc)}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        stop_progress()
        if noted:  # a build cut short has no SARIF run to give, only what it noted
            report([])
        err.print("[red]interrupted[/]: the briefs built so far are kept; run build again")
        raise typer.Exit(130) from None
    finally:
        stop_progress()
    if result.problems:
        report(result.problems)
        files = len({p.path for p in result.problems})
        clash = any(p.rule == "output" for p in result.problems)
        what = "numbers or report names" if clash else "numbers"
        err.print(
            f"[red]{what} given twice[/] ({summary(result.problems, files)}); nothing was built"
        )
        raise typer.Exit(1)
    table = Table(box=None, pad_edge=False)
    table.add_column("brief", overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_column("to", overflow="fold")
    table.add_column("time", no_wrap=True, justify="right")
    style = {"built": "green", "skipped": "dim", "failed": "red"}
    outcomes = sorted(result.outcomes, key=lambda o: str(o.brief_path))
    for outcome in outcomes:
        seconds = f"{outcome.seconds:.2f} s" if outcome.status == "built" else ""
        status = f"[{style[outcome.status]}]{outcome.status}[/]"
        if outcome.restricted is None:
            where = ""
        elif outcome.restricted:
            where = f"[yellow]restricted[/] → {_shown(outcome.folder)}"
        else:
            where = "public"
        for edition in outcome.editions:
            public = is_public(edition.tlp, edition.status, options.drafts)
            where += f"; TLP:{edition.tlp} edition " + ("public" if public else "restricted")
        table.add_row(_shown(outcome.brief_path), status, where, seconds)
    # Past the table, one line each: a table column would cut the file:line:col off. With a
    # --format for tools, standard output holds their diagnostics only.
    (out if output_format == "text" else err).print(table)
    problems = [p for o in outcomes for p in o.problems]
    report(problems + ([result.error] if result.error else []))
    counts = {
        s: sum(o.status == s for o in result.outcomes) for s in ("built", "skipped", "failed")
    }
    restricted_index = ""
    if any(o.restricted and o.status != "failed" for o in result.outcomes):
        restricted_index = f", restricted → {_shown(options.restricted_out)}/index.html"
    (out if output_format == "text" else err).print(
        f"{counts['built']} built, {counts['skipped']} unchanged, {counts['failed']} failed "
        f"→ {_shown(out_dir)}/index.html{restricted_index}"
    )
    if result.failed or result.error:
        raise typer.Exit(1)


@app.command()
def lint(
    briefs: Annotated[list[Path], typer.Argument(help="Brief files, or folders of briefs.")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on any finding, not only on errors.")
    ] = False,
    registry: RegistryOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Check tradecraft: uncited sources and paragraphs, vague hedges, contradicted
    probabilities, dates after the brief's. Switch rules off with `lint: {disable: [...]}`
    in a brief or a series."""
    from osintkit.lint import RULES as LINT_RULES
    from osintkit.lint import lint_brief, unknown_rules

    catalogue = _load_catalogue(briefs, registry, output_format)
    problems = [e for f in catalogue.failures for e in f.errors]
    findings = []
    for item in catalogue.briefs:
        for name in unknown_rules(item):
            line = f"{item.path}: no lint rule {name!r} to switch off"
            err.print(f"[yellow]warning:[/] {_shown(line)}")
        findings.extend(lint_brief(item))
    rules = {**RULES, **LINT_RULES}
    if output_format == "text":
        # As before: a brief that failed to load on standard error, findings on standard output.
        _print_diagnostics(problems, output_format, rules, err)
        _print_diagnostics(findings, output_format, rules, out)
    else:
        _print_diagnostics(problems + findings, output_format, rules, out)
    files = len(catalogue.briefs) + len(catalogue.failures)
    (out if output_format == "text" else err).print(
        f"{summary(problems + findings, files)} ({len(LINT_RULES)} rules)"
    )
    if catalogue.failures or (strict and findings):
        raise typer.Exit(1)


@app.command()
def new(
    series: Annotated[
        str, typer.Option("--series", "-s", help="The series key, e.g. persian-files.")
    ],
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
    volume: Annotated[
        int | None,
        typer.Option("--volume", min=1, help="Volume (default: the series' latest, or 1)."),
    ] = None,
    folder: Annotated[
        Path, typer.Option("--folder", help="Where briefs and series.yaml live.")
    ] = Path("briefs"),
    language: Annotated[str, typer.Option("--language", help="BCP 47 language tag.")] = "en",
) -> None:
    """Start the next issue of a series: a draft brief with every section to fill in."""
    from osintkit.errors import BriefErrors, OsintkitError
    from osintkit.scaffold import DraftValueError, new_brief

    try:
        created = new_brief(folder, series, title=title, volume=volume, language=language)
    except DraftValueError as exc:
        # A value no brief can hold is a bad option value: a usage error, as Typer's own are.
        raise typer.BadParameter(exc.reason, param_hint=f"'{exc.option}'") from None
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None
    except OsintkitError as exc:
        _die(str(exc))
    out.print(f"[green]wrote[/] {_shown(created.path)}  [dim]{_shown(created.description)}[/]")


@app.command()
def schema(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the schema files into.")
    ] = Path("briefs"),
) -> None:
    """Write the JSON Schemas of a brief and of the series registry, for editors."""
    from osintkit.errors import OsintkitError
    from osintkit.scaffold import write_schemas

    try:
        written = write_schemas(out_dir)
    except OsintkitError as exc:
        _die(str(exc))
    for path in written:
        out.print(f"[green]wrote[/] {_shown(path)}")


@app.command()
def preview(
    brief: Annotated[Path, typer.Argument(help="The brief to preview.")],
    port: Annotated[
        int,
        typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one)."),
    ] = 0,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Print the URL but do not open the browser.")
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Preview the paginated PDF instead of the HTML page.")
    ] = False,
    template: Annotated[
        str | None,
        typer.Option("--template", "-t", help="Template name or folder (default: the series')."),
    ] = None,
    registry: RegistryOption = None,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            callback=_edition,
            help="Preview the edition for this TLP level (CLEAR, GREEN …), as render --edition.",
        ),
    ] = None,
) -> None:
    """Serve a live preview on 127.0.0.1 that reloads on every save; Ctrl-C stops it (exit 0).

    The brief, its series registry, the template and the files the report loads are watched.
    A save that breaks the brief shows its problems over the last good report.
    """
    import datetime as dt

    from osintkit.preview import Build, PreviewServer, PreviewSession, rebuild_on_change

    def report(build: Build) -> None:
        now = f"[dim]{dt.datetime.now():%H:%M:%S}[/]"
        names = _shown(", ".join(dict.fromkeys(p.name for p in build.changed)))
        cause = f"  [dim]← {names}[/]" if build.changed else ""
        if build.ok:
            n = build.pages
            pages = f"{n} page{'s' * (n != 1)}, " if n is not None else ""
            verb = "rebuilt" if build.changed else "built"
            out.print(
                f"{now} [green]{verb}[/] {_shown(brief.name)} "
                f"[dim]({pages}{build.seconds:.2f} s)[/]{cause}"
            )
        else:
            count = len(build.errors)
            out.print(
                f"{now} [red]{count} problem{'s' * (count != 1)}[/] in {_shown(brief.name)}, "
                f"shown in the page{cause}"
            )
            for line in build.errors:
                err.print(line, markup=False)
        for warning in build.warnings:
            err.print(f"[yellow]warning:[/] {_shown(warning)}")

    _check_environment()
    session = PreviewSession(
        brief,
        registry=registry,
        template=template,
        pdf=pdf,
        edition=edition,  # type: ignore[arg-type]  # checked by _edition
    )
    try:
        report(session.rebuild())
        try:
            server = PreviewServer(session, port)
        except OSError as exc:
            _die(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}")
        with server:
            out.print(f"previewing {_shown(brief)} at {server.url}  [dim](Ctrl-C to stop)[/]")
            if not no_open:
                import webbrowser

                webbrowser.open(server.url)
            rebuild_on_change(session, report)
    except KeyboardInterrupt:
        # Ctrl-C is how a preview ends: nothing is left half-done, so it is a success.
        out.print("[dim]preview stopped[/]")


@app.command()
def templates() -> None:
    """List the report templates that ship with osintkit."""
    from rich.table import Table

    from osintkit.errors import OsintkitError
    from osintkit.templates import list_templates

    try:
        rows = [
            (item.name, ", ".join(item.languages()), str(item.folder), item.description)
            for item in list_templates()
        ]
    except OsintkitError as exc:
        _die(str(exc))
    table = Table("name", "languages", "folder", "description", box=None, pad_edge=False)
    for row in rows:
        table.add_row(*map(_shown, row))
    out.print(table)


evidence_app = typer.Typer(
    help="Preserved captures of a brief's sources: add them, verify them on disk.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(evidence_app, name="evidence")


def _instant_option(value: str | None) -> Any:
    from osintkit.evidence import parse_instant

    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _url_option(value: str | None) -> str | None:
    from osintkit.evidence import parse_archive_url

    if value is None:
        return None
    try:
        return parse_archive_url(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@evidence_app.command("add")
def evidence_add(
    brief: Annotated[Path, typer.Argument(help="The brief file.")],
    source_id: Annotated[str, typer.Argument(help="The id of the source the files preserve.")],
    files: Annotated[list[Path], typer.Argument(help="The capture files.")],
    captured: Annotated[
        str | None,
        typer.Option(
            "--captured",
            callback=_instant_option,
            help="When they were captured, Z or an offset (default: each file's modification "
            "time, in UTC).",
        ),
    ] = None,
    tool: Annotated[str | None, typer.Option("--tool", help="What made them.")] = None,
    archive_url: Annotated[
        str | None,
        typer.Option("--archive-url", callback=_url_option, help="The source's web-archive copy."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on each capture.")] = None,
) -> None:
    """Hash capture files, copy them into the brief's evidence/ folder if they lie elsewhere,
    and add them to the source's captures: (every other byte of the brief left as it was)."""
    from osintkit.errors import BriefErrors, OsintkitError
    from osintkit.evidence import add_captures
    from osintkit.fields import instant_text

    try:
        added = add_captures(
            brief,
            source_id,
            files,
            captured=captured,  # type: ignore[arg-type]  # the callback made it a datetime
            tool=tool,
            note=note,
            archive_url=archive_url,
        )
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None
    except OsintkitError as exc:
        _die(str(exc))
    for item in added:
        if item.copied_from is not None:
            out.print(f"[green]copied[/] {_shown(item.copied_from)} → {_shown(item.file)}")
        when = instant_text(item.captured)
        origin = " (the file's modification time)" if item.from_mtime else ""
        out.print(
            f"[green]added[/] {_shown(item.file)} to {_shown(source_id)}  "
            f"[dim]sha256 {item.sha256[:16]}…, captured {when}{origin}[/]"
        )


@evidence_app.command("verify")
def evidence_verify(
    briefs: Annotated[list[Path], typer.Argument(help="Brief files, or folders of briefs.")],
) -> None:
    """Hash every capture of the briefs again and print its status; exit 1 if any is not ok."""
    from rich.table import Column, Table

    from osintkit.evidence import verify

    found, failures = verify(_expand(briefs))
    for failure in failures:
        _print_errors(failure)
    if found:
        # The status is what verify is for: it stays whole however narrow the terminal.
        status = Column("status", no_wrap=True, min_width=max(len(i.status) for i in found))
        table = Table("brief", "source", "file", status, "size", "detail", box=None)
        for item in found:
            colour = "green" if item.status == "ok" else "red"
            size = _size(item.size) if item.size is not None else ""
            table.add_row(
                _shown(item.brief),
                _shown(item.source_id),
                _shown(item.file),
                f"[{colour}]{_shown(item.status)}[/]",
                size,
                _shown(item.message),
            )
        out.print(table)
    bad = [item for item in found if item.status != "ok"]
    out.print(f"{len(found)} captures, {len(found) - len(bad)} ok, {len(bad)} not")
    if bad or failures:
        raise typer.Exit(1)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for the briefs in them (every .yaml/.yml but the registry)."""
    from osintkit.catalogue import brief_paths
    from osintkit.errors import BriefErrors

    try:
        return brief_paths(paths)
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None


def _load_catalogue(paths: list[Path], registry: Path | None, output_format: str) -> Catalogue:
    """Load every brief of ``paths``; exit 1, the problem printed, for a folder without any."""
    from osintkit.catalogue import load_catalogue
    from osintkit.errors import BriefErrors

    try:
        return load_catalogue(paths, registry)
    except BriefErrors as exc:
        _print_errors(exc, output_format)
        raise typer.Exit(1) from None


def _print_errors(errors: BriefErrors, output_format: str = "text") -> None:
    _print_diagnostics(errors.errors, output_format, RULES, err)


def _print_diagnostics(
    diagnostics: list[Diagnostic], output_format: str, rules: dict[str, str], text_to: Console
) -> None:
    """Print ``diagnostics`` in ``output_format``: text to ``text_to``, a tool's format to
    standard output (nothing at all for an empty SARIF run is wrong: it says "no results")."""
    if not diagnostics and output_format != "sarif":
        return
    console = text_to if output_format == "text" else out
    for line in FORMATTERS[output_format](diagnostics, rules, None):
        console.print(line, markup=False)


def _reference_brief() -> Path:
    local = Path("briefs") / REFERENCE_BRIEF
    if local.is_file():
        return local
    package = Path(__file__).resolve().parent
    for folder in (package / "briefs", package.parents[1] / "briefs"):
        if (folder / REFERENCE_BRIEF).is_file():
            return folder / REFERENCE_BRIEF
    _die(f"the reference brief {REFERENCE_BRIEF} is not installed; name a brief to render")


def _load_all(
    paths: list[Path], registry: Path | None
) -> tuple[list[LoadedBrief], list[BriefErrors]]:
    from osintkit.errors import BriefErrors
    from osintkit.validation import load_brief

    loaded, failures = [], []
    for path in paths:
        try:
            loaded.append(load_brief(path, registry))
        except BriefErrors as exc:
            failures.append(exc)
            _print_errors(exc)
    return loaded, failures


def _print_editions(briefs: list[LoadedBrief], output_format: str) -> list[Diagnostic]:
    """Print each brief's editions (in the text format), and return the problems of those
    that could not render: kept text pointing at a removed portion."""
    from osintkit.editions import shapes

    problems: list[Diagnostic] = []
    for item in briefs:
        for shape in shapes(item):
            problems.extend(shape.problems)
            if output_format != "text":
                continue
            full = ", the full edition" if shape.full else ""
            out.print(
                f"{_shown(item.path)}: [bold]TLP:{shape.level}[/] edition{full} "
                f"({_shown(shape.stem)}.pdf): {len(shape.kept)} portions kept, "
                f"{len(shape.removed)} removed",
                highlight=False,
            )
            rows = [("kept", p) for p in shape.kept] + [("removed", p) for p in shape.removed]
            for verdict, placed in sorted(rows, key=lambda r: (r[1].line, r[1].column)):
                out.print(
                    f"  {verdict:<7} {placed.line}:{placed.column}  {_shown(placed.what)}"
                    f"  [dim]TLP:{placed.level}[/]",
                    highlight=False,
                    markup=True,
                )
    return problems


def _edition_problems(loaded: list[LoadedBrief], level: str) -> list[BriefErrors]:
    """Each brief's edition derived before anything renders: a brief that cannot have it, or
    whose kept text points at a removed portion, fails like an invalid brief."""
    from osintkit.editions import edition_of
    from osintkit.errors import BriefErrors

    failures = []
    for item in list(loaded):
        try:
            edition_of(item, level)  # type: ignore[arg-type]  # checked by _edition
        except BriefErrors as exc:
            failures.append(exc)
            _print_errors(exc)
            loaded.remove(item)
    return failures


def _fail_summary(
    failures: list[BriefErrors], valid: int, nothing_written: bool = False
) -> NoReturn:
    problems = sum(f.count for f in failures)
    tail = "; nothing was written" if nothing_written else ""
    err.print(
        f"[red]{problems} problem{'s' * (problems != 1)} in {len(failures)} "
        f"file{'s' * (len(failures) != 1)}[/] ({valid} valid){tail}"
    )
    raise typer.Exit(1)


def _check_distinct_outputs(loaded: list[LoadedBrief], edition: str | None = None) -> None:
    """Exit 1 if two briefs would write the same files: ``a.clear.yaml``, and the TLP:CLEAR
    edition of ``a.yaml`` (``a.clear.*`` too), would otherwise overwrite one another."""
    from osintkit.editions import edition_path

    seen: dict[str, Path] = {}
    for item in loaded:
        stem = (item.path if edition is None else edition_path(item, edition)).stem
        first = seen.setdefault(stem, item.path)
        if first != item.path:
            _die(f"{first} and {item.path} would write the same output files; rename one")


def _check_environment() -> None:
    """Exit 2 (a usage error) for an environment value the render could not use."""
    from osintkit.errors import UsageError
    from osintkit.reproducible import source_date_epoch

    try:
        source_date_epoch()
    except UsageError as exc:
        err.print(f"[red]error:[/] {_shown(exc)}")
        raise typer.Exit(2) from None


def _shown(value: object) -> str:
    """Return ``value`` as it may stand in a line of Rich markup: printable, brackets escaped.

    Every value from outside (a file name, a brief's text, a message quoting either) goes
    through here, so it can neither style the line nor break it with a control character.
    """
    from rich.markup import escape

    return escape(printable(str(value)))


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _die(message: str) -> NoReturn:
    err.print(f"[red]error:[/] {_shown(message)}")
    raise typer.Exit(1)
