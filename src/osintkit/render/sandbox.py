"""The render child: a forked process, kept warm, that renders within a time and a memory limit.

A brief is untrusted input and so is a template someone sent: a 1 KB SVG ``<use>`` bomb keeps
WeasyPrint busy for minutes, a huge table takes gigabytes. The render therefore runs in a
child that this process stops when it overruns its time, that the kernel stops when it
overruns its memory, and that dies with this process (:func:`processes.die_with_parent`).

The module knows processes, not PDFs: what the child does is a :class:`ChildWork` given by
its caller (render/pdf.py), so this module imports nothing of the renderer.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osintkit.errors import RenderError


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """How long and how much memory one PDF render may take before it is stopped.

    ``sandbox=False`` renders in the calling process instead, with no limit at all: for a
    benchmark or a test of the renderer itself, never for a brief from someone else.
    """

    seconds: float = 60.0
    memory_mib: int = 2048
    sandbox: bool = True


#: The limits of ``osintkit render`` without options, and of every function given none.
DEFAULT_LIMITS = RenderLimits()


@dataclass(frozen=True, slots=True)
class ChildWork:
    """What a render child does: set itself up once, then answer one request after another.

    ``answer`` runs in the child and returns a picklable result; it raises
    :class:`RenderError` for a failure to report, MemoryError when the budget ran out.
    ``environment``, called in the child before ``warm_up``, gives variables set in the
    child's environment alone (this process's is left as it is).
    """

    warm_up: Callable[[], None]
    answer: Callable[[Any], object]
    environment: Callable[[], Mapping[str, str]] = dict


def can_fork() -> bool:
    """Whether this platform can fork a render child (elsewhere renders run in-process)."""
    return hasattr(os, "fork")


def start_renderer(work: ChildWork, limits: RenderLimits = DEFAULT_LIMITS) -> None:
    """Start the render child now, so it is warm by the time the first request comes.

    A command that will render calls this first: the child's imports and set-up then overlap
    with the brief's validation and HTML rendering.
    """
    if limits.sandbox and can_fork():
        with _worker_lock:
            _worker.get(work, limits.memory_mib)


def run_in_child(work: ChildWork, request: object, limits: RenderLimits) -> object:
    """Return the render child's answer to ``request``, within ``limits``.

    Raises :class:`RenderError` when the child fails, overruns its time or its memory (a
    child that had rendered before gets the request once more, alone in a fresh child).
    """
    with _worker_lock:
        worker = _worker.get(work, limits.memory_mib)
        try:
            return worker.ask(request, limits)
        except _OutOfMemory:
            if worker.renders == 1:
                raise _memory_error(limits) from None
        # A worker that had rendered before may have held memory a fresh one would not: the
        # document gets one more try, alone in a new child.
        worker = _worker.get(work, limits.memory_mib)
        try:
            return worker.ask(request, limits)
        except _OutOfMemory:
            raise _memory_error(limits) from None


def _memory_error(limits: RenderLimits) -> RenderError:
    return RenderError(
        f"PDF rendering needed more than {limits.memory_mib} MiB of memory and was stopped"
    )


class _OutOfMemory(Exception):
    """The render child ran out of its memory budget (and has been stopped)."""


#: Renders a worker may do before it is replaced, so whatever it keeps cannot grow forever.
_RENDERS_PER_WORKER = 50


class _RenderWorker:
    """A forked child that answers one request after another within the memory limit.

    Forking once and keeping the child warm (fonts loaded, caches filled) costs a re-render
    nothing over rendering in this process; forking for every render cost about 15 % more,
    and a child of a process that had never rendered redid the font set-up every time. A
    child that overruns its time, runs out of memory or crashes is killed and replaced.
    """

    def __init__(self, work: ChildWork, memory_mib: int) -> None:
        # Imported here, not above: `osintkit --help` imports this module (for the limits)
        # and should not pay for multiprocessing.
        import multiprocessing

        from osintkit.processes import start_ignoring_interrupts

        # The child warms up itself: started early (see start_renderer), that work runs on
        # another core while this process validates the brief and renders its HTML.
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe(duplex=True)
        self.work = work
        self.memory_mib = memory_mib
        self.renders = 0
        self.process = context.Process(
            target=_worker_main, args=(child_end, work, memory_mib, os.getpid()), daemon=True
        )
        start_ignoring_interrupts(self.process)
        child_end.close()

    @property
    def usable(self) -> bool:
        return self.process.is_alive() and self.renders < _RENDERS_PER_WORKER

    def ask(self, request: object, limits: RenderLimits) -> object:
        self.renders += 1
        try:
            self.connection.send(request)
            if not self.connection.poll(limits.seconds):
                raise RenderError(
                    f"PDF rendering took longer than {limits.seconds:g} s and was stopped "
                    "(a very large or deeply nested image or table?)"
                )
            kind, payload = self.connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise RenderError(
                f"PDF rendering stopped unexpectedly (exit code {self.process.exitcode}); "
                f"it may have needed more than {self.memory_mib} MiB of memory"
            ) from None
        except BaseException:
            # A timeout, Ctrl-C: the child may be mid-render; it cannot be trusted again.
            self.stop()
            raise
        if kind == "memory":
            self.stop()
            raise _OutOfMemory
        if kind == "error":
            raise RenderError(str(payload))
        return payload

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class _WorkerSlot:
    """This process's render worker, started on first use and replaced when unusable."""

    def __init__(self) -> None:
        self.worker: _RenderWorker | None = None

    def get(self, work: ChildWork, memory_mib: int) -> _RenderWorker:
        worker = self.worker
        if (
            worker is None
            or not worker.usable
            or worker.memory_mib != memory_mib
            or worker.work != work
        ):
            if worker is not None:
                worker.stop()
            worker = self.worker = _RenderWorker(work, memory_mib)
        return worker

    def forget(self) -> None:
        """In a forked process: the inherited worker is the parent's, not to be used or killed."""
        if self.worker is not None:
            with contextlib.suppress(OSError):
                self.worker.connection.close()
        self.worker = None


