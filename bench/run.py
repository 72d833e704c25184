"""slaengine's benchmarks, ``python bench/run.py [options]``: for one commit the whole run lives
in bench/replay.py (moved there so that ``git log --follow`` keeps its history), and the next
commit splits it into one module per section."""

from __future__ import annotations

import sys

from replay import main

if __name__ == "__main__":
    sys.exit(main())
