"""Coverage-guided fuzzing of every reader with atheris: ``make fuzz`` (time-bounded).

Any exception that is not a CookietoolError is a crash: libFuzzer writes the input to
``fuzz/crashes/``; copy it there under a telling name, fix the bug, and
``tests/test_fuzz_regressions.py`` keeps it fixed.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["cookietool"]):
    sys.path.insert(0, __file__.rsplit("/", 2)[0])
    from fuzz.targets import run_one


def main() -> None:
    """Hand libFuzzer its arguments (corpus folders, -max_total_time and so on)."""
    atheris.Setup(sys.argv, run_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
