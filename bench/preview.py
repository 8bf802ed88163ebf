"""From a save of the brief to the new report served by ``osintkit preview``.

Starts ``osintkit preview --no-open`` (``--pdf`` for the paginated PDF) on a copy of the
brief, listens to its event stream as the page's script does, and for each round changes one
comment line of the brief, then waits for the new build's event and fetches the new report
(the PDF, or the page): the time from the write's return to the last byte received. That is
what an analyst waits for, the watcher's 50 ms of quiet after a write included.
"""

from __future__ import annotations

import contextlib
import queue
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from osintkit.preview.page import EVENTS_PATH, PDF_PATH

_URL_RE = re.compile(r"http://127\.0\.0\.1:\d+/")
#: Seconds to wait for the server's URL, and for one rebuild.
_TIMEOUT = 120.0


@contextlib.contextmanager
def _server(argv: Sequence[str | Path]) -> Iterator[str]:
    process = subprocess.Popen(
        [str(a) for a in argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # "built …", then "previewing … at <url>"
            found = _URL_RE.search(line)
            if found is not None:
                break
        else:
            raise RuntimeError("preview exited without printing its URL")
        # Its later lines are not read: the pipe's buffer holds far more than a bench prints.
        yield found.group(0)
    finally:
        process.kill()
        process.wait()


def _events(url: str, into: queue.Queue[str]) -> None:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=_TIMEOUT) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                into.put(line[6:])


def save_to_served(osintkit: Path, brief: Path, rounds: int, pdf: bool) -> list[float]:
    """Seconds from each save of ``brief`` to its new report fully fetched, ``rounds`` times
    after one warm-up round. ``brief`` is changed (one comment line at its end)."""
    original = brief.read_text(encoding="utf-8")
    argv: list[str | Path] = [osintkit, "preview", brief, "--no-open", "--port", "0"]
    if pdf:
        argv.append("--pdf")
    seconds: list[float] = []
    with _server(argv) as base:
        generations: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=_events, args=(base + EVENTS_PATH.lstrip("/"), generations), daemon=True
        ).start()
        current = generations.get(timeout=_TIMEOUT)  # the first build
        report = base + (PDF_PATH.lstrip("/") if pdf else "")
        for round_ in range(rounds + 1):
            brief.write_text(f"{original}\n# bench round {round_}\n", encoding="utf-8")
            saved = time.perf_counter()
            deadline = saved + _TIMEOUT
            while (generation := generations.get(timeout=deadline - time.perf_counter())) == (
                current
            ):
                pass
            current = generation
            with urllib.request.urlopen(report, timeout=_TIMEOUT) as answer:
                answer.read()
            if round_:  # the first is a warm-up
                seconds.append(time.perf_counter() - saved)
    brief.write_text(original, encoding="utf-8")
    return seconds
