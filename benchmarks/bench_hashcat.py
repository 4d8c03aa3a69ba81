"""audit against hashcat's Flask mode (29100) on this machine's CPU, on a cookie both take.

hashcat is the peer the README names for going past one machine. On a machine without a GPU
(pocl runs its OpenCL kernels on the CPU) it is worth knowing which engine is faster, so
this times both over the same 2,000,000 random keys, on a cookie short enough for Debian's
hashcat 6.2.6 (a 20-byte session: payload 27 characters), signed with a key no candidate
matches, so both try every candidate. No requirement: the figures are for the README.

hashcat runs with its kernel caches warm (one run first), --potfile-disable, a session name
of its own, and stdin closed; its time includes its start-up (device probing, about 2 s).
Run: python3 benchmarks/bench_hashcat.py [--runs 3]   (--check is accepted and checks nothing)
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, WORK, alternate, environment, flask_cookie, machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command")
    parser.add_argument(
        "--check", action="store_true", help="accepted for make bench: no requirement"
    )
    args = parser.parse_args()
    program = shutil.which("hashcat")
    if program is None:
        print("hashcat is not installed (apt-get install hashcat pocl-opencl-icd): skipped")
        return 0
    version = subprocess.run(
        [program, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    ours = environment("cookietool", [f"{ROOT}[wordlist]"], reinstall=False)
    cookie = flask_cookie(ours / "python", {"username": "admin"})
    assert len(cookie.split(".")[0]) <= 27, cookie
    big = WORK / "random-2m.txt"
    if not big.exists():
        with open(big, "w") as handle:
            for _ in range(2_000_000):
                handle.write(secrets.token_urlsafe(12) + "\n")
    scratch = Path(tempfile.mkdtemp())
    hashes = scratch / "cookie.hash"
    hashes.write_text(cookie + "\n")
    env = ["env", f"XDG_CACHE_HOME={WORK / 'hashcat-cache'}", f"XDG_DATA_HOME={scratch}"]
    # stdin closed: hashcat reads its keys (s, q) from a terminal.
    hashcat = [
        "sh", "-c", 'exec "$@" </dev/null', "sh", *env, program,
        "-m", "29100", "-a", "0", "--potfile-disable", "--quiet",
        "--session", "bench", str(hashes), str(big),
    ]  # fmt: skip
    audit = [str(ours / "cookietool"), "audit", cookie, "--no-builtin", "--wordlist", str(big)]
    # hashcat exits 1 when the list is exhausted; audit exits 0 when no key matched.
    subprocess.run(hashcat, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    medians = alternate(
        {"cookietool audit": audit, f"hashcat {version} -m 29100": hashcat}, args.runs, 1, (0, 1)
    )
    candidates = 2_000_000
    report = {
        "machine": machine(),
        "hashcat": version,
        "cookie": cookie,
        "candidates": candidates,
        "median_seconds": medians,
        "keys_per_second": {name: round(candidates / t) for name, t in medians.items()},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
