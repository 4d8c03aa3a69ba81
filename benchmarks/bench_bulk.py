"""Bulk decode: `cookietool decode --lines FILE` against a plain itsdangerous loop.

Requirement (issue "Bulk mode"): at least 3x as many cookies per second as a plain Python
loop calling itsdangerous' URLSafeTimedSerializer(...).loads on the same 100,000 cookies,
while producing the full report, with memory flat in the number of lines.
Run: python3 benchmarks/bench_bulk.py [--runs 5] [--check]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import ROOT, WORK, alternate, environment, machine, peak_memory

KEY = "bench-bulk-key"
COOKIES = 100_000

# Realistic logged-in sessions, signed by Flask's own session interface inside a request
# (as save_session signs them) at a fixed time; the first is checked against the
# Set-Cookie header a real request gets, so the file is what a Flask app sends.
MAKE_COOKIES = """
import random, sys
from flask import Flask, session, flash
from itsdangerous import TimestampSigner
TimestampSigner.get_timestamp = lambda self: 1767323045
app = Flask("bench")
app.secret_key = sys.argv[1]
rng = random.Random(1)

def fill(data):
    session["_user_id"] = str(data[0])
    session["_fresh"] = data[1]
    session["csrf_token"] = data[2]
    session["cart"] = tuple(data[3])
    flash(data[4])

def sample():
    return (
        rng.randrange(1, 10**6),
        rng.random() < 0.8,
        "%040x" % rng.getrandbits(160),
        [rng.randrange(100) for _ in range(rng.randrange(0, 6))],
        rng.choice(["Welcome back!", "Saved.", "Your order has shipped."]),
    )

first = sample()

@app.route("/")
def index():
    fill(first)
    return ""

header = app.test_client().get("/").headers["Set-Cookie"]
expected = header.split(";")[0].split("=", 1)[1]
with app.test_request_context():
    serializer = app.session_interface.get_signing_serializer(app)
    with open(sys.argv[2], "w") as out:
        data = first
        for n in range(int(sys.argv[3])):
            fill(data)
            value = serializer.dumps(dict(session))
            assert n or value == expected, "not the cookie Flask sends"
            out.write(value + "\\n")
            session.clear()
            data = sample()
"""

# The peer: the loop the issue names, each cookie loaded as itsdangerous is usually called.
LOOP = """
import hashlib, sys
from itsdangerous import URLSafeTimedSerializer
with open(sys.argv[2]) as lines:
    for line in lines:
        URLSafeTimedSerializer(
            sys.argv[1],
            salt="cookie-session",
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
        ).loads(line.strip())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--check", action="store_true", help="exit 1 if a requirement fails")
    args = parser.parse_args()

    ours = environment("cookietool", [str(ROOT)], reinstall=True)
    cookies = WORK / f"bulk-{COOKIES}.txt"
    if not cookies.exists():
        subprocess.run(
            [str(ours / "python"), "-c", MAKE_COOKIES, KEY, str(cookies), str(COOKIES)],
            check=True,
        )
    # Four times the lines, for memory: flat means the same peak.
    big = WORK / f"bulk-{4 * COOKIES}.txt"
    if not big.exists():
        text = cookies.read_bytes()
        big.write_bytes(text * 4)

    bulk = [str(ours / "cookietool"), "decode", "--lines", str(cookies), "--key", KEY]
    times = alternate(
        {
            "cookietool decode --lines": bulk,
            "itsdangerous loop": [str(ours / "python"), "-c", LOOP, KEY, str(cookies)],
        },
        args.runs,
        warmup=1,
    )
    ratio = times["itsdangerous loop"] / times["cookietool decode --lines"]
    memory = {
        f"{COOKIES} lines": peak_memory(bulk),
        f"{4 * COOKIES} lines": peak_memory([*bulk[:3], str(big), *bulk[4:]]),
    }
    report = {
        "machine": machine(),
        "runs": args.runs,
        "cookies": COOKIES,
        "median_seconds": times,
        "cookies_per_second": {name: round(COOKIES / t) for name, t in times.items()},
        "ratio": round(ratio, 3),
        "ratio_required": 3.0,
        "peak_memory": memory,
    }
    print(json.dumps(report, indent=2))
    ok = ratio >= 3.0
    print(
        f"decode --lines: {ratio:.2f}x the itsdangerous loop (need >= 3.00): "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
