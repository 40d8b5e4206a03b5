"""Verifying a batch's outputs in a process of its own, while the next file is de-identified.

Verification parses every output back, checks every element and searches every byte for its
original's identifying values: about a third of a file's work, all of it Python holding the
GIL, so threads cannot overlap it. A batch run by the CLI in one process
(:func:`dicomtab.deid.batch.run_batch`) hands each output to a second process instead: its
bytes and the identifying values of its original, collected where the original was parsed
(:func:`dicomtab.deid.verify.originals_of`; sending the original's bytes to be parsed again
there would cost that process three times as much). There the output is parsed back and
checked (:func:`dicomtab.deid.verify.verify_against`: the same findings as checking the data
set it was encoded from, tested), and the findings come back to be entered with the outcome,
in input order.

The batch never waits for the process to start and never loses a check: until the process has
imported the core (a few tenths of a second), and if it dies, outputs are verified where they
are made. Dask's workers (:mod:`dicomtab.scale`) keep verifying in their own process: there
every core already has a worker.

The process is ``python -m dicomtab.deid.verifier`` talking over two pipes, not a
``multiprocessing`` child: those start by importing the caller's main script again, which a
script calling :func:`~dicomtab.deid.batch.run_batch` outside ``if __name__ == "__main__"``
would not survive.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

from dicomtab.deid.verify import Finding, Originals, verify_against


@dataclass
class Pending:
    """One output sent to be verified; :meth:`Verifier.findings` gives what was found."""

    number: int
    originals: Originals
    name: str
    data: bytes


class Verifier:
    """A process verifying outputs one after the other; :meth:`close` it when done."""

    def __init__(self) -> None:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        # The child finds the core where this process found it.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "dicomtab.deid.verifier", str(task_read), str(result_write)],
            pass_fds=(task_read, result_write), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # a traceback may quote values
        os.close(task_read)
        os.close(result_write)
        self._tasks = Connection(task_write, readable=False)
        self._results = Connection(result_read, writable=False)
        # Sending blocks while the process is busy with the last output: a thread of its own
        # does it, so that handing over an output never waits.
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="dicomtab-verify-send")
        self._ready = False
        self._broken = False
        self._sent = 0
        self._received: dict[int, list[Finding]] = {}
        #: Outputs whose findings came from the process (the others were verified here).
        self.verified_apart = 0

    @property
    def ready(self) -> bool:
        """Whether the process has started and can take outputs (checked without waiting)."""
        if not self._ready and not self._broken:
            try:
                if self._results.poll():
                    self._results.recv()  # its "ready"
                    self._ready = True
            except (EOFError, OSError):
                self._broken = True
        return self._ready and not self._broken

    def submit(self, originals: Originals, data: bytes, name: str) -> Pending | None:
        """Send one output to be verified against its original's values; None when the
        process cannot take it (starting, or dead): then the caller verifies it itself."""
        if not self.ready:
            return None
        pending = Pending(self._sent, originals, name, data)
        self._sent += 1
        self._sender.submit(self._send, pending)
        return pending

    def _send(self, pending: Pending) -> None:
        try:
            self._tasks.send((pending.number, pending.originals, pending.name))
            self._tasks.send_bytes(pending.data)  # as it is: no pickled copy
        except OSError:  # the process is gone: findings() verifies here
            pass

    def findings(self, pending: Pending) -> list[Finding]:
        """What verifying ``pending`` found, waiting for it if need be; verified here if the
        process died before sending it."""
        while pending.number not in self._received and not self._broken:
            try:
                number, found = self._results.recv()
            except (EOFError, OSError):
                self._broken = True
                break
            self._received[number] = found
            self.verified_apart += 1
        found = self._received.pop(pending.number, None)
        if found is None:
            found = verify_against(pending.originals, pending.data, pending.name)
        return found

    def close(self) -> None:
        """Stop the process; what was sent and not collected is dropped."""
        self._sender.shutdown(wait=True)
        self._tasks.close()  # the process reads the end of its input and stops
        if not self.ready:  # still starting (a short batch): nothing to wait for
            self._process.kill()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # stuck: nothing it holds is needed
            self._process.kill()
            self._process.wait()
        self._results.close()


def serve(tasks: Connection, results: Connection) -> None:
    """The verifying process: say it is ready, then verify each output and send back (number,
    findings), until its input ends."""
    results.send(None)
    while True:
        try:
            number, originals, name = tasks.recv()
            data = tasks.recv_bytes()
        except EOFError:
            return
        results.send((number, verify_against(originals, data, name)))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1]), writable=False),
          Connection(int(sys.argv[2]), readable=False))
