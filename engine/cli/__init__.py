"""Headless command line: races over landscapes and network comparisons, no Qt needed.

``main.py --headless --landscape ...`` runs a race (:mod:`engine.cli.race`);
``main.py --headless --task ...`` trains networks (:mod:`engine.cli.net`);
``main.py --headless --map ...`` computes convergence maps (:mod:`engine.cli.maps`);
``main.py --list`` describes everything that can be chosen.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch a headless command line; returns the process exit status."""
    if "--list" in argv:
        print(describe_all())
        return 0
    if any(a == "--map" or a.startswith("--map=") for a in argv):
        from engine.cli import maps

        return maps.main(argv)
    if any(a == "--task" or a.startswith("--task=") for a in argv):
        from engine.cli import net

        return net.main(argv)
    from engine.cli import race

    return race.main(argv)


def describe_all() -> str:
    """Everything the CLI and the GUI can choose, with parameters and defaults."""
    from engine.cli import maps, net, race

    return race.describe() + "\n\n" + maps.describe() + "\n\n" + net.describe()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
