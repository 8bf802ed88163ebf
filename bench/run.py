"""osintkit's benchmark: one command, its own inputs, medians and ratios measured side by side.

    .venv/bin/python bench/run.py [--quick] [--repeat N] [--out bench/results] [--only GROUP …]

Groups (each case of a group runs interleaved with the others, round by round):

- ``startup``: ``osintkit --help`` and ``osintkit validate`` against ``python -c pass``;
- ``render``: ``osintkit render`` of the reference brief to PDF against pandoc with
  ``--pdf-engine=weasyprint`` on the same brief exported to Markdown, and against the bare
  ``weasyprint`` command on osintkit's own HTML;
- ``execs``: the programs a cold ``osintkit render`` starts, counted by ``strace -f``
  (issue 18: none);
- ``preview``: from a save of the reference brief to the new report served by
  ``osintkit preview``, HTML and ``--pdf`` (bench/preview.py);
- ``warm``: re-rendering in one process (bench/warm.py) against bare WeasyPrint warm;
- ``build``: ``osintkit build`` of 40 briefs with ``--jobs 1`` and with every core, each into
  a fresh folder, and a no-op rebuild;
- ``scale``: time and peak memory of ``osintkit render`` at about 2, 5, 20 and 100 pages;
- ``workers``: peak memory of each build worker and render child, 10 briefs against 40.

Writes ``latest.json`` and ``latest.md`` into ``--out`` and prints the Markdown. A tool that
is missing (pandoc, the weasyprint command) makes its rows "n/a"; nothing else needs it.
Timings are medians of the repeated runs; ratios are of medians measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench.export import brief_to_markdown  # noqa: E402
from bench.inputs import BenchInputs, generate  # noqa: E402
from bench.measure import (  # noqa: E402
    DISTURBED_CORES,
    CommandFailed,
    Patience,
    Run,
    SampledRun,
    gnu_time,
    interleaved,
    median,
    run,
    run_sampled,
)

GROUPS = ("startup", "render", "execs", "preview", "warm", "build", "scale", "workers")
#: A fixed piece of pure-Python work, timed at the start and the end of a run: on a shared
#: virtual machine the speed of a core drifts, and absolute timings drift with it.
CALIBRATION = "sum(i * i for i in range(2_000_000))"
MIB = 1024


@dataclass(frozen=True, slots=True)
class Tools:
    """The programs the bench runs; None where one is missing."""

    python: Path
    osintkit: Path
    weasyprint: Path | None
    pandoc: Path | None

    @classmethod
    def find(cls) -> Tools:
        """The venv's python, osintkit and weasyprint (beside this interpreter), and pandoc."""
        scripts = Path(sys.executable).parent

        def beside(name: str) -> Path | None:
            path = scripts / name
            if path.is_file() and os.access(path, os.X_OK):
                return path
            found = shutil.which(name)
            return Path(found) if found else None

        osintkit = beside("osintkit")
        if osintkit is None:
            raise SystemExit("bench: osintkit is not installed beside this Python; run setup")
        pandoc = shutil.which("pandoc")
        if pandoc is not None:
            try:
                subprocess.run([pandoc, "--version"], capture_output=True, check=True, timeout=60)
            except (OSError, subprocess.SubprocessError):
                pandoc = None
        return cls(
            Path(sys.executable), osintkit, beside("weasyprint"), Path(pandoc) if pandoc else None
        )


