"""What the pytest fixtures (conftest.py) and the standalone soak (soak.py) both do with the binary:
start `loket serve` and read its listening line, make a token, and grep server logs for secrets.

Plain Python with no pytest import, so `make soak` can run soak.py on its own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Iterable

LISTENING = re.compile(r"loket listening on (http://\S+)")


class ServeProcess:
    """One `loket serve` child in its own process group. Its stderr is appended to `log`; its stdout is
    drained by a thread (so the pipe never fills) into `stdout_lines`, and `url` is read from the first
    `loket listening on http://HOST:PORT` line. Raises RuntimeError if that line does not come in `wait` s."""

    def __init__(self, argv: list[str], *, log: Path, cwd: Path, wait: float = 30):
        self.log_path = Path(log)
        self.url = ""
        self.stdout_lines: list[str] = []
        self._log = open(log, "ab")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1,
                                     start_new_session=True)
        found = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.stdout_lines.append(line.rstrip("\n"))
                m = LISTENING.search(line)
                if m and not found.is_set():
                    self.url = m.group(1).rstrip("/")
                    found.set()
            found.set()   # the process ended without the line: stop waiting

        threading.Thread(target=pump, daemon=True).start()
        if not found.wait(wait) or not self.url:
            self.stop()
            raise RuntimeError(
                f"loket serve did not print 'loket listening on http://HOST:PORT' within {wait:.0f} s; "
                f"stdout={self.stdout_lines!r}; stderr: {self.stderr_tail()}")

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.url.split("//", 1)[1].rsplit(":", 1)
        return host, int(port)

    def stderr_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, grace: float = 10) -> int | None:
        """SIGTERM to the group, SIGKILL after `grace` seconds; returns the exit status."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()
        return self.proc.returncode


def token_add(binary: Path, db: Path, config: Path, role: str, name: str, *, cwd: Path) -> str:
    """`loket token add`: the one line it prints is the token."""
    res = subprocess.run([str(binary), "token", "add", "--role", role, "--name", name, "--db", str(db),
                          "--config", str(config)], cwd=cwd, capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise RuntimeError(f"loket token add failed: {res.stderr.strip()}")
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    if len(lines) != 1:
        raise RuntimeError(f"loket token add should print only the token, printed: {res.stdout!r}")
    return lines[0].strip()


def leaks_in_logs(logs: Iterable[Path], secrets: dict[str, str]) -> list[str]:
    """Each (log, secret kind) where a secret appears in a log, found with `grep -F` (Aho-Corasick: thousands
    of patterns over megabytes in one pass). A secret with a line break in it (a header injection attempt)
    is looked for line by line; parts shorter than 6 characters are skipped (they match by chance)."""
    lines = {part for s in secrets for part in s.splitlines() if len(part.strip()) >= 6}
    if not lines:
        return []
    found = []
    with tempfile.NamedTemporaryFile("wb", suffix=".secrets") as pats:
        pats.write(b"\n".join(p.encode() for p in lines) + b"\n")
        pats.flush()
        for log in logs:
            if not Path(log).is_file():
                continue
            res = subprocess.run(["grep", "-aoF", "-f", pats.name, str(log)], capture_output=True,
                                 env={**os.environ, "LC_ALL": "C"})
            if res.returncode not in (0, 1):
                raise RuntimeError(f"grep failed: {res.stderr!r}")
            for hit in sorted(set(res.stdout.decode("utf-8", "replace").splitlines())):
                found.append(f"{log}: a {secrets.get(hit, 'secret')} ({hit[:3]}…)")
    return found
