"""Child processes that never outlive the process that started them.

A killed build must leave nothing running. Linux delivers a parent-death signal to a child
whose parent dies by any means, SIGKILL included; a pool of workers built on it, with the
parent holding every process object itself, needs no management thread, no wake-up pipe and
no interpreter exit hook, so neither Ctrl-C nor a kill can leave one behind or half-stopped.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

_PR_SET_PDEATHSIG = 1

Item = TypeVar("Item")
Result = TypeVar("Result")


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when its parent dies, even by SIGKILL.

    Call it first thing in a forked child, with the parent's pid taken before the fork: a
    parent that died before the request took effect is seen by ``getppid`` and the child
    exits at once. Elsewhere than Linux it only does that check.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's finally still kills it on every other exit
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def start_ignoring_interrupts(process: Any) -> None:
    """Start a ``multiprocessing`` process that will ignore Ctrl-C (it reaches the whole
    process group; the parent decides what it means).

    SIGINT is held back while the child is forked, so one that comes before the child calls
    :func:`ignore_interrupts` cannot print a traceback from inside multiprocessing; this
    process gets it, as KeyboardInterrupt, once the child is started.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def ignore_interrupts() -> None:
    """In a child started by :func:`start_ignoring_interrupts`: ignore Ctrl-C from now on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """What became of an item whose worker raised or died instead of returning."""

    message: str


class WorkerPool(Generic[Item, Result]):
    """Forked worker processes that run ``work`` on items, each dying with this process.

    Workers ignore Ctrl-C (it reaches the whole process group; this process decides) and are
    killed, never waited for, when the pool is left: after the last result, on an error or on
    KeyboardInterrupt. Anything they started that dies with its own parent goes with them.
    """

    def __init__(
        self,
        jobs: int,
        work: Callable[[Item], Result],
        initializer: Callable[[], None] | None = None,
    ) -> None:
        self._jobs = max(1, jobs)
        self._work = work
        self._initializer = initializer
        # fork: workers inherit the warmed-up interpreter (imports, fonts) instead of starting cold.
        self._context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []

    def run(self, items: Sequence[Item]) -> Generator[tuple[int, Result | WorkerFailure]]:
        """Yield ``(index, result)`` for every item as each is done, in no fixed order.

        An item whose worker raised gets a :class:`WorkerFailure` with the exception, one whose
        worker died (killed, out of memory) a failure with its exit code; its worker is
        replaced. The workers are stopped when the iterator finishes or is closed.
        """
        queue = list(enumerate(items))
        queue.reverse()  # pop() from the end takes them in order
        busy: dict[Connection, tuple[_Worker, int]] = {}
        try:
            for _ in range(min(self._jobs, len(queue))):
                self._give(self._start(), queue, busy)
            while busy:
                ready = set(wait([*busy, *(w.process.sentinel for w, _ in busy.values())]))
                done = [
                    (worker, index)
                    for connection, (worker, index) in busy.items()
                    if connection in ready or worker.process.sentinel in ready
                ]
                for worker, index in done:
                    del busy[worker.connection]
                    outcome = self._collect(worker, index)
                    yield index, outcome
                    if queue:
                        if worker not in self._workers or not worker.process.is_alive():
                            self._retire(worker)
                            worker = self._start()
                        self._give(worker, queue, busy)
        finally:
            for worker in self._workers:
                worker.kill()
            self._workers.clear()

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        # The other workers' ends of their pipes are inherited too: each worker closes them,
        # so only this process ever holds a worker's pipe.
        inherited = [w.connection for w in self._workers]
        process = self._context.Process(
            target=_worker_main,
            args=(child_end, parent_end, inherited, self._work, self._initializer, os.getpid()),
            # Not daemonic: a daemonic process may not start processes (the render child).
            daemon=False,
        )
        worker = _Worker(process, parent_end)
        # Listed before it starts: a Ctrl-C as it starts must not leave it out of the kill.
        self._workers.append(worker)
        try:
            start_ignoring_interrupts(process)
        finally:
            child_end.close()
        return worker

    def _retire(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        worker.kill()

    def _give(
        self,
        worker: _Worker,
        queue: list[tuple[int, Item]],
        busy: dict[Connection, tuple[_Worker, int]],
    ) -> None:
        """Send ``worker`` the next item; a worker found dead is replaced once."""
        index, item = queue.pop()
        for attempt in range(2):
            try:
                worker.connection.send((index, item))
            except OSError:
                self._retire(worker)
                if attempt:
                    raise
                worker = self._start()
                continue
            busy[worker.connection] = (worker, index)
            return

    def _collect(self, worker: _Worker, index: int) -> Result | WorkerFailure:
        try:
            answered, (kind, payload) = worker.connection.recv()
        except (EOFError, OSError):
            self._retire(worker)
            code = worker.process.exitcode
            return WorkerFailure(f"its worker process stopped unexpectedly (exit code {code})")
        assert answered == index
        if kind == "error":
            return WorkerFailure(str(payload))
        result: Result = payload
        return result


@dataclass
class _Worker:
    process: Any  # multiprocessing's ForkProcess
    connection: Connection

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.pid is None:
            return  # never started
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _worker_main(
    connection: Connection,
    parent_end: Connection,
    inherited: list[Connection],
    work: Callable[[Any], Any],
    initializer: Callable[[], None] | None,
    parent_pid: int,
) -> None:
    ignore_interrupts()
    die_with_parent(parent_pid)
    for other in (parent_end, *inherited):
        with contextlib.suppress(OSError):
            other.close()
    try:
        if initializer is not None:
            initializer()
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                break  # the parent is gone or done with this worker
            index, item = message
            try:
                answer: tuple[str, object] = ("ok", work(item))
            except Exception as exc:
                answer = ("error", f"{type(exc).__name__}: {exc}")
            connection.send((index, answer))
    finally:
        # No interpreter clean-up in a forked worker: the parent owns every file and handler,
        # and its exit hooks are not this process's to run.
        os._exit(0)