_worker = _WorkerSlot()
_worker_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A build's worker processes are forked from a process that may have a render worker,
    # and perhaps from a moment another thread held its lock.
    global _worker_lock
    _worker_lock = threading.Lock()
    _worker.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _worker_main(connection: Any, work: ChildWork, memory_mib: int, parent_pid: int) -> None:
    from osintkit.processes import die_with_parent, ignore_interrupts

    # Ctrl-C reaches the whole process group; the parent decides, and kills this child.
    ignore_interrupts()
    die_with_parent(parent_pid)
    _close_inherited(keep=connection.fileno())
    _limit_memory(memory_mib)
    try:
        os.environ.update(work.environment())
        work.warm_up()
        while True:
            try:
                request = connection.recv()
            except (EOFError, OSError):
                break  # the parent is done with this worker
            message = _answer(work, request)
            try:
                connection.send(message)
            except MemoryError:
                connection.send(("memory", None))
            if message[0] == "memory":
                break  # its heap may be in pieces: the parent starts a fresh worker
    finally:
        # No interpreter clean-up in a forked child, which may be out of memory: it only
        # prints noise. The parent owns every file and handler.
        os._exit(0)


def _answer(work: ChildWork, request: object) -> tuple[str, object]:
    try:
        return ("ok", work.answer(request))
    except MemoryError:
        return ("memory", None)
    except RenderError as exc:
        return ("error", str(exc))
    except Exception as exc:
        return ("error", f"PDF rendering failed: {type(exc).__name__}: {exc}")


def _close_inherited(keep: int) -> None:
    """Let go of every descriptor the fork copied except ``keep``, stdin and stdout.

    Forked without exec, the child holds whatever its parent had open: the write end of a
    pipe to a subprocess (which then never sees end of file), a build worker's pipe to the
    build, the build's lock files. Each is pointed at /dev/null rather than closed, so a
    number stays taken and a stale file object collected later cannot close a font file
    that reused it. Stderr goes to /dev/null too: what a starved GLib prints on its way
    down means nothing to an analyst, and the parent reports the failure in words.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        try:
            open_fds = [int(entry.name) for entry in Path("/proc/self/fd").iterdir()]
        except OSError:  # no /proc: every number the soft limit allows
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            open_fds = list(range(min(soft, 1 << 16)))
        for fd in open_fds:
            if fd in (0, 1, keep, devnull):
                continue
            with contextlib.suppress(OSError):  # not open (any more), e.g. listdir's own
                os.fstat(fd)
                os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _limit_memory(memory_mib: int) -> None:
    """Cap this process's address space at what it maps now plus ``memory_mib``."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        mapped_kib = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:")
        )
    except (OSError, StopIteration, ValueError):
        return  # no /proc: no reliable base to add the budget to
    limit = (mapped_kib * 1024) + memory_mib * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
