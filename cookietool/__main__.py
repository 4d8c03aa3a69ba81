"""Entry point of the ``cookietool`` command and of ``python -m cookietool``."""

from __future__ import annotations

import gc


def main() -> None:
    """Run the command line with the cyclic garbage collector paused during start-up.

    Importing Click and rich allocates thousands of long-lived objects and no garbage
    cycles, so the collections they trigger only cost time: about 5 ms of decode's
    70 ms on the benchmark machine (benchmarks/README.md). Commands that run long turn
    collection back on (``audit`` does); short ones end before it would matter.
    """
    gc.disable()
    from cookietool.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
