"""What tagging a PDF costs: the same briefs rendered tagged and untagged, interleaved.

``python bench/tagging.py [--repeat N]`` renders the reference brief, the longer sample (10
pages, figures, tables, footnotes) and the bench's synthetic 20-page brief, each to its HTML
once, then that HTML to a PDF in this process (``render_pdf`` with
``RenderLimits(sandbox=False)``) tagged (``PdfOptions()``, what every render now does) and
untagged (``PdfOptions(tagged=False)``), the two cases alternating which goes first, round
by round, after a warm-up round. Prints a Markdown table: the median seconds of each, their
ratio and the median of the round-by-round ratios ("paired"), the median CPU seconds of this
process (less disturbed by a busy machine than the wall clock), and the PDFs' sizes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench.inputs import generate  # noqa: E402
from bench.measure import Patience, median  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table described in the module docstring; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--wait-budget", type=float, default=120.0)
    args = parser.parse_args(argv)

    from osintkit.render.html import RenderedHtml, render_html
    from osintkit.render.pdf import PdfOptions, RenderLimits, render_pdf, warm_up
    from osintkit.report import template_for
    from osintkit.validation import load_brief

    warm_up()
    in_process = RenderLimits(sandbox=False)
    with tempfile.TemporaryDirectory(prefix="osintkit-tagging-") as folder:
        inputs = generate(Path(folder), sizes=(20,), build_counts=())
        briefs = {
            "reference (4 pages)": inputs.reference,
            "longer sample": ROOT / "briefs" / "persian-files-long-sample.yaml",
            "synthetic 20 pages": inputs.sized[20],
        }
        patience = Patience(args.wait_budget, per_run=2.0)
        print(
            "| brief | pages | untagged | tagged | ratio | paired | CPU untagged → tagged "
            "| size untagged → tagged |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, path in briefs.items():
            loaded = load_brief(path)
            html = render_html(loaded, template_for(loaded))
            cases: dict[str, Callable[[], tuple[int, int]]] = {}
            for tagged in (False, True):
                options = PdfOptions(tagged=tagged)

                def once(
                    options: PdfOptions = options, html: RenderedHtml = html
                ) -> tuple[int, int]:
                    result = render_pdf(html, in_process, options)
                    return result.pages, len(result.data)

                cases["tagged" if tagged else "untagged"] = once
            seconds: dict[str, list[float]] = {"untagged": [], "tagged": []}
            cpu_seconds: dict[str, list[float]] = {"untagged": [], "tagged": []}
            made: dict[str, tuple[int, int]] = {}
            order = list(cases)
            for round_ in range(-1, args.repeat):
                for case in order if round_ % 2 else order[::-1]:
                    patience.wait()
                    begin, cpu = time.perf_counter(), time.process_time()
                    made[case] = cases[case]()
                    if round_ >= 0:
                        seconds[case].append(time.perf_counter() - begin)
                        cpu_seconds[case].append(time.process_time() - cpu)
            plain, tagged_ = median(seconds["untagged"]), median(seconds["tagged"])
            paired = statistics.median(
                t / u for t, u in zip(seconds["tagged"], seconds["untagged"], strict=True)
            )
            cpu_plain, cpu_tagged = median(cpu_seconds["untagged"]), median(cpu_seconds["tagged"])
            size = f"{made['untagged'][1] // 1024} → {made['tagged'][1] // 1024} KiB"
            print(
                f"| {name} | {made['tagged'][0]} | {plain:.3f} s | {tagged_:.3f} s "
                f"| {tagged_ / plain:.2f} | {paired:.2f} "
                f"| {cpu_plain:.3f} → {cpu_tagged:.3f} s ({cpu_tagged / cpu_plain:.2f}) | {size} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
