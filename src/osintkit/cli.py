"""The ``osintkit`` command line: parse options, call the core, print with Rich.

Exit codes: 0 success, 1 invalid input or a failed render, 2 usage error (Typer's own).
The core is imported inside each command so that ``--help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from osintkit import __version__

if TYPE_CHECKING:
    from osintkit.catalogue import Catalogue
    from osintkit.errors import BriefErrors
    from osintkit.validation import LoadedBrief

app = typer.Typer(
    name="osintkit",
    help="Validate OSINT briefs (YAML + Markdown) and render them as numbered series reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help panels cost about 100 ms of every --help and usage error.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

REFERENCE_BRIEF = "persian-files-29-2.yaml"


class Format(StrEnum):
    """Which report files to write."""

    pdf = "pdf"
    html = "html"
    all = "all"


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


class PdfVariant(StrEnum):
    """Distribution PDF variants (the brief is embedded for provenance)."""

    pdf_a_3b = "pdf/a-3b"
    pdf_a_3u = "pdf/a-3u"
    pdf_ua_1 = "pdf/ua-1"


PdfVariantOption = Annotated[
    PdfVariant | None,
    typer.Option(
        "--pdf-variant", help="Write PDF/A-3 or PDF/UA-1, with the brief attached to the PDF."
    ),
]

TimeLimitOption = Annotated[
    float,
    typer.Option("--time-limit", min=1, help="Seconds one PDF may take before it is stopped."),
]
MemoryLimitOption = Annotated[
    int, typer.Option("--memory-limit", min=64, help="MiB of memory one PDF render may use.")
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
) -> None:
    """Check briefs against the schema and the series registry; list every problem.

    Briefs checked together are a catalogue: two with one series/volume/issue are an error,
    a hole in a volume's numbering a warning.
    """
    catalogue = _load_catalogue(briefs, registry)
    duplicated = {problem.path for problem in catalogue.problems}
    for item in catalogue.briefs:
        if item.path in duplicated:
            continue
        b = item.brief
        out.print(
            f"[green]✓[/] {_escape(str(item.path))}  "
            f"[dim]{_escape(item.series.title)}, Volume {b.volume}, Issue {b.issue}[/]"
        )
    for problem in catalogue.problems:
        err.print(str(problem), markup=False)
    for warning in catalogue.warnings:
        err.print(f"[yellow]warning:[/] {_escape(warning)}")
    if not catalogue.ok:
        problems = sum(f.count for f in catalogue.failures) + len(catalogue.problems)
        files = len(catalogue.failures) + len(duplicated)
        valid = len(catalogue.briefs) - len(duplicated)
        err.print(
            f"[red]{problems} problem{'s' * (problems != 1)} in {files} "
            f"file{'s' * (files != 1)}[/] ({valid} valid)"
        )
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
        Format, typer.Option("--format", "-f", help="Which files to write.")
    ] = Format.all,
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
) -> None:
    """Render briefs to PDF and HTML. Nothing is written unless every brief is valid."""
    from osintkit.errors import OsintkitError
    from osintkit.render.pdf import RenderLimits, start_renderer

    limits = RenderLimits(seconds=time_limit, memory_mib=memory_limit)
    if format is not Format.html:
        start_renderer(limits)  # warms up on another core while the briefs are checked
    try:
        from osintkit.report import render_report, template_for

        paths = _expand(briefs) if briefs else [_reference_brief()]
        loaded, failures = _load_all(paths, registry)
    except KeyboardInterrupt:
        # The render child may already be up (started first, above): Ctrl-C can come here.
        err.print("[red]interrupted[/] while checking the briefs; nothing was written")
        raise typer.Exit(130) from None
    if failures:
        _fail_summary(failures, len(loaded), nothing_written=True)
    _check_distinct_outputs(loaded)

    formats = ("pdf", "html") if format is Format.all else (format.value,)
    failed = 0
    last = None
    for item in loaded:
        try:
            chosen = template_for(item, template)
            report = render_report(
                item, out_dir, formats, chosen, limits, pdf_variant.value if pdf_variant else None
            )
        except KeyboardInterrupt:
            # Files are replaced whole or not at all: what is there is a complete report.
            err.print(
                f"[red]interrupted[/] while rendering {_escape(str(item.path))}; "
                "its files are unchanged"
            )
            raise typer.Exit(130) from None
        except OsintkitError as exc:
            failed += 1
            err.print(f"[red]error:[/] {_escape(f'{item.path}: {exc}')}")
            continue
        for warning in report.warnings:
            err.print(f"[yellow]warning:[/] {_escape(f'{item.path}: {warning}')}")
        for written in report.files:
            count = written.pages
            pages = f"{count} page{'s' * (count != 1)}, " if count is not None else ""
            where = _escape(str(written.path))
            out.print(f"[green]wrote[/] {where}  [dim]({pages}{_size(written.size)})[/]")
        summary = f"{item.path}: template {report.template.name}, {report.seconds:.2f} s"
        out.print(f"[dim]{_escape(summary)}[/]")
        last = report
    if open_ and last is not None:
        target = next((f.path for f in last.files if f.kind == "html"), last.files[0].path)
        import webbrowser

        webbrowser.open(target.resolve().as_uri())
    if failed:
        raise typer.Exit(1)


@app.command()
def build(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders of briefs, or brief files (default: briefs/)."),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="The site folder to build into.")
    ] = Path("site"),
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: every core)."),
    ] = None,
    drafts: Annotated[
        bool, typer.Option("--drafts", help="Publish drafts in the catalogue and feeds too.")
    ] = False,
    pdf_variant: PdfVariantOption = None,
    registry: RegistryOption = None,
    time_limit: TimeLimitOption = 60.0,
    memory_limit: MemoryLimitOption = 2048,
) -> None:
    """Render every brief into a site with its catalogue, feeds and SHA256SUMS.

    Only briefs whose inputs changed are rendered again. One broken brief does not stop the
    others; two briefs with the same number stop the build before anything is written.
    """
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from osintkit.build import BuildOptions, BuildOutcome
    from osintkit.build import build as run_build
    from osintkit.errors import BriefErrors

    # The cores this process may use: a container or taskset may allow fewer than exist.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    options = BuildOptions(
        out_dir=out_dir,
        jobs=jobs or cores or 1,
        drafts=drafts,
        pdf_variant=pdf_variant.value if pdf_variant else None,
        registry=registry,
        time_limit=time_limit,
        memory_limit=memory_limit,
    )
    progress = Progress(
        TextColumn("[bold]building[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}"), console=err, transient=True,
    )  # fmt: skip
    task = progress.add_task("", total=None)

    def started(count: int) -> None:
        progress.update(task, total=count)
        if count:
            progress.start()

    def finished(outcome: BuildOutcome) -> None:
        if outcome.status != "skipped":
            progress.update(task, advance=1, description=outcome.brief_path.name)
        for warning in outcome.warnings:
            line = f"{outcome.brief_path}: {warning}"
            progress.console.print(f"[yellow]warning:[/] {_escape(line)}")

    try:
        result = run_build(sources or [Path("briefs")], options, finished, started)
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        progress.stop()
        err.print("[red]interrupted[/]: the briefs built so far are kept; run build again")
        raise typer.Exit(130) from None
    finally:
        progress.stop()
    if result.problems:
        for problem in result.problems:
            err.print(str(problem), markup=False)
        err.print("[red]numbers given twice[/]; nothing was built")
        raise typer.Exit(1)
    table = Table(box=None, pad_edge=False)
    table.add_column("brief", overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_column("time", no_wrap=True, justify="right")
    style = {"built": "green", "skipped": "dim", "failed": "red"}
    outcomes = sorted(result.outcomes, key=lambda o: str(o.brief_path))
    for outcome in outcomes:
        seconds = f"{outcome.seconds:.2f} s" if outcome.status == "built" else ""
        status = f"[{style[outcome.status]}]{outcome.status}[/]"
        table.add_row(_escape(str(outcome.brief_path)), status, seconds)
    out.print(table)
    for outcome in outcomes:
        if outcome.status == "failed":
            # In full, one line each: a table column would cut the file:line:col off.
            err.print(f"error: {outcome.message}", markup=False)
    counts = {
        s: sum(o.status == s for o in result.outcomes) for s in ("built", "skipped", "failed")
    }
    out.print(
        f"{counts['built']} built, {counts['skipped']} unchanged, {counts['failed']} failed "
        f"→ {_escape(str(out_dir))}/index.html"
    )
    if result.failed:
        raise typer.Exit(1)


@app.command()
def lint(
    briefs: Annotated[list[Path], typer.Argument(help="Brief files, or folders of briefs.")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on any finding, not only on errors.")
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Check tradecraft: uncited sources and paragraphs, vague hedges, contradicted
    probabilities, dates after the brief's. Switch rules off with `lint: {disable: [...]}`
    in a brief or a series."""
    from rich.table import Table

    from osintkit.errors import BriefErrors
    from osintkit.lint import RULES, lint_brief, unknown_rules

    catalogue = _load_catalogue(briefs, registry)
    findings = []
    for item in catalogue.briefs:
        for name in unknown_rules(item):
            line = f"{item.path}: no lint rule {name!r} to switch off"
            err.print(f"[yellow]warning:[/] {_escape(line)}")
        try:
            findings.extend(lint_brief(item))
        except BriefErrors as exc:
            _print_errors(exc)
    # One table a brief, titled with its file, so the location column stays short.
    for path in dict.fromkeys(f.path for f in findings):
        table = Table(title=_escape(str(path)), title_justify="left", box=None, pad_edge=False)
        table.add_column("line:col", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("finding", overflow="fold")
        for finding in (f for f in findings if f.path == path):
            table.add_row(
                f"{finding.line}:{finding.column}", finding.rule, _escape(finding.message)
            )
        out.print(table)
    checked = len(catalogue.briefs)
    out.print(
        f"{len(findings)} finding{'s' * (len(findings) != 1)} in {checked} "
        f"brief{'s' * (checked != 1)} ({len(RULES)} rules)"
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
    out.print(
        f"[green]wrote[/] {_escape(str(created.path))}  [dim]{_escape(created.description)}[/]"
    )


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
        out.print(f"[green]wrote[/] {_escape(str(path))}")


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
) -> None:
    """Serve a live preview on 127.0.0.1 that reloads on every save; Ctrl-C stops it (exit 0).

    The brief, its series registry, the template and the files the report loads are watched.
    A save that breaks the brief shows its problems over the last good report.
    """
    import datetime as dt

    from osintkit.preview import Build, PreviewServer, PreviewSession, rebuild_on_change

    def report(build: Build) -> None:
        now = f"[dim]{dt.datetime.now():%H:%M:%S}[/]"
        names = _escape(", ".join(dict.fromkeys(p.name for p in build.changed)))
        cause = f"  [dim]← {names}[/]" if build.changed else ""
        if build.ok:
            n = build.pages
            pages = f"{n} page{'s' * (n != 1)}, " if n is not None else ""
            verb = "rebuilt" if build.changed else "built"
            out.print(
                f"{now} [green]{verb}[/] {_escape(brief.name)} "
                f"[dim]({pages}{build.seconds:.2f} s)[/]{cause}"
            )
        else:
            count = len(build.errors)
            out.print(
                f"{now} [red]{count} problem{'s' * (count != 1)}[/] in {_escape(brief.name)}, "
                f"shown in the page{cause}"
            )
            for line in build.errors:
                err.print(line, markup=False)
        for warning in build.warnings:
            err.print(f"[yellow]warning:[/] {_escape(warning)}")

    session = PreviewSession(brief, registry=registry, template=template, pdf=pdf)
    try:
        report(session.rebuild())
        try:
            server = PreviewServer(session, port)
        except OSError as exc:
            _die(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}")
        with server:
            out.print(f"previewing {_escape(str(brief))} at {server.url}  [dim](Ctrl-C to stop)[/]")
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

    from osintkit.templates import list_templates

    table = Table("name", "languages", "folder", "description", box=None, pad_edge=False)
    for item in list_templates():
        table.add_row(
            _escape(item.name),
            ", ".join(item.languages()),
            _escape(str(item.folder)),
            _escape(item.description),
        )
    out.print(table)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for the briefs in them (every .yaml/.yml but the registry)."""
    from osintkit.catalogue import brief_paths
    from osintkit.errors import BriefErrors

    try:
        return brief_paths(paths)
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None


def _load_catalogue(paths: list[Path], registry: Path | None) -> Catalogue:
    """Load every brief of ``paths``, printing each one's problems; exit 1 if none can be."""
    from osintkit.catalogue import load_catalogue
    from osintkit.errors import BriefErrors

    try:
        catalogue = load_catalogue(paths, registry)
    except BriefErrors as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None
    for failure in catalogue.failures:
        _print_errors(failure)
    return catalogue


def _print_errors(errors: BriefErrors) -> None:
    for error in errors.errors:
        err.print(str(error), markup=False)


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


def _check_distinct_outputs(loaded: list[LoadedBrief]) -> None:
    seen: dict[str, Path] = {}
    for item in loaded:
        first = seen.setdefault(item.path.stem, item.path)
        if first != item.path:
            _die(f"{first} and {item.path} would write the same output files; rename one")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _die(message: str) -> NoReturn:
    err.print(f"[red]error:[/] {_escape(message)}")
    raise typer.Exit(1)
