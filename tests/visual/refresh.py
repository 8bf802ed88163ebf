"""Refresh the visual baselines after an intended change to the look:

    python -m tests.visual.refresh                      all samples
    python -m tests.visual.refresh persian-files-29-2   one

Renders each sample as tests/test_visual.py does, replaces tests/visual/<sample>/page-N.png and
prints what it wrote. The same render gives the same PNG bytes, so refreshing twice changes
nothing and `git status` shows only the pages whose look changed.
"""

from __future__ import annotations

import sys

from .pages import BRIEFS, HERE, SAMPLES, rasterise, render, tools_missing, write_baselines


def main(argv: list[str]) -> int:
    """Refresh the samples named in ``argv`` (all when none); the exit code."""
    unknown = [name for name in argv if name not in SAMPLES]
    if unknown:
        print(f"refresh: unknown samples {unknown}; the samples are {list(SAMPLES)}")
        return 2
    missing = tools_missing()
    if missing:
        print(f"refresh: {', '.join(missing)} missing: run `bash scripts/setup.sh --dev`")
        return 1
    for sample in argv or SAMPLES:
        written = write_baselines(sample, rasterise(render(BRIEFS / f"{sample}.yaml")))
        size = sum(path.stat().st_size for path in written)
        print(f"{HERE / sample}: {len(written)} pages, {size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
