"""decode start-up: `cookietool decode` against `flask-unsign --decode`, and `--help`.

Requirements (issue "Core toolkit"): decode's median wall time at most 0.4x Flask-Unsign's
on the same cookie, and `cookietool --help` within 2x of `python -c "import click"`.
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

    decode = alternate(
        {
            "cookietool decode": [str(ours / "cookietool"), "decode", cookie],
            "flask-unsign --decode": [str(peer / "flask-unsign"), "--decode", "--cookie", cookie],
        },
        args.runs,
    )
    helps = alternate(
        {
            "cookietool --help": [str(ours / "cookietool"), "--help"],
            'python -c "import click"': [str(ours / "python"), "-c", "import click"],
        },
        args.runs,
    )
    decode_ratio = decode["cookietool decode"] / decode["flask-unsign --decode"]
    help_ratio = helps["cookietool --help"] / helps['python -c "import click"']
    report = {
        "machine": machine(),
        "runs": args.runs,
        "cookie_length": len(cookie),
        "median_seconds": {**decode, **helps},
        "decode_ratio": round(decode_ratio, 3),
        "decode_ratio_required": 0.4,
        "help_ratio": round(help_ratio, 3),
        "help_ratio_required": 2.0,
    }
    print(json.dumps(report, indent=2))
    ok = decode_ratio <= 0.4 and help_ratio <= 2.0
    print(
        f"decode: {decode_ratio:.2f}x Flask-Unsign (need <= 0.40); "
        f"--help: {help_ratio:.2f}x import click (need <= 2.00): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
