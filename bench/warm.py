"""Warm re-rendering in one process, as a preview server or a build worker does it.

``python bench/warm.py BRIEF --repeat N`` imports everything, renders once to warm up, then
renders ``BRIEF`` N times per case, the cases interleaved round by round, and prints JSON:
each case's seconds, the pages it made, and this process's memory before and after the
loop (a growing resident set across re-renders is a leak a preview would feel).

Cases: osintkit's pipeline (load_brief → render_brief, as ``render``, ``build`` and
``preview`` run it) in this process (``RenderLimits(sandbox=False)``) and with the default
child-process limits, the pieces of that pipeline on their own, and bare WeasyPrint on the
same HTML with one shared FontConfiguration.

Before those, while nothing has been laid out in this process yet, the same pipeline with
the default limits runs ``--repeat`` times on its own: that is a build worker's situation,
a process that never lays out a document itself and leaves every render to its render
child. Whatever WeasyPrint fills on first use (hyphenation dictionaries, cffi's parsed C
types, font data) is then filled in the child, and kept or thrown away as long as the child
lives. It cannot be interleaved with the other cases, which would warm this process.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench.measure import (  # noqa: E402
    Patience,
    Run,
    busy_cpu_seconds,
    process_tree_cpu_seconds,
)


def _timed(call: Callable[[], int]) -> tuple[Run, int]:
    """Run ``call`` once: its Run (wall, CPU, others' CPU meanwhile) and what it returned."""
    busy, cpu = busy_cpu_seconds(), process_tree_cpu_seconds()
    begin = time.perf_counter()
    pages = call()
    seconds = time.perf_counter() - begin
    used = process_tree_cpu_seconds() - cpu
    return Run(seconds, 0, used, max(0.0, busy_cpu_seconds() - busy - used)), pages


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Measure and print the JSON described in the module docstring; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("brief", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--wait-budget", type=float, default=120.0)
    parser.add_argument("--retries", type=int, default=2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from osintkit.render.html import render_html
    from osintkit.render.pdf import RenderLimits, render_pdf, warm_up
    from osintkit.report import render_brief, template_for
    from osintkit.validation import load_brief

    warm_up()
    imports = time.perf_counter() - started

    path: Path = args.brief.resolve()
    loaded = load_brief(path)
    template = template_for(loaded)
    rendered_html = render_html(loaded, template)
    html = rendered_html.text
    base = path.parent.as_uri() + "/"
    font_config = FontConfiguration()
    in_process = RenderLimits(sandbox=False)

    def osintkit_pipeline(limits: RenderLimits) -> Callable[[], int]:
        def once() -> int:
            rendered = render_brief(load_brief(path), formats=("pdf",), limits=limits)
            assert rendered.pages is not None
            return rendered.pages

        return once

    def load_only() -> int:
        load_brief(path)
        return 0

    def html_only() -> int:
        render_html(load_brief(path), template)
        return 0

    def pdf_only() -> int:
        return render_pdf(rendered_html, in_process).pages

    def bare() -> int:
        document = HTML(string=html, base_url=base).render(font_config=font_config)
        document.write_pdf()
        return len(document.pages)

    cases: dict[str, Callable[[], int]] = {
        "osintkit_in_process": osintkit_pipeline(in_process),
        "osintkit_child": osintkit_pipeline(RenderLimits()),
        "weasyprint_warm": bare,
        "load_brief": load_only,
        "render_html": html_only,
        "render_pdf_in_process": pdf_only,
    }
    runs: dict[str, list[Run]] = {name: [] for name in cases}
    # A render takes a fraction of a second: wait briefly for quiet, and often.
    patience = Patience(args.wait_budget, per_run=2.0)
    pages: dict[str, int] = {}

    def measured(name: str, call: Callable[[], int]) -> Run:
        for _ in range(args.retries + 1):
            patience.wait()
            run, pages[name] = _timed(call)
            if not run.disturbed:
                break
        return run

    # First, while this process has rendered nothing (see the module docstring).
    cold_parent = osintkit_pipeline(RenderLimits())
    runs["osintkit_child_cold_parent"] = [
        measured("osintkit_child_cold_parent", cold_parent) for _ in range(args.repeat)
    ]
    names = list(cases)
    rss_after_warmup = 0
    for round_ in range(-args.warmup, args.repeat):
        if round_ == 0:
            rss_after_warmup = _rss_kib()
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            run = measured(name, cases[name])
            if round_ >= 0:
                runs[name].append(run)
    result: dict[str, Any] = {
        "brief": str(path),
        "imports_and_warm_up_seconds": imports,
        "runs": {name: [dataclasses.asdict(r) for r in rs] for name, rs in runs.items()},
        "pages": pages,
        "rss_after_warmup_kib": rss_after_warmup,
        "rss_end_kib": _rss_kib(),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "max_rss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
