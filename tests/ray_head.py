"""A local Ray head for tests and benchmarks: 127.0.0.1 only, token authentication on, stopped by us.

`ray start --head --block` runs in a process group of its own; ending that process (SIGTERM) stops
the head's processes (GCS, raylet, its workers), and only ours: never `ray stop`, which would stop
every Ray instance on this shared machine. Every port is chosen free on 127.0.0.1, and
RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 keeps Ray on the loopback address (on Linux it otherwise
replaces 127.0.0.1 by the machine's network address).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_installed() -> bool:
    """Ray's package and its `ray` command (requirements-cluster.txt) are both here."""
    return importlib.util.find_spec("ray") is not None and shutil.which("ray") is not None


@dataclass
class LocalHead:
    """A running head: its address (host:port), the Ray Client address, and the environment its
    clients need (token authentication, loopback only)."""

    process: subprocess.Popen
    address: str
    client_address: str
    env: dict[str, str]
    folder: Path
    started_seconds: float
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "head.log"

    def stop(self) -> None:
        """End the head and every process it started (its process group), then remove its files."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        _kill_group(self.process.pid)
        shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        """The head dies at once, as a crashed machine would (SIGKILL to its whole process group)."""
        _kill_group(self.process.pid)
        self.process.wait(timeout=10)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def client_env(token_path: Path) -> dict[str, str]:
    """What a client of the head needs in its environment."""
    return {
        "RAY_AUTH_MODE": "token",  # Ray's token authentication (Ray >= 2.52): every RPC carries the token
        "RAY_AUTH_TOKEN_PATH": str(token_path),
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # keep every address on 127.0.0.1
        "RAY_USAGE_STATS_ENABLED": "0",
    }


def start_head(cpus: int = 2, attempts: int = 3) -> LocalHead:
    """`ray start --head` on 127.0.0.1 with `cpus` CPUs and token authentication; returns once it runs.

    Ray gives its own processes 30 s to come up; on a 2-core machine busy with other work that can
    pass, so a failed start is tried again (fresh ports and folder) before giving up."""
    for _ in range(attempts - 1):
        with contextlib.suppress(RuntimeError):
            return _start_head_once(cpus)
    return _start_head_once(cpus)


def _start_head_once(cpus: int) -> LocalHead:
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-ray-"))
    token_path = folder / "auth_token"
    token_path.write_text(secrets.token_hex(32))
    token_path.chmod(0o600)
    env = client_env(token_path)
    port, client_port = free_port(), free_port()
    options = {
        "node-ip-address": "127.0.0.1",
        "port": port,
        "num-cpus": cpus,
        "include-dashboard": "false",
        "temp-dir": folder / "ray",
        "ray-client-server-port": client_port,
        "dashboard-port": free_port(),
        "dashboard-agent-listen-port": free_port(),
        "metrics-export-port": free_port(),
        "runtime-env-agent-port": free_port(),
        "min-worker-port": 0,  # 0 and 0: workers take any free port
        "max-worker-port": 0,
    }
    cmd = ["ray", "start", "--head", "--block", "--disable-usage-stats", *(f"--{k}={v}" for k, v in options.items())]
    began = time.monotonic()
    with open(folder / "head.log", "w") as log:
        process = subprocess.Popen(
            cmd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    head = LocalHead(process, f"127.0.0.1:{port}", f"ray://127.0.0.1:{client_port}", env, folder, 0.0)
    while "Ray runtime started" not in head.log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() - began > START_SECONDS:
            text = head.log.read_text(errors="replace")[-2000:]
            head.stop()
            raise RuntimeError(f"the Ray head did not start: {text}")
        time.sleep(0.1)
    head.started_seconds = time.monotonic() - began
    return head


def dead_address() -> str:
    """A 127.0.0.1 address where nothing listens."""
    return f"127.0.0.1:{free_port()}"


def ray_worker_pids(head: LocalHead) -> list[int]:
    """Ray worker processes of this head (their command lines name its temp folder)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = status.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(head.folder) in line and re.search(r"default_worker\.py", line):
            found.append(int(status.parent.name))
    return found
