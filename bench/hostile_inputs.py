"""Hostile briefs just under the size cap: how long each takes to refuse, and how much memory.

    .venv/bin/python bench/hostile_inputs.py [--only SHAPE …] [--timeout SECONDS]

Every shape is a YAML file a little under ``loader.MAX_FILE_BYTES`` that attacks one part of
the loader: the composer (a million nodes, deep nesting, aliases), the scanner (one long tag,
anchor or scalar), the error list (a duplicate key a third of a million times), the document
stream. Each is loaded once with ``validation.load_brief`` in a fresh process, which reports
its wall and CPU seconds, its peak RSS (``resource.getrusage``, so Python and the imports are
in it: about 60 MiB for nothing at all), how many problem lines the error has and how long
the longest is. The shapes are importable (``SHAPES``) so tests/test_loader.py can bound the
same inputs without timing them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "briefs" / "series.yaml"
#: A little under loader.MAX_FILE_BYTES (2 MiB), so no shape is refused for its size alone.
SIZE = 2 * 1024 * 1024 - 4096


def _fill(head: str, unit: str, tail: str = "", size: int = SIZE) -> str:
    """``head``, then ``unit`` as many times as fits in ``size`` bytes, then ``tail``."""
    room = size - len((head + tail).encode())
    return head + unit * (room // len(unit.encode())) + tail


def _nested(opening: str, closing: str, size: int) -> str:
    half = size // 2 // len(opening)
    return opening * half + closing * half


SHAPES: dict[str, Callable[[int], str]] = {
    "duplicate keys": lambda size: _fill("{", "a: 1, ", "}", size),
    "flow sequence of 1M items": lambda size: _fill("[", "1,", "1]", size),
    "block mapping of 100k keys": lambda size: "".join(
        f"k{i:07d}: {'x' * max(1, size // 100_000 - 12)}\n" for i in range(100_000)
    )[:size],
    "deeply nested flow": lambda size: _nested("[", "]", size),
    "deeply nested flow mappings": lambda size: _fill("", "{a: ", "", size),
    "deeply nested block": lambda size: "".join(f"{' ' * i}a:\n" for i in range(2000))[:size],
    "deeply nested block sequences": lambda size: _fill("", "- ", "x\n", size),
    "one long tag": lambda size: _fill("title: !", "a", " x\n", size),
    "one long anchor": lambda size: _fill("title: &", "a", " x\n", size),
    "one long alias": lambda size: _fill("title: *", "a", "\n", size),
    "one long plain scalar": lambda size: _fill("title: ", "a", "\n", size),
    "one long key": lambda size: _fill("", "a", ": x\n", size),
    "long quoted scalar of escapes": lambda size: _fill('title: "', "\\x41", '"\n', size),
    "many aliases": lambda size: _fill("a: &a [1, 2, 3]\nb: [", "*a, ", "*a]\n", size),
    "long lines of [[[[": lambda size: _fill("", "[" * 1000 + "\n", "", size),
    "one long comment": lambda size: _fill("title: x  #", "c", "\n", size),
    "one long run of spaces": lambda size: _fill("title:", " ", "x\n", size),
    "many blank lines": lambda size: _fill("title: x\n", "\n", "", size),
    "one long block scalar": lambda size: _fill("title: |\n", "  " + "x" * 78 + "\n", "", size),
    "many documents": lambda size: _fill("", "---\na: 1\n", "", size),
    "many empty documents": lambda size: _fill("", "---\n", "", size),
    "many unknown fields": lambda size: "".join(
        f"k{i:04d}{'x' * (size // 4000 - 12)}: 1\n" for i in range(4000)
    ),
    "many unknown citations": lambda size: _fill("background: |\n ", " [@nope]", "\n", size),
    "many citations in many fields": lambda size: (
        "challenges:\n  items:\n"
        + "".join(f"  - {{label: x, text: '{' [@nope]' * 600}'}}\n" for i in range(400))
    ),
    "many sources, chronology citing none": lambda size: (
        "sources:\n"
        + "".join(f"  - {{id: source-{i:05d}, title: x}}\n" for i in range(1200))
        + "timeline:\n"
        + "".join(f"  - {{date: 2000, event: x, source: nope-{i:05d}}}\n" for i in range(400))
    ),
    "many bad escapes": lambda size: _fill("title: [", '"\\x01", ', '"\\x01"]\n', size),
    "many unsupported tags": lambda size: _fill("title: [", "!x 1, ", "!x 1]\n", size),
    "many long keys": lambda size: _fill("", "k" * 1000 + ": 1\n", "", size),
}

#: Run in a fresh process: load one brief, report the cost and the shape of the error.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from osintkit.errors import BriefErrors
from osintkit.validation import load_brief
imported = time.perf_counter()
try:
    load_brief(Path(sys.argv[1]))
    lines = []
except BriefErrors as exc:
    lines = str(exc).splitlines()
end = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "seconds": end - imported,
    "cpu": usage.ru_utime + usage.ru_stime,
    "rss_mib": usage.ru_maxrss / 1024,
    "lines": len(lines),
    "longest": max(map(len, lines), default=0),
    "first": lines[0][:160] if lines else "",
}))
"""


def write_shape(name: str, folder: Path, size: int = SIZE) -> Path:
    """Write shape ``name`` as ``folder/brief.yaml`` beside a copy of the series registry."""
    (folder / "series.yaml").write_bytes(REGISTRY.read_bytes())
    path = folder / "brief.yaml"
    text = SHAPES[name](size)
    assert len(text.encode()) <= size, name
    path.write_text(text, encoding="utf-8")
    return path


def measure(
    path: Path, timeout: float, cpu_limit: int | None = None, memory_limit: int | None = None
) -> dict[str, object]:
    """Load ``path`` in a fresh Python; return what the child reported, or why it stopped.

    ``cpu_limit`` (seconds) and ``memory_limit`` (bytes of address space) are rlimits of the
    child: a child that passes one is stopped, and the result says so.
    """

    def limit() -> None:
        if cpu_limit is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit))
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    # The osintkit on PYTHONPATH if one is set (to measure another checkout), else this one's.
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT / "src")}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            preexec_fn=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"stopped": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"stopped": f"exit {done.returncode}: {done.stderr.strip()[-200:]}"}
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every shape (or those named) and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SHAPES), metavar="SHAPE")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per shape")
    args = parser.parse_args(argv)
    print("| shape | seconds | CPU s | peak RSS MiB | problem lines | longest line | first line |")
    print("|---|--:|--:|--:|--:|--:|---|")
    for name in args.only or SHAPES:
        with tempfile.TemporaryDirectory() as folder:
            got = measure(write_shape(name, Path(folder)), args.timeout)
        if "stopped" in got:
            print(f"| {name} | {got['stopped']} | | | | | |", flush=True)
            continue
        first = str(got["first"]).split("brief.yaml:", 1)[-1].replace("|", "\\|")
        print(
            f"| {name} | {got['seconds']:.2f} | {got['cpu']:.2f} | {got['rss_mib']:.0f} "
            f"| {got['lines']} | {got['longest']} | `{first[:90]}` |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
