"""audit throughput: `cookietool audit` against `flask-unsign --unsign`, a bare loop, memory.

Requirements (issue "Weak and publicly known secret keys"), over the same cookie (signed
with a strong random key, so every candidate is tried) and the same wordlists (Flask-
Unsign's own 56k all.txt, and 2,000,000 generated random keys):
- candidates per second at least 18x Flask-Unsign's;
- at least 85% of a bare hmac.digest loop's rate times the number of jobs;
- peak memory under 100 MB for the 2M list.
Run: python3 benchmarks/bench_audit.py [--runs 3] [--check]
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, WORK, alternate, environment, flask_cookie, machine, peak_memory

# The yardstick, the bare hmac.digest loop: derive the key with HMAC-SHA1, sign,
# compare, over keys already in memory, on one core. The second loop is the same with the
# HMAC construction cookietool's engine uses (cookietool/audit.py), for comparison.
BARE_LOOP = """
import hmac, sys, time
from cookietool.audit import search_keys
from cookietool.flaskcookie import SCHEME, signed_parts
cookie, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as handle:
    keys = handle.read().split(b"\\n")[:1_000_000]
signed, signature = signed_parts(cookie, SCHEME)
salt, digest = b"cookie-session", hmac.digest
started = time.perf_counter()
for key in keys:
    if digest(digest(key, salt, "sha1"), signed, "sha1") == signature:
        break
bare = len(keys) / (time.perf_counter() - started)
started = time.perf_counter()
search_keys(keys, [(SCHEME, ((0, signed, signature),))])
print(bare, len(keys) / (time.perf_counter() - started))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (56k list)")
    parser.add_argument("--big-runs", type=int, default=2, help="timed runs per command (2M list)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a requirement fails")
    args = parser.parse_args()

    ours = environment("cookietool", [f"{ROOT}[wordlist]"], reinstall=True)
    peer = environment("flask-unsign", ["flask-unsign[wordlist]==1.2.1"])
    run = lambda python, code, *a: subprocess.run(  # noqa: E731
        [str(python), "-c", code, *a], capture_output=True, text=True, check=True
    ).stdout.strip()
    cookie = flask_cookie(ours / "python", {"_user_id": "1", "role": "admin"})
    all_txt = run(peer / "python", "import flask_unsign_wordlist as w; print(w.get('all'))")
    big = WORK / "random-2m.txt"
    if not big.exists():
        with open(big, "w") as handle:
            for _ in range(2_000_000):
                handle.write(secrets.token_urlsafe(12) + "\n")
    one = Path(tempfile.mkdtemp()) / "one.txt"
    one.write_text("not-the-key\n")
    jobs = int(
        run(ours / "python", "from cookietool.audit import default_jobs; print(default_jobs())")
    )

    def ours_cmd(wordlist: Path | None, cold: bool = False) -> list[str]:
        # No wordlist: cookietool's default candidates (built-in list + Flask-Unsign's).
        prefix = ["env", "COOKIETOOL_CACHE_DIR="] if cold else []
        source = ["--no-builtin", "--wordlist", str(wordlist)] if wordlist else []
        return [*prefix, str(ours / "cookietool"), "audit", cookie, *source, "--json"]

    def peer_cmd(wordlist: Path | None) -> list[str]:
        # No wordlist: Flask-Unsign's default, its own all.txt, as quoted literals.
        source = ["--wordlist", str(wordlist), "--no-literal-eval"] if wordlist else []
        return [str(peer / "flask-unsign"), "--unsign", "--cookie", cookie, *source]

    startup = alternate({"ours": ours_cmd(one), "peer": peer_cmd(one)}, 5, 1, (0, 1))
    report: dict[str, object] = {"machine": machine(), "jobs": jobs, "startup_seconds": startup}
    results = {}
    cases = {
        "Flask-Unsign all.txt (each tool's default run)": (None, args.runs),
        "2,000,000 random keys": (big, args.big_runs),
    }
    for label, (path, runs) in cases.items():
        commands = {"ours": ours_cmd(path), "peer": peer_cmd(path)}
        if path is None:
            commands["ours_cold"] = ours_cmd(path, cold=True)
        medians = alternate(commands, runs, 1, (0, 1))
        engine = json.loads(subprocess.run(ours_cmd(path), capture_output=True, text=True).stdout)
        ours_count = engine["tried"]
        with open(path or all_txt, "rb") as handle:
            peer_count = sum(1 for line in handle if line.strip())
        rates = {
            "ours_wall": ours_count / medians["ours"],
            "peer_wall": peer_count / medians["peer"],
            "ours_search": ours_count / max(medians["ours"] - startup["ours"], 1e-9),
            "peer_search": peer_count / max(medians["peer"] - startup["peer"], 1e-9),
            "ours_engine": engine["rate"],
        }
        if "ours_cold" in medians:
            rates["ours_cold_search"] = ours_count / max(
                medians["ours_cold"] - startup["ours"], 1e-9
            )
        results[label] = {
            "candidates": {"ours": ours_count, "peer": peer_count},
            "median_seconds": medians,
            "rates_per_second": {k: round(v) for k, v in rates.items()},
            "ratio_wall": round(rates["ours_wall"] / rates["peer_wall"], 1),
            "ratio_search": round(rates["ours_search"] / rates["peer_search"], 1),
        }
        if "ours_cold_search" in rates:
            results[label]["ratio_search_cold"] = round(
                rates["ours_cold_search"] / rates["peer_search"], 1
            )
    report["lists"] = results
    bare, construction = map(float, run(ours / "python", BARE_LOOP, cookie, str(big)).split())
    # The median-based search rate, not the single --json run's: less noise.
    engine_big = results["2,000,000 random keys"]["rates_per_second"]["ours_search"]  # type: ignore[index]
    report["bare_hmac_digest_loop_per_core"] = round(bare)
    report["bare_engine_construction_loop_per_core"] = round(construction)
    report["engine_vs_bare_times_jobs"] = round(engine_big / (bare * jobs), 3)
    report["engine_vs_own_construction_times_jobs"] = round(engine_big / (construction * jobs), 3)
    memory = peak_memory(ours_cmd(big), (0, 1))
    report["peak_memory_2m"] = memory
    print(json.dumps(report, indent=2))

    big_ratio = results["2,000,000 random keys"]["ratio_search"]  # type: ignore[index]
    small = results["Flask-Unsign all.txt (each tool's default run)"]
    small_ratio, cold_ratio = small["ratio_search"], small["ratio_search_cold"]
    versus_bare = float(report["engine_vs_bare_times_jobs"])  # type: ignore[arg-type]
    rss, pss = memory["rss_mib"], memory["pss_mib"]
    checks = {
        f"2M list: {big_ratio}x Flask-Unsign (need >= 18)": big_ratio >= 18,
        f"56k list: {small_ratio}x Flask-Unsign, search time; {cold_ratio}x with no cache "
        "(need >= 18)": small_ratio >= 18,
        f"engine {versus_bare} of bare hmac.digest loop x {jobs} jobs (need >= 0.85)": (
            versus_bare >= 0.85
        ),
        f"peak memory {rss} MiB RSS, {pss} MiB PSS (need < 100)": rss < 100,
    }
    for text, ok in checks.items():
        print(("PASS  " if ok else "FAIL  ") + text)
    return 0 if all(checks.values()) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
