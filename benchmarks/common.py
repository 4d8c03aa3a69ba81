"""Helpers shared by the benchmarks: isolated environments, machine facts, timing."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"


def environment(name: str, requirements: Sequence[str], reinstall: bool = False) -> Path:
    """A virtual environment under benchmarks/.work with ``requirements`` installed; its bin/."""
    home = WORK / name
    stamp = home / ".installed"
    if not stamp.exists() or reinstall:
        if not (home / "bin" / "python").exists():
            venv.create(home, with_pip=True)
        subprocess.run(
            [
                str(home / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--force-reinstall",
                *requirements,
            ],
            check=True,
        )
        stamp.write_text("\n".join(requirements))
    return home / "bin"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def wall_time(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Seconds one run of ``command`` takes, output discarded; a failing run is an error."""
    started = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env
    )
    return time.perf_counter() - started


def alternate(commands: dict[str, Sequence[str]], runs: int, warmup: int = 3) -> dict[str, float]:
    """Median wall time of each command, run in alternating order so drift hits all alike."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(warmup):
        for name in names:
            wall_time(commands[name])
    for i in range(runs):
        for name in names if i % 2 == 0 else reversed(names):
            times[name].append(wall_time(commands[name]))
    return {name: statistics.median(values) for name, values in times.items()}