@dataclass
class Case:
    """One measured thing: its runs, or why it has none."""

    key: str
    label: str
    runs: list[Run] = field(default_factory=list)
    #: Why there are no runs ("pandoc not installed"), or a note on the runs.
    note: str = ""
    pages: int | None = None

    @property
    def seconds(self) -> float | None:
        """The median wall time, or None without runs."""
        return median([r.seconds for r in self.runs]) if self.runs else None

    @property
    def cpu_seconds(self) -> float | None:
        """The median CPU time (user + system, the command and its reaped descendants)."""
        return median([r.cpu_seconds for r in self.runs]) if self.runs else None

    @property
    def disturbed(self) -> int:
        """How many of the kept runs other processes disturbed even after retries."""
        return sum(r.disturbed for r in self.runs)

    @property
    def max_rss_mib(self) -> float | None:
        """The median of the runs' peak RSS (largest process), in MiB."""
        rss = [r.max_rss_kib for r in self.runs if r.max_rss_kib]
        return median(rss) / MIB if rss else None

    def to_json(self) -> dict[str, Any]:
        """The case as the JSON results hold it."""
        return {
            "label": self.label,
            "median_seconds": self.seconds,
            "seconds": [r.seconds for r in self.runs],
            "median_cpu_seconds": self.cpu_seconds,
            "cpu_seconds": [r.cpu_seconds for r in self.runs],
            "others_cpu_seconds": [r.others_cpu_seconds for r in self.runs],
            "disturbed_runs": self.disturbed,
            "max_rss_mib": self.max_rss_mib,
            "pages": self.pages,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """The ratio of two cases' medians, measured in the same run, and its target if any."""

    label: str
    a: str
    b: str
    ratio: float | None
    #: Median of the round-by-round ratios (each pair measured back to back).
    paired_ratio: float | None
    target: str = ""
    holds: bool | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A target of the issue: what was measured, the limit, and whether it holds."""

    label: str
    measured: str
    limit: str
    holds: bool | None


class Bench:
    """Runs the groups and keeps their results."""

    def __init__(
        self, tools: Tools, inputs: BenchInputs, work: Path, repeat: int, patience: Patience
    ) -> None:
        self.tools = tools
        #: Another osintkit's src/ folder, rendered beside this one (``--baseline``).
        self.baseline: Path | None = None
        self.patience = patience
        self.inputs = inputs
        self.work = work
        self.repeat = repeat
        self.cases: dict[str, Case] = {}
        self.comparisons: list[Comparison] = []
        self.targets: list[Target] = []
        self.scaling: list[dict[str, Any]] = []
        self.workers: list[dict[str, Any]] = []
        self.warm_process: dict[str, Any] = {}
        self.execve_calls: list[str] = []
        self.errors: list[str] = []
        self.jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        self._fresh = itertools.count(1)

    # -- helpers ------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Progress, on standard error."""
        print(f"bench: {text}", file=sys.stderr, flush=True)

    def osintkit(self, *args: str | Path) -> list[str | Path]:
        """The argv of an osintkit command."""
        return [self.tools.osintkit, *args]

    def measure(
        self,
        group: str,
        commands: dict[str, tuple[str, Callable[[], Run] | str]],
        warmup: int,
        demands: dict[str, float] | None = None,
    ) -> None:
        """Run ``commands`` (key → (label, runner or why it cannot run)) interleaved.

        ``demands`` gives the cores a case needs when it is not 1 (a parallel build).
        """
        runnable: dict[str, Callable[[], Run]] = {}
        for key, (label, runner) in commands.items():
            self.cases[key] = Case(key, label)
            if isinstance(runner, str):
                self.cases[key].note = runner
            else:
                runnable[key] = runner
        if not runnable:
            return
        runs, failed = interleaved(
            runnable,
            self.repeat,
            warmup,
            lambda s: self.say(f"{group}: {s}"),
            self.patience,
            demands,
        )
        for key, results in runs.items():
            self.cases[key].runs = results
        for key, error in failed.items():
            self.errors.append(error)
            self.cases[key].runs = []
            self.cases[key].note = "failed: see errors"

    def compare(
        self,
        label: str,
        a: str,
        b: str,
        limit: float | None = None,
        at_most: bool = True,
        paired: bool = True,
    ) -> Comparison:
        """Record the ratio a/b of two cases' medians, against ``limit`` if given.

        ``paired``: the cases ran interleaved, so their i-th runs are a pair.
        """
        case_a, case_b = self.cases.get(a), self.cases.get(b)
        ratio = paired_ratio = None
        if case_a and case_b and case_a.seconds and case_b.seconds:
            ratio = case_a.seconds / case_b.seconds
            pairs = [x.seconds / y.seconds for x, y in zip(case_a.runs, case_b.runs, strict=False)]
            paired_ratio = median(pairs) if pairs and paired else None
        target, holds = "", None
        if limit is not None:
            target = f"{'≤' if at_most else '≥'} {limit:g}"
            if ratio is not None:
                holds = ratio <= limit if at_most else ratio >= limit
        comparison = Comparison(label, a, b, ratio, paired_ratio, target, holds)
        self.comparisons.append(comparison)
        if limit is not None:
            measured = f"{ratio:.2f}×" if ratio is not None else "n/a"
            self.targets.append(Target(label, measured, target + "×", holds))
        return comparison

    def absolute(self, label: str, key: str, limit: float) -> None:
        """Record a target on one case's median seconds."""
        seconds = self.cases[key].seconds if key in self.cases else None
        holds = seconds < limit if seconds is not None else None
        measured = f"{seconds:.3f} s" if seconds is not None else "n/a"
        self.targets.append(Target(label, measured, f"< {limit:g} s", holds))

    def fresh(self, name: str) -> Path:
        """A folder that does not exist yet, under the work folder."""
        return self.work / f"{name}-{next(self._fresh)}"

    # -- groups -------------------------------------------------------------------------

    def startup(self) -> None:
        """``osintkit --help`` and ``validate`` against the bare interpreter."""
        python, reference = self.tools.python, self.inputs.reference
        self.measure(
            "startup",
            {
                "startup.python": ("python -c pass", lambda: run([python, "-c", "pass"])),
                "startup.help": ("osintkit --help", lambda: run(self.osintkit("--help"))),
                "startup.validate": (
                    "osintkit validate <reference>",
                    lambda: run(self.osintkit("validate", reference)),
                ),
            },
            warmup=2,
        )
        self.compare("osintkit --help vs python -c pass", "startup.help", "startup.python")
        self.compare("osintkit validate vs python -c pass", "startup.validate", "startup.python")
        # Issue 18's limits (the first bench's was 0.3 s for --help).
        self.absolute("osintkit --help", "startup.help", 0.15)
        self.absolute("osintkit validate <reference>", "startup.validate", 0.15)

    def render(self) -> None:
        """``osintkit render`` to PDF against pandoc + WeasyPrint and the weasyprint command."""
        from osintkit.validation import load_brief

        reference = self.inputs.reference
        html_dir, markdown = self.work / "reference-html", self.work / "reference.md"
        run(self.osintkit("render", reference, "--format", "html", "--out", html_dir))
        html = html_dir / f"{reference.stem}.html"
        markdown.write_text(brief_to_markdown(load_brief(reference)), encoding="utf-8")
        outputs = {
            "render.osintkit": self.work / "render-osintkit" / f"{reference.stem}.pdf",
            "render.pandoc": self.work / "render-pandoc.pdf",
            "render.weasyprint": self.work / "render-weasyprint.pdf",
        }
        weasyprint, pandoc = self.tools.weasyprint, self.tools.pandoc
        pandoc_runner: Callable[[], Run] | str
        if pandoc is None:
            pandoc_runner = "n/a: pandoc not installed"
        elif weasyprint is None:
            pandoc_runner = "n/a: the weasyprint command is not installed"
        else:
            argv: list[str | Path] = [
                pandoc,
                markdown,
                "--standalone",
                f"--pdf-engine={weasyprint}",
            ]
            pandoc_runner = lambda: run([*argv, "-o", outputs["render.pandoc"]])  # noqa: E731
        weasyprint_runner: Callable[[], Run] | str = (
            (lambda: run([weasyprint, html, outputs["render.weasyprint"]]))
            if weasyprint is not None
            else "n/a: the weasyprint command is not installed"
        )
        out = outputs["render.osintkit"].parent
        self.measure(
            "render",
            {
                "render.osintkit": (
                    "osintkit render <reference> --format pdf",
                    lambda: run(
                        self.osintkit("render", reference, "--format", "pdf", "--out", out)
                    ),
                ),
                "render.pandoc": (
                    "pandoc <reference>.md --pdf-engine=weasyprint",
                    pandoc_runner,
                ),
                "render.weasyprint": ("weasyprint <osintkit's HTML>", weasyprint_runner),
                **self._baseline_render(reference),
            },
            warmup=1,
        )
        for key, pdf in outputs.items():
            if pdf.is_file():
                self.cases[key].pages = pdf_pages(pdf)
        # Issue 18's targets (the first bench's was 0.9 × pandoc).
        self.compare(
            "osintkit render vs pandoc + WeasyPrint", "render.osintkit", "render.pandoc", 0.8
        )
        self.compare(
            "osintkit render vs weasyprint CLI", "render.osintkit", "render.weasyprint", 0.85
        )
        self.compare("pandoc + WeasyPrint vs weasyprint CLI", "render.pandoc", "render.weasyprint")
        if self.baseline is not None:
            self.compare("osintkit render vs the baseline's", "render.osintkit", "render.baseline")
            self.compare(
                "the baseline's render vs weasyprint CLI", "render.baseline", "render.weasyprint"
            )

    def _baseline_render(self, reference: Path) -> dict[str, tuple[str, Callable[[], Run]]]:
        """The baseline's ``osintkit render`` of ``reference``, as a case of the render group."""
        if self.baseline is None:
            return {}
        env = {**os.environ, "PYTHONPATH": str(self.baseline)}
        out = self.work / "render-baseline"
        argv = self.osintkit("render", reference, "--format", "pdf", "--out", out)
        label = f"osintkit render <reference> --format pdf, baseline ({self.baseline})"
        return {"render.baseline": (label, lambda: run(argv, env=env))}

    def execs(self) -> None:
        """The programs one cold ``osintkit render`` of the reference brief starts."""
        strace = shutil.which("strace")
        label = "programs started by a cold render (execve, strace -f)"
        if strace is None:
            self.targets.append(Target(label, "n/a: strace not installed", "0", None))
            return
        log, out = self.work / "execve.log", self.fresh("execs")
        argv = self.osintkit("render", self.inputs.reference, "--format", "pdf", "--out", out)
        run([strace, "-f", "-qq", "-e", "trace=execve", "-o", log, *argv], trampoline=False)
        calls = [line for line in log.read_text().splitlines() if "execve(" in line]
        # The first is the command itself (its script, then the interpreter it names).
        started = [line for line in calls[1:] if "= -1 ENOENT" not in line]
        self.execve_calls = [line.split("execve(", 1)[1][:160] for line in started]
        self.targets.append(Target(label, str(len(started)), "0", not started))

    def preview(self) -> None:
        """From a save of the reference brief to the new report served by the preview."""
        from bench.preview import save_to_served

        # A folder of its own: the preview watches the brief's folder, and the bench changes
        # the brief it previews.
        folder = self.fresh("preview")
        folder.mkdir()
        shutil.copyfile(self.inputs.reference.parent / "series.yaml", folder / "series.yaml")
        brief = folder / self.inputs.reference.name
        shutil.copyfile(self.inputs.reference, brief)
        # Its capture, which loading the brief checks: without it the preview serves the
        # brief's errors and no PDF, and the bench would time an error page.
        shutil.copytree(self.inputs.reference.parent / "evidence", folder / "evidence")
        run(self.osintkit("validate", brief))  # an invalid copy fails here, not silently
        for mode, label in (("html", "HTML page"), ("pdf", "PDF (--pdf)")):
            self.say(f"preview: {mode}, {self.repeat * 2} saves")
            seconds = save_to_served(self.tools.osintkit, brief, self.repeat * 2, mode == "pdf")
            case = Case(f"preview.{mode}", f"osintkit preview: save to new {label} served")
            case.runs = [Run(x) for x in seconds]
            self.cases[case.key] = case
        self.absolute("osintkit preview --pdf, save to new PDF served", "preview.pdf", 0.4)
        self.absolute("osintkit preview (HTML), save to new page served", "preview.html", 0.15)

    def warm(self) -> None:
        """Re-rendering in one warm process (bench/warm.py) against bare WeasyPrint warm."""
        loops = max(self.repeat * 6, 10)
        self.say(f"warm: {loops} rounds in one process")
        labels = {
            "osintkit_in_process": "osintkit load+html+pdf, in process",
            "osintkit_child": "osintkit load+html+pdf, default limits (child)",
            "osintkit_child_cold_parent": (
                "osintkit load+html+pdf, default limits, parent never rendered (a build worker)"
            ),
            "weasyprint_warm": "bare WeasyPrint warm, shared FontConfiguration",
            "load_brief": "  of which load_brief",
            "render_html": "  of which render_html",
            "render_pdf_in_process": "  of which render_pdf, in process",
        }
        argv: list[str | Path] = [
            self.tools.python, ROOT / "bench" / "warm.py", self.inputs.reference,
            "--repeat", str(loops), "--wait-budget", str(min(self.patience.remaining, 120)),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                [os.fspath(a) for a in argv], capture_output=True, check=True, timeout=1200
            )
            data = json.loads(done.stdout)
        except (subprocess.SubprocessError, ValueError) as exc:
            stderr = getattr(exc, "stderr", b"") or b""
            self.errors.append(f"warm.py failed: {exc}\n{stderr.decode(errors='replace')}")
            return
        for name, label in labels.items():
            case = Case(f"warm.{name}", label)
            case.runs = [Run(**r) for r in data["runs"][name]]
            case.pages = data["pages"][name] or None
            self.cases[case.key] = case
        self.warm_process = {k: v for k, v in data.items() if k != "runs"}
        self.compare(
            "warm re-render (in process) vs bare WeasyPrint warm",
            "warm.osintkit_in_process", "warm.weasyprint_warm", 1.1,
        )  # fmt: skip
        self.compare(
            "warm re-render (child limits) vs bare WeasyPrint warm",
            "warm.osintkit_child", "warm.weasyprint_warm", 1.1,
        )  # fmt: skip
        self.compare(
            "re-render as a build worker does it vs bare WeasyPrint warm",
            "warm.osintkit_child_cold_parent", "warm.weasyprint_warm", paired=False,
        )  # fmt: skip

    def build(self) -> None:
        """``osintkit build`` of 40 briefs on one core and on all, and a no-op rebuild."""
        briefs = self.inputs.build_sets[max(self.inputs.build_sets)]
        count = len(list(briefs.glob("persian-files-*.yaml")))
        noop_site = self.work / "site-noop"
        self.say(f"build: first build of {count} briefs into {noop_site.name} (no-op set-up)")
        run(self.osintkit("build", briefs, "--out", noop_site, "--jobs", str(self.jobs)))
        # The manifest lives in the restricted folder beside the site.
        noop_folders = (noop_site, noop_site.with_name(f"{noop_site.name}-restricted"))
        before = [_newest(f) for f in noop_folders]

        def fresh(jobs: int) -> Callable[[], Run]:
            def once() -> Run:
                site = self.fresh(f"site-j{jobs}")
                try:
                    argv = self.osintkit("build", briefs, "--out", site, "--jobs", str(jobs))
                    return run(argv, demand=jobs)
                finally:
                    shutil.rmtree(site, ignore_errors=True)
                    shutil.rmtree(f"{site}-restricted", ignore_errors=True)

            return once

        commands: dict[str, tuple[str, Callable[[], Run] | str]] = {
            "build.jobs1": (f"osintkit build, {count} briefs, --jobs 1", fresh(1)),
            "build.jobsN": (
                f"osintkit build, {count} briefs, --jobs {self.jobs}", fresh(self.jobs)
            ),
            "build.noop": (
                f"osintkit build, {count} briefs, nothing changed",
                lambda: run(self.osintkit("build", briefs, "--out", noop_site)),
            ),
            "build.python": (
                "python -c pass (beside the builds)",
                lambda: run([self.tools.python, "-c", "pass"]),
            ),
        }  # fmt: skip
        self.measure("build", commands, warmup=0, demands={"build.jobsN": self.jobs})
        if [_newest(f) for f in noop_folders] != before:
            self.cases["build.noop"].note = "wrote files: not a no-op!"
        if self.jobs >= 2:
            self.compare(
                f"build speed-up, --jobs 1 vs --jobs {self.jobs}", "build.jobs1", "build.jobsN",
                1.7, at_most=False,
            )  # fmt: skip
        else:
            self.targets.append(Target("build speed-up on 2 cores", "n/a", "≥ 1.7×", None))
        self.compare("no-op rebuild vs python -c pass", "build.noop", "build.python")
        self.absolute(f"no-op rebuild of {count} briefs", "build.noop", 0.5)

    def scale(self) -> None:
        """``osintkit render`` from about 2 to about 100 pages: time and peak memory."""
        out = self.work / "scale"
        commands: dict[str, tuple[str, Callable[[], Run] | str]] = {}
        for pages, brief in self.inputs.sized.items():
            argv = self.osintkit("render", brief, "--format", "pdf", "--out", out)
            commands[f"scale.{pages}"] = (
                f"osintkit render, ~{pages} pages",
                lambda argv=argv: run(argv),  # type: ignore[misc]
            )
        self.measure("scale", commands, warmup=0)
        smallest = min(self.inputs.sized)
        for pages, brief in self.inputs.sized.items():
            case = self.cases[f"scale.{pages}"]
            pdf = out / f"{brief.stem}.pdf"
            case.pages = pdf_pages(pdf) if pdf.is_file() else None
            self.say(f"scale: ~{pages} pages, sampling memory per process")
            try:
                sampled = run_sampled(
                    self.osintkit("render", brief, "--format", "pdf", "--out", out)
                )
            except CommandFailed as exc:
                self.errors.append(str(exc))
                continue
            base = self.cases[f"scale.{smallest}"]
            self.scaling.append(
                {
                    "pages_aimed": pages,
                    "pages": case.pages,
                    "median_seconds": case.seconds,
                    "seconds_per_page": (
                        case.seconds / case.pages if case.seconds and case.pages else None
                    ),
                    "time_vs_smallest": (
                        case.seconds / base.seconds if case.seconds and base.seconds else None
                    ),
                    "max_rss_mib": case.max_rss_mib,
                    "cli_process_mib": sampled.peak(0) / MIB,
                    "render_child_mib": sampled.peak(1) / MIB,
                }
            )

    def worker_memory(self) -> None:
        """Peak memory of build workers and render children, 10 briefs against 40."""
        runs = max(1, min(self.repeat, 3))
        for count, briefs in sorted(self.inputs.build_sets.items()):
            samples: list[SampledRun] = []
            for i in range(runs):
                self.say(f"workers: build of {count} briefs, sampled ({i + 1}/{runs})")
                site = self.fresh(f"site-mem{count}")
                try:
                    argv = self.osintkit("build", briefs, "--out", site, "--jobs", str(self.jobs))
                    samples.append(run_sampled(argv))
                except CommandFailed as exc:
                    self.errors.append(str(exc))
                finally:
                    shutil.rmtree(site, ignore_errors=True)
                    shutil.rmtree(f"{site}-restricted", ignore_errors=True)
            if not samples:
                continue
            self.workers.append(
                {
                    "briefs": count,
                    "jobs": self.jobs,
                    "runs": len(samples),
                    "median_seconds": median([s.run.seconds for s in samples]),
                    "workers_seen": max(s.count(1) for s in samples),
                    "render_children_seen": max(s.count(2) for s in samples),
                    "main_mib": median([s.peak(0) for s in samples]) / MIB,
                    "worker_mib": median([s.peak(1) for s in samples]) / MIB,
                    "render_child_mib": median([s.peak(2) for s in samples]) / MIB,
                    "tree_total_mib": median([s.peak_total_rss_kib for s in samples]) / MIB,
                }
            )
        if len(self.workers) >= 2:
            small, large = self.workers[0], self.workers[-1]
            ratio = large["worker_mib"] / small["worker_mib"] if small["worker_mib"] else None
            child = (
                large["render_child_mib"] / small["render_child_mib"]
                if small["render_child_mib"]
                else None
            )
            for name, value in (("worker", ratio), ("render child", child)):
                self.targets.append(
                    Target(
                        f"peak memory per {name}, {large['briefs']} vs {small['briefs']} briefs",
                        f"{value:.2f}×" if value is not None else "n/a",
                        "≤ 1.1× (flat)",
                        value <= 1.1 if value is not None else None,
                    )
                )

    # -- results ------------------------------------------------------------------------

    def results(self, machine: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        """Everything measured, as JSON-ready data."""
        return {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine,
            "settings": settings,
            "cases": {key: case.to_json() for key, case in self.cases.items()},
            "comparisons": [dataclasses.asdict(c) for c in self.comparisons],
            "targets": [dataclasses.asdict(t) for t in self.targets],
            "scaling": self.scaling,
            "workers": self.workers,
            "warm_process": self.warm_process,
            "execve_calls": self.execve_calls,
            "errors": self.errors,
        }


def pdf_pages(path: Path) -> int | None:
    """The page count of a PDF (pdfinfo, else pypdf), or None if neither can tell."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        done = subprocess.run([pdfinfo, path], capture_output=True, text=True, check=False)
        match = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
        if match:
            return int(match.group(1))
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(path).pages)


def _newest(folder: Path) -> int:
    """The newest modification time of any file under ``folder`` (ns)."""
    return max((p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()), default=0)


def machine_info(tools: Tools) -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "cpu": _lscpu().get("Model name", platform.processor() or "?"),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(_meminfo_kib("MemTotal") / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
        "peak_rss_by": (
            "GNU time -f %M" if gnu_time() else "wait4 from the bench (an upper bound)"
        ),
    }
    info["osintkit_commit"] = _git("rev-parse", "--short", "HEAD")
    info["osintkit_tree"] = (
        "modified" if _git("status", "--porcelain", "--", "src", "report_templates") else "clean"
    )
    for package in ("weasyprint", "pydyf", "tinycss2", "fonttools", "osintkit"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            info[package] = metadata.version(package)
    for name, library, function in (
        ("pango", "libpango-1.0.so.0", "pango_version_string"),
        ("harfbuzz", "libharfbuzz.so.0", "hb_version_string"),
        ("cairo", "libcairo.so.2", "cairo_version_string"),
    ):
        try:
            call = getattr(ctypes.CDLL(library), function)
            call.restype = ctypes.c_char_p
            info[name] = call().decode()
        except (OSError, AttributeError):
            info[name] = None
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
        info["harfbuzz_subset"] = True
    except OSError:
        info["harfbuzz_subset"] = False
    if tools.pandoc is not None:
        done = subprocess.run([tools.pandoc, "--version"], capture_output=True, text=True)
        info["pandoc"] = done.stdout.splitlines()[0] if done.stdout else "?"
    else:
        info["pandoc"] = None
    return info


def calibrate(python: Path, runs: int = 3) -> float:
    """The fastest of ``runs`` timings of CALIBRATION in a fresh interpreter, in seconds."""
    code = f"import time; t = time.perf_counter(); {CALIBRATION}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(done.stdout))
    return min(times)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", ROOT, *args], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _lscpu() -> dict[str, str]:
    try:
        done = subprocess.run(["lscpu"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.SubprocessError):
        return {}
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in done.stdout.splitlines())
    }


def _meminfo_kib(key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


# -- Markdown ---------------------------------------------------------------------------


def _num(value: float | None, unit: str = "", digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def _holds(value: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "n/a"}[value]


def markdown(results: dict[str, Any]) -> str:
    """The results as a few small Markdown tables."""
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"Measured {results['date']} on {m['cpu']}, {m['cores_usable']} cores, "
        f"{m['memory_gib']} GiB; Python {m['python']}, WeasyPrint {m.get('weasyprint')}, "
        f"Pango {m.get('pango')}, HarfBuzz {m.get('harfbuzz')}, "
        f"{m.get('pandoc') or 'no pandoc'}; osintkit at {m.get('osintkit_commit') or '?'} "
        f"({m.get('osintkit_tree')} src/ and templates). {s['repeat']} runs per case"
        f"{' (--quick)' if s['quick'] else ''}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}; a fixed piece of Python "
        f"took {m['calibration_seconds_at_start']:.3f} s at the start and "
        f"{m['calibration_seconds_at_end']:.3f} s at the end (the core's speed drifts).",
        "",
        "| case | median | CPU | runs | peak RSS | pages |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in results["cases"].values():
        seconds = case["median_seconds"]
        shown = _num(seconds, " s") if seconds is not None else (case["note"] or "n/a")
        runs = str(len(case["seconds"]))
        if case["disturbed_runs"]:
            runs += f" ({case['disturbed_runs']} disturbed)"
        lines.append(
            f"| {case['label']} | {shown} | {_num(case['median_cpu_seconds'], ' s', 2)} "
            f"| {runs} | {_num(case['max_rss_mib'], ' MiB', 0)} | {case['pages'] or ''} |"
        )
    lines += ["", "| ratio (same run) | of medians | paired | target | holds |"]
    lines += ["| --- | ---: | ---: | --- | --- |"]
    for c in results["comparisons"]:
        lines.append(
            f"| {c['label']} | {_num(c['ratio'], '×', 2)} | {_num(c['paired_ratio'], '×', 2)} "
            f"| {c['target'] or ''} | {_holds(c['holds']) if c['target'] else ''} |"
        )
    lines += ["", "| target | measured | limit | holds |", "| --- | ---: | --- | --- |"]
    for t in results["targets"]:
        lines.append(f"| {t['label']} | {t['measured']} | {t['limit']} | {_holds(t['holds'])} |")
    if results["scaling"]:
        lines += [
            "",
            "| pages (aimed) | pages | median | s/page | time vs smallest | peak RSS "
            "| CLI process | render child |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in results["scaling"]:
            lines.append(
                f"| {row['pages_aimed']} | {row['pages']} | {_num(row['median_seconds'], ' s', 2)}"
                f" | {_num(row['seconds_per_page'], ' s', 3)} "
                f"| {_num(row['time_vs_smallest'], '×', 2)} "
                f"| {_num(row['max_rss_mib'], ' MiB', 0)} "
                f"| {_num(row['cli_process_mib'], ' MiB', 0)} "
                f"| {_num(row['render_child_mib'], ' MiB', 0)} |"
            )
    if results["workers"]:
        lines += [
            "",
            "| build | jobs | median | main | per worker | per render child | whole tree |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in results["workers"]:
            lines.append(
                f"| {row['briefs']} briefs | {row['jobs']} "
                f"| {_num(row['median_seconds'], ' s', 2)} "
                f"| {_num(row['main_mib'], ' MiB', 0)} | {_num(row['worker_mib'], ' MiB', 0)} "
                f"| {_num(row['render_child_mib'], ' MiB', 0)} "
                f"| {_num(row['tree_total_mib'], ' MiB', 0)} |"
            )
    warm = results.get("warm_process") or {}
    if warm:
        lines += [
            "",
            f"Warm process: imports and font set-up {warm['imports_and_warm_up_seconds']:.2f} s; "
            f"RSS {warm['rss_after_warmup_kib'] / MIB:.0f} MiB after warm-up, "
            f"{warm['rss_end_kib'] / MIB:.0f} MiB after the loop.",
        ]
    if results.get("execve_calls"):
        lines += [
            "",
            "Programs a render started:",
            "",
            *(f"    {e}" for e in results["execve_calls"]),
        ]
    if results["errors"]:
        lines += ["", "Errors:", "", *(f"    {e}" for e in results["errors"])]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _work_folder(keep: bool) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="osintkit-bench-"))
    try:
        yield folder
    finally:
        if keep:
            print(f"bench: inputs and outputs kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; returns 0, or 1 if a measured command failed."""
    parser = argparse.ArgumentParser(
        description="osintkit's benchmark suite", formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 runs per case instead of 5")
    parser.add_argument("--repeat", type=int, help="runs per case (default 5, --quick 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--only", nargs="+", choices=GROUPS, default=list(GROUPS), help="groups to run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="the src/ folder of another osintkit (e.g. `git archive` of an older commit):\n"
        "its `render` runs interleaved with this one's, for a before/after of one run",
    )
    parser.add_argument(
        "--wait-budget",
        type=float,
        default=900.0,
        help="seconds in all to wait, before runs, for other processes to leave the cores\n"
        "a run needs (at most 15 s each time; 0: never wait; disturbed runs are still\n"
        "run again and counted)",
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 5)

    tools = Tools.find()
    machine = machine_info(tools)
    machine["calibration_seconds_at_start"] = calibrate(tools.python)
    with _work_folder(args.keep) as work:
        inputs = generate(work / "briefs")
        patience = Patience(args.wait_budget)
        bench = Bench(tools, inputs, work, repeat, patience)
        bench.baseline = args.baseline.resolve() if args.baseline else None
        steps: dict[str, Callable[[], None]] = {
            "startup": bench.startup,
            "render": bench.render,
            "execs": bench.execs,
            "preview": bench.preview,
            "warm": bench.warm,
            "build": bench.build,
            "scale": bench.scale,
            "workers": bench.worker_memory,
        }
        for group in GROUPS:
            if group in args.only:
                try:
                    steps[group]()
                except CommandFailed as exc:
                    bench.errors.append(f"{group}: {exc}")
        machine["load_average_at_end"] = os.getloadavg()
        machine["calibration_seconds_at_end"] = calibrate(tools.python)
        settings = {
            "repeat": repeat,
            "quick": args.quick,
            "groups": args.only,
            "wait_budget": args.wait_budget,
            "waited_seconds": round(patience.waited, 1),
            "disturbed_above_cores": DISTURBED_CORES,
        }
        results = bench.results(machine, settings)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    text = markdown(results)
    (args.out / "latest.md").write_text(text, encoding="utf-8")
    print(text)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
