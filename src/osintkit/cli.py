"""The ``osintkit`` command line: parse options, call the core, print with Rich.

Exit codes: 0 success, 1 invalid input or a failed render, 2 usage error (Typer's own).
The core is imported inside each command so that ``--help`` stays fast.
"""

from __future__ import annotations

import webbrowser
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from osintkit import __version__

if TYPE_CHECKING:
    from osintkit.errors import BriefErrors
    from osintkit.validation import LoadedBrief

app = typer.Typer(
    name="osintkit",
    help="Validate OSINT briefs (YAML + Markdown) and render them as numbered series reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
    """Check briefs against the schema and the series registry; list every problem."""
    loaded, failures = _load_all(_expand(briefs), registry)
    for item in loaded:
        b = item.brief
        out.print(
            f"[green]✓[/] {item.path}  "
            f"[dim]{item.series.title}, Volume {b.volume}, Issue {b.issue}[/]"
        )
    if failures:
        _fail_summary(failures, len(loaded))


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
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", min=1, help="Seconds one PDF may take before it is stopped."),
    ] = 60.0,
    memory_limit: Annotated[
        int,
        typer.Option("--memory-limit", min=64, help="MiB of memory one PDF render may use."),
    ] = 2048,
) -> None:
    """Render briefs to PDF and HTML. Nothing is written unless every brief is valid."""
    from osintkit.errors import OsintkitError
    from osintkit.render.pdf import RenderLimits
    from osintkit.report import render_report, template_for

    limits = RenderLimits(seconds=time_limit, memory_mib=memory_limit)

    paths = _expand(briefs) if briefs else [_reference_brief()]
    loaded, failures = _load_all(paths, registry)
    if failures:
        _fail_summary(failures, len(loaded), nothing_written=True)
    _check_distinct_outputs(loaded)

    formats = ("pdf", "html") if format is Format.all else (format.value,)
    failed = 0
    last = None
    for item in loaded:
        try:
            chosen = template_for(item, template)
            report = render_report(item, out_dir, formats, chosen, limits)
        except KeyboardInterrupt:
            # Files are replaced whole or not at all: what is there is a complete report.
            err.print(f"[red]interrupted[/] while rendering {item.path}; its files are unchanged")
            raise typer.Exit(130) from None
        except OsintkitError as exc:
            failed += 1
            err.print(f"[red]error:[/] {item.path}: {exc}", markup=True)
            continue
        for warning in report.warnings:
            err.print(f"[yellow]warning:[/] {item.path}: {warning}")
        for written in report.files:
            pages = f"{written.pages} pages, " if written.pages is not None else ""
            out.print(f"[green]wrote[/] {written.path}  [dim]({pages}{_size(written.size)})[/]")
        out.print(f"[dim]{item.path}: template {report.template.name}, {report.seconds:.2f} s[/]")
        last = report
    if open_ and last is not None:
        target = next((f.path for f in last.files if f.kind == "html"), last.files[0].path)
        webbrowser.open(target.resolve().as_uri())
    if failed:
        raise typer.Exit(1)


@app.command()
def templates() -> None:
    """List the report templates that ship with osintkit."""
    from rich.table import Table

    from osintkit.templates import list_templates

    table = Table("name", "languages", "folder", "description", box=None, pad_edge=False)
    for item in list_templates():
        table.add_row(item.name, ", ".join(item.languages()), str(item.folder), item.description)
    out.print(table)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for the briefs in them (every .yaml/.yml but the registry)."""
    from osintkit.series import REGISTRY_FILE_NAME

    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml") and p.name != REGISTRY_FILE_NAME and p.is_file()
            )
            if not found:
                _die(f"{path}: no briefs (*.yaml) in this folder")
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded


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
            for error in exc.errors:
                err.print(str(error), markup=False)
    return loaded, failures


def _fail_summary(
    failures: list[BriefErrors], valid: int, nothing_written: bool = False
) -> NoReturn:
    problems = sum(len(f.errors) for f in failures)
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


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _die(message: str) -> NoReturn:
    err.print(f"[red]error:[/] {message}")
    raise typer.Exit(1)
