"""CPU seen while a benchmark runs: the PostgreSQL server's processes, the whole machine, the load.

A sampler thread reads /proc every half second: the user+system time of the server's processes (its
postmaster and that one's children, so other servers on the machine are not counted; a backend's CPU
counts up to its last sample: one ends when its agent disconnects), the machine's busy time
(/proc/stat) and the highest 1-minute load average seen. Linux only; elsewhere it reports nothing, and
a server on another machine shows as 0 s.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PROC = Path("/proc")


@dataclass(frozen=True)
class CpuSeen:
    """What the machine did during a run."""

    wall_s: float
    server_cpu_s: float  # the server's processes, user + system
    machine_busy: float  # share of all cores busy, 0..1
    cores: int
    load_max: float
    load_end: float

    def line(self) -> str:
        return (
            f"server CPU {self.server_cpu_s:.1f} s in {self.wall_s:.1f} s"
            f" ({self.server_cpu_s / self.wall_s * 100:.0f}% of one core); machine busy"
            f" {self.machine_busy * 100:.0f}% of {self.cores} cores; load average max {self.load_max:.2f},"
            f" at the end {self.load_end:.2f}"
        )


def server_pid(url: str) -> int | None:
    """The postmaster's process id of the server at `url` when it runs on this machine."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
            try:  # while the backend lives: its parent is the postmaster
                stat = (_PROC / str(backend) / "stat").read_text()
            except OSError:
                return None  # another machine's process
    finally:
        engine.dispose()
    return int(stat[stat.rfind(")") + 2 :].split()[1])


def _server_ticks(postmaster: int | None) -> dict[int, int]:
    ticks: dict[int, int] = {}
    if postmaster is None:
        return ticks
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended between the listing and the read
        name_end = stat.rfind(")")
        if stat[stat.find("(") + 1 : name_end] != "postgres":
            continue
        fields = stat[name_end + 2 :].split()
        if int(entry.name) != postmaster and int(fields[1]) != postmaster:
            continue  # another server's
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(value) for value in (_PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuSampler:
    """Samples while running; `stop()` gives what was seen (None where /proc is not there)."""

    def __init__(self, postmaster: int | None, every_s: float = 0.5) -> None:
        self._postmaster = postmaster
        self._every = every_s
        self._stop = threading.Event()
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._load_max = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._available = (_PROC / "stat").exists()

    def __enter__(self) -> CpuSampler:
        self._started = time.perf_counter()
        if self._available:
            self._machine_start = _machine_ticks()
            self._first = _server_ticks(self._postmaster)
            self._last = dict(self._first)
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        self._last.update(_server_ticks(self._postmaster))
        self._load_max = max(self._load_max, os.getloadavg()[0])

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def seen(self) -> CpuSeen | None:
        if not self._available:
            return None
        self._sample()
        busy_start, total_start = self._machine_start
        busy, total = _machine_ticks()
        server = sum(ticks - self._first.get(pid, 0) for pid, ticks in self._last.items())
        return CpuSeen(
            wall_s=time.perf_counter() - self._started,
            server_cpu_s=server / _TICKS,
            machine_busy=(busy - busy_start) / max(1, total - total_start),
            cores=os.cpu_count() or 1,
            load_max=self._load_max,
            load_end=os.getloadavg()[0],
        )
