"""CPU time of processes on this machine, read from /proc (Linux): what the benchmarks
print beside their rates, steadier than rates on a machine shared with other work."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(stat: Path) -> list[str] | None:
    """The fields of a /proc/<pid>/stat after the command's name; None once it has ended."""
    try:
        return stat.read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def of_process(pid: int) -> float | None:
    """CPU seconds (user and system) of ``pid`` alone; None if it has ended or is not here."""
    fields = _stat(Path(f"/proc/{pid}/stat"))
    return None if fields is None else _seconds(fields)


def of_tree(pid: int) -> float:
    """CPU seconds of ``pid`` and every process under it (0.0 where there is none)."""
    return sum(of_each(pid).values())


def of_each(pid: int) -> dict[int, float]:
    """CPU seconds of ``pid`` and of every process under it, each apart."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(stat)
        if fields is not None:
            child = int(stat.parent.name)
            parents[child], times[child] = int(fields[1]), _seconds(fields)
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return {member: times[member] for member in tree if member in times}
