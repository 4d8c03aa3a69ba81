"""Run the command line with ``python -m cookietool``."""

from __future__ import annotations

from cookietool.cli import main

main()
