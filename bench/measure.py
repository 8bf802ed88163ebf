"""Timing, CPU and memory of commands, measured side by side on a shared machine.

A run's wall time is taken around starting the command and waiting for it; its CPU time
(user + system, the command and every descendant it waited for) comes from ``wait4``. Its
peak memory is the command's ``ru_maxrss``: the largest resident set of the process and of
every descendant it waited for (a render child, a build worker). That figure is read by GNU
time (``/usr/bin/time -f %M``), a small program that starts the command itself: Linux
carries the high-water mark across ``exec``, so a command started straight from this process
(which has osintkit imported) would report at least this process's size. Without GNU time,
the bench's own ``wait4`` figure is used, an upper bound. Where memory per process matters
(build workers against render children), :func:`run_sampled` reads each descendant's
``VmHWM`` from ``/proc`` while the command runs.

The machine is shared and noisy. Cases compared with each other run interleaved, round after
round, each round in a rotated order, so a noisy neighbour slows them alike. Each run says
how many cores it needs (its *demand*: 1 for a command that works one process at a time,
the number of jobs for a parallel build). Before each run the bench waits, within a budget
(:class:`Patience`), until the other processes leave it that many cores, and it counts the
CPU time they took during the run (``/proc/stat`` minus the run's own): a run during which
they took more than the spare cores plus a quarter of one is *disturbed* and run again, up to
twice; one that stays disturbed is kept and counted as such in the results.
"""

from __future__ import annotations

import functools
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class CommandFailed(RuntimeError):
    """A measured command exited with a non-zero status."""


#: Cores' worth of CPU other processes may take during a run before it counts as disturbed.
DISTURBED_CORES = 0.25
#: /proc/stat counts in these ticks; its resolution is why a little slack is allowed.
_TICK = 1 / os.sysconf("SC_CLK_TCK")
#: Cores this process (and so the commands it runs) may use.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _allowed(demand: float) -> float:
    """Cores' worth of CPU others may use beside a run that needs ``demand`` cores."""
    return max(CORES - demand, 0.0) + DISTURBED_CORES


@dataclass(frozen=True, slots=True)
class Run:
    """One run: wall seconds, peak RSS of the largest process (KiB), CPU seconds it used,
    and the CPU seconds every other process on the machine used meanwhile."""

    seconds: float
    max_rss_kib: int = 0
    cpu_seconds: float = 0.0
    others_cpu_seconds: float = 0.0
    #: Cores the run needs: 1, or the jobs of a parallel build.
    demand: float = 1.0

    @property
    def disturbed(self) -> bool:
        """Whether other processes took some of the cores this run needed."""
        return self.others_cpu_seconds > _allowed(self.demand) * self.seconds + 3 * _TICK


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (idle and iowait left out)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:  # noqa: PTH123
            fields = handle.readline().split()[1:9]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields)
    return (user + nice + system + irq + softirq + steal) * _TICK


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:  # noqa: PTH123
            stat = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its end.
    return stat[stat.rfind(b")") + 2 :].split()


