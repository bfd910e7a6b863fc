"""Headless command line: races over landscapes and network comparisons, no Qt needed.

``main.py --headless --landscape ...`` runs a race (:mod:`engine.cli.race`);
``main.py --headless --task ...`` trains networks (:mod:`engine.cli.net`);
``main.py --headless --map ...`` computes convergence maps (:mod:`engine.cli.maps`);
``main.py --list`` describes everything that can be chosen.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch a headless command line; returns the process exit status.

    0 on success, 2 on a bad argument or an unwritable ``--out`` (one line on stderr),
    130 on Ctrl+C and 143 on SIGTERM (the unfinished CSV's temporary file is removed),
    141 when standard output is closed under ``--out -`` (as a Unix filter would).
    """
    from engine.cli.common import Terminated, clean_argv, interrupted, signals_as_exceptions

    argv = clean_argv(argv)
    try:
        with signals_as_exceptions():
            return _dispatch(argv)
    except (KeyboardInterrupt, Terminated) as exc:
        return interrupted(exc)
    except BrokenPipeError:
        # `--out - | head`: the reader left. Like any Unix filter, stop quietly; point
        # stdout at /dev/null so the interpreter's final flush cannot fail again.
        from engine.cli.common import silence_stdout

        silence_stdout()
        return 141


def _dispatch(argv: list[str]) -> int:
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
