"""Start-up: `cookietool decode` against `flask-unsign --decode`; `--help` and `genkey`.

Requirements (issue "Speed and scale"): decode's median wall time at most 0.30x
Flask-Unsign's on the same cookie, given as a bare value and inside a `Cookie:` header; and
`cookietool --help` and `cookietool genkey` within 1.5x of `python -c "import click"`.
Run: python3 benchmarks/bench_decode.py [--runs 40] [--check]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import ROOT, alternate, environment, machine

# A typical logged-in session, written by Flask itself at a fixed time.
MAKE_COOKIE = """
from flask import Flask, session, flash
from itsdangerous import TimestampSigner
TimestampSigner.get_timestamp = lambda self: 1767323045
app = Flask("bench")
app.secret_key = "bench-key"
@app.route("/")
def index():
    session["_user_id"] = "42"
    session["_fresh"] = True
    session["csrf_token"] = "5f1c0e2a9d4b7c3e8a6f0b1d2c4e6a8b0d2f4a6c"
    session["cart"] = (3, 7, 11)
    flash("Welcome back!")
    return ""
print(app.test_client().get("/").headers["Set-Cookie"].split(";")[0].split("=", 1)[1])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40, help="timed runs per command")
    parser.add_argument("--check", action="store_true", help="exit 1 if a requirement fails")
    args = parser.parse_args()

    ours = environment("cookietool", [str(ROOT)], reinstall=True)
    peer = environment("flask-unsign", ["flask-unsign==1.2.1"])
    cookie = subprocess.run(
        [str(ours / "python"), "-c", MAKE_COOKIE], capture_output=True, text=True, check=True
    ).stdout.strip()

    header = f"Cookie: theme=dark; lang=en; session={cookie}; _ga=GA1.2.1234567890.1767323045"
    peer_run = [str(peer / "flask-unsign"), "--decode", "--cookie", cookie]
    medians = alternate(
        {
            "cookietool decode VALUE": [str(ours / "cookietool"), "decode", cookie],
            "cookietool decode 'Cookie: ...'": [str(ours / "cookietool"), "decode", header],
            "flask-unsign --decode": peer_run,
            "cookietool --help": [str(ours / "cookietool"), "--help"],
            "cookietool genkey": [str(ours / "cookietool"), "genkey"],
            'python -c "import click"': [str(ours / "python"), "-c", "import click"],
        },
        args.runs,
    )
    peer_time = medians["flask-unsign --decode"]
    click_time = medians['python -c "import click"']
    ratios = {
        "decode VALUE / flask-unsign": medians["cookietool decode VALUE"] / peer_time,
        "decode 'Cookie: ...' / flask-unsign": medians["cookietool decode 'Cookie: ...'"]
        / peer_time,
        "--help / import click": medians["cookietool --help"] / click_time,
        "genkey / import click": medians["cookietool genkey"] / click_time,
    }
    required = {name: 0.30 if name.startswith("decode") else 1.5 for name in ratios}
    report = {
        "machine": machine(),
        "runs": args.runs,
        "cookie_length": len(cookie),
        "median_seconds": medians,
        "ratios": {name: round(value, 3) for name, value in ratios.items()},
        "required_at_most": required,
    }
    print(json.dumps(report, indent=2))
    ok = all(ratios[name] <= required[name] for name in ratios)
    for name, value in ratios.items():
        print(f"{name}: {value:.2f}x (need <= {required[name]:.2f})")
    print("PASS" if ok else "FAIL")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
