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
    wanted = "\n".join(requirements)
    if reinstall or not stamp.exists() or stamp.read_text() != wanted:
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
        stamp.write_text(wanted)
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


def wall_time(command: Sequence[str], ok_codes: Sequence[int] = (0,)) -> float:
    """Seconds one run of ``command`` takes, output discarded; other exit codes are errors."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok_codes:
        raise RuntimeError(f"{command[0]} exited {done.returncode}")
    return elapsed


def alternate(
    commands: dict[str, Sequence[str]],
    runs: int,
    warmup: int = 3,
    ok_codes: Sequence[int] = (0,),
) -> dict[str, float]:
    """Median wall time of each command, run in alternating order so drift hits all alike."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(warmup):
        for name in names:
            wall_time(commands[name], ok_codes)
    for i in range(runs):
        for name in names if i % 2 == 0 else reversed(names):
            times[name].append(wall_time(commands[name], ok_codes))
    return {name: statistics.median(values) for name, values in times.items()}


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for current in pids:
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(child) for child in children]
    return pids


def _memory_kib(pid: int, field: str, source: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_memory(command: Sequence[str], ok_codes: Sequence[int] = (0,)) -> dict[str, float]:
    """Peak memory of a process and all its children, sampled every 10 ms (Linux /proc).

    ``rss_mib`` sums each process's resident set (pages shared after fork counted in
    every process: an upper bound); ``pss_mib`` shares them out (proportional set size).
    """
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        pids = _tree(process.pid)
        peak_rss = max(peak_rss, sum(_memory_kib(p, "VmRSS:", "status") for p in pids))
        peak_pss = max(peak_pss, sum(_memory_kib(p, "Pss:", "smaps_rollup") for p in pids))
        time.sleep(0.01)
    if process.returncode not in ok_codes:
        raise RuntimeError(f"{command[0]} exited {process.returncode}")
    return {"rss_mib": round(peak_rss / 1024, 1), "pss_mib": round(peak_pss / 1024, 1)}


#: Flask itself makes the benchmarks' cookies: this script prints the session cookie an app
#: with a random 32-byte key sets for the session in its first argument (JSON).
_MAKE_COOKIE = """
import json, secrets, sys
from flask import Flask, session
app = Flask("bench")
app.secret_key = secrets.token_hex(32)
@app.route("/")
def index():
    session.update(json.loads(sys.argv[1]))
    return ""
print(app.test_client().get("/").headers["Set-Cookie"].split(";")[0].split("=", 1)[1])
"""


def flask_cookie(python: Path, session: dict[str, str]) -> str:
    """The cookie a Flask app (run by ``python``, signing with a random key) sets."""
    import json

    done = subprocess.run(
        [str(python), "-c", _MAKE_COOKIE, json.dumps(session)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