def process_tree_cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds used by ``pid`` (default: this process), its reaped children and its
    living descendants (a render child kept warm across renders is one: its time reaches
    RUSAGE_CHILDREN only when it exits)."""
    pid = os.getpid() if pid is None else pid
    total = 0.0
    for member in _tree(pid):
        fields = _stat_fields(member)
        if fields is None:
            continue
        # utime, stime, then cutime, cstime: the children this process has reaped.
        total += sum(int(f) for f in fields[11:15]) * _TICK
    return total


def wait_for_quiet(max_wait: float, demand: float = 1.0, window: float = 0.25) -> float:
    """Wait until other processes leave ``demand`` cores idle for a ``window``.

    Waits ``max_wait`` s at most; returns the seconds waited. This process must be idle
    meanwhile (it is).
    """
    started = time.perf_counter()
    while True:
        before = busy_cpu_seconds()
        time.sleep(window)
        if busy_cpu_seconds() - before < _allowed(demand) * window + _TICK:
            break
        if time.perf_counter() - started >= max_wait:
            break
    return time.perf_counter() - started


class Patience:
    """How long the bench waits for quiet: ``per_run`` s at most each time, ``total`` in all.

    On a machine that never quietens, the bench then measures anyway once the budget is
    spent, and the disturbed runs say so.
    """

    def __init__(self, total: float, per_run: float = 15.0) -> None:
        self.remaining = total
        self.per_run = per_run
        self.waited = 0.0

    def wait(self, demand: float = 1.0) -> None:
        """Wait for ``demand`` idle cores, within the budget."""
        if self.remaining <= 0 or self.per_run <= 0:
            return
        waited = wait_for_quiet(min(self.per_run, self.remaining), demand)
        self.remaining -= waited
        self.waited += waited


@dataclass(slots=True)
class ProcessPeak:
    """The peak resident set (VmHWM) one process of a sampled run reached, in KiB."""

    pid: int
    depth: int  # 0: the command itself, 1: its children, 2: their children
    name: str
    hwm_kib: int = 0


@dataclass(slots=True)
class SampledRun:
    """A run with the peak of every process seen in it and the peak sum over all of them."""

    run: Run
    processes: list[ProcessPeak] = field(default_factory=list)
    #: The largest sum of the processes' resident sets seen at one sample, in KiB.
    peak_total_rss_kib: int = 0

    def peak(self, depth: int) -> int:
        """The largest VmHWM among processes at ``depth`` (0 if there were none)."""
        return max((p.hwm_kib for p in self.processes if p.depth == depth), default=0)

    def count(self, depth: int) -> int:
        """How many processes were seen at ``depth``."""
        return sum(p.depth == depth for p in self.processes)


@functools.cache
def gnu_time() -> str | None:
    """The path of GNU time if it is installed and understands ``-f %M -o FILE``."""
    path = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if path is None:
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        try:
            subprocess.run(
                [path, "-f", "%M", "-o", out.name, "true"], check=True, capture_output=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return path if out.read().strip().isdigit() else None


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 1200.0,
    on_start: Callable[[int], None] | None = None,
    trampoline: bool = True,
    demand: float = 1.0,
) -> Run:
    """Run ``argv`` to completion and return its wall time and peak RSS.

    With ``trampoline`` (and GNU time installed), GNU time starts the command and reports
    its peak RSS; the process ``on_start`` is given is then GNU time's. Standard output is
    discarded and standard error kept in a temporary file for the error message. Raises
    :class:`CommandFailed` if it exits non-zero or is killed at ``timeout``.
    """
    command = [os.fspath(a) for a in argv]
    timer_program = gnu_time() if trampoline else None
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as rss:
        if timer_program is not None:
            command = [timer_program, "-f", "%M", "-o", rss.name, *command]
        busy_before = busy_cpu_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        if on_start is not None:
            on_start(process.pid)
        try:
            # wait4, not Popen.wait: only it gives the resource usage of this one child.
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        busy = busy_cpu_seconds() - busy_before
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            shown = " ".join(os.fspath(a) for a in argv)
            raise CommandFailed(f"{shown} exited with {process.returncode}:\n{tail}")
        max_rss = int(usage.ru_maxrss)
        if timer_program is not None:
            lines = rss.read().split()
            max_rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, max_rss, cpu, max(0.0, busy - cpu), demand)


def run_sampled(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    interval: float = 0.02,
) -> SampledRun:
    """Run ``argv`` like :func:`run`, reading every descendant's memory each ``interval`` s.

    The sampling costs a little CPU: use it for memory, and :func:`run` for timing.
    """
    result = SampledRun(Run(0.0, 0))
    seen: dict[int, ProcessPeak] = {}
    root: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if root:
                total = 0
                for pid, depth in _tree(root[0]).items():
                    status = _status(pid)
                    if not status:
                        continue
                    peak = seen.get(pid)
                    if peak is None:
                        peak = seen[pid] = ProcessPeak(pid, depth, status.get("Name", "?"))
                    peak.hwm_kib = max(peak.hwm_kib, _kib(status.get("VmHWM")))
                    total += _kib(status.get("VmRSS"))
                result.peak_total_rss_kib = max(result.peak_total_rss_kib, total)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result.run = run(argv, cwd=cwd, env=env, on_start=root.append, trampoline=False)
    finally:
        done.set()
        sampler.join()
    result.processes = sorted(seen.values(), key=lambda p: (p.depth, p.pid))
    return result


def _tree(pid: int) -> dict[int, int]:
    """``pid`` and its living descendants, each with its depth below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    depths = {pid: 0}
    queue = [pid]
    while queue:
        parent = queue.pop()
        for child in children.get(parent, []):
            depths[child] = depths[parent] + 1
            queue.append(child)
    return depths


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _kib(value: str | None) -> int:
    """'123456 kB' → 123456."""
    if not value:
        return 0
    return int(value.split()[0])


def interleaved(
    cases: Mapping[str, Callable[[], Run]],
    repeat: int,
    warmup: int = 1,
    progress: Callable[[str], None] | None = None,
    patience: Patience | None = None,
    demands: Mapping[str, float] | None = None,
    retries: int = 2,
) -> tuple[dict[str, list[Run]], dict[str, str]]:
    """Run every case ``repeat`` times, round by round, after ``warmup`` unmeasured rounds.

    Each round starts one case later than the one before, so no case is always the first
    after a pause or always follows the heaviest one. Before each run, waits (``patience``)
    for the cores the case needs (``demands``, default 1); a disturbed run is run again up
    to ``retries`` times, and the last attempt is kept either way. Returns the runs of each
    case, and the error of each case whose command failed (it is not run again).
    """
    names = list(cases)
    runs: dict[str, list[Run]] = {name: [] for name in names}
    failed: dict[str, str] = {}
    for round_ in range(-warmup, repeat):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            if name in failed:
                continue
            label = "warm-up" if round_ < 0 else f"{round_ + 1}/{repeat}"
            for attempt in range(retries + 1):
                if patience is not None:
                    patience.wait((demands or {}).get(name, 1.0))
                if progress is not None:
                    again = ", again: disturbed" if attempt else ""
                    progress(f"{name} ({label}{again})")
                try:
                    result = cases[name]()
                except CommandFailed as exc:
                    failed[name] = str(exc)
                    break
                if round_ < 0 or not result.disturbed:
                    break
            if round_ >= 0 and name not in failed:
                runs[name].append(result)
    return runs, failed


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return float(statistics.median(values))
