"""Run a program in a pseudo-terminal and see exactly the bytes it writes.

Used by the benchmarks (``bench/terminal.py``, ``bench/startup.py``) and by the
tests that must prove something about the real byte stream (no escape sequence
from item text reaches the terminal; a cursor move costs few bytes). Plain
standard library: ``pty``-style fds from ``os.openpty``, the window size set
with ``TIOCSWINSZ``, the child made the session leader of the terminal so it
gets ``SIGWINCH`` on a resize, like a program started by a real terminal.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence

# Escape sequences a terminal interprets: CSI (ESC [ … final), OSC / DCS / APC / PM / SOS
# (ESC ] … BEL or ST), and two-byte ESC sequences. Good enough to strip Textual's output to
# its text, and to list every sequence when checking that none came from item text.
ESCAPE_SEQUENCE = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    rb"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, PM, APC, SOS (to BEL or ST)
    rb"|\x1b[ -/]*[0-~]"  # other ESC sequences (charset selection, keypad modes …)
)


def set_size(fd: int, columns: int, rows: int) -> None:
    """Set the window size of the terminal behind ``fd``."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def screen_text(data: bytes) -> str:
    """The printable text in ``data``, escape sequences removed (for "did X appear")."""
    return ESCAPE_SEQUENCE.sub(b"", data).decode("utf-8", "replace")


class PtyTerminal:
    """One program in a pseudo-terminal of a given size; every byte it writes is kept."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        size: tuple[int, int] = (80, 24),
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.output = bytearray()
        """Every byte the program wrote so far."""
        master, slave = os.openpty()
        set_size(slave, *size)
        self._fd = master
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            # The pty becomes the child's controlling terminal: resizes send SIGWINCH.
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)

    @property
    def fd(self) -> int:
        return self._fd

    def read(self, timeout: float) -> bytes:
        """Whatever arrives within ``timeout`` seconds of waiting (b"" when nothing)."""
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self._fd, 65536)
        except OSError:  # EIO: the program closed the terminal
            return b""
        self.output += data
        return data

    def read_until(self, text: str, timeout: float = 20.0, *, since: int = 0) -> float:
        """Read until ``text`` shows in the screen text written after byte ``since``.

        Returns the seconds since launch when it did; raises ``TimeoutError`` if not.
        """
        deadline = time.perf_counter() + timeout
        while True:
            if text in screen_text(bytes(self.output[since:])):
                return time.perf_counter() - self.started
            left = deadline - time.perf_counter()
            if left <= 0 or (not self.read(min(left, 0.5)) and self.proc.poll() is not None):
                tail = screen_text(bytes(self.output[-2000:]))
                raise TimeoutError(f"{text!r} did not appear; last output: {tail!r}")

    def read_idle(self, idle: float = 0.1, timeout: float = 10.0) -> bytes:
        """Read until nothing arrives for ``idle`` seconds; returns what arrived."""
        start = len(self.output)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.read(idle):
                break
        return bytes(self.output[start:])

    def send(self, data: str | bytes) -> None:
        """Type ``data`` (keys are just bytes: b"j", b"\\r", b"\\x1b[A" …)."""
        os.write(self._fd, data.encode() if isinstance(data, str) else data)

    def resize(self, columns: int, rows: int) -> None:
        """Change the window size; the kernel tells the program with SIGWINCH."""
        set_size(self._fd, columns, rows)

    def wait(self, timeout: float = 10.0) -> int:
        """Drain the output until the program exits; its exit code."""
        deadline = time.perf_counter() + timeout
        while self.proc.poll() is None and time.perf_counter() < deadline:
            self.read(0.05)
        while self.read(0.05):
            pass
        return self.proc.wait(timeout=max(0.1, deadline - time.perf_counter()))

    def close(self) -> None:
        """End the program (if still running) and release the terminal."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self._fd)

    def __enter__(self) -> PtyTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
