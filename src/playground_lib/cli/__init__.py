"""The ``playground`` command.

Each subcommand lives in its own module in this package and exposes ``register(subparsers)``;
modules are found automatically, so adding a command never edits a shared file. Imports of
heavy libraries (torch) stay inside each command's ``run`` so that ``playground labelme2coco``
starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import pkgutil
import signal
import sys
import threading
from collections.abc import Iterator

from ._errors import EXIT_BAD_INPUT, UserError

__all__ = ["EXIT_BAD_INPUT", "UserError", "build_parser", "main"]


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a job scheduler, a closing terminal): unwinds like Ctrl-C, so half-built outputs go."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Python's default for SIGTERM ends the process at once, skipping every cleanup; this raises instead."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def stop(signum, frame):
        raise Terminated

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Generative Playgrounds: annotate, convert, sketch and generate playgrounds.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..fileio import WRITE_ERRNOS, OutputError, write_failure_reason

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            return int(args.run(args) or 0)
    except Terminated:
        print("stopped (SIGTERM)", file=sys.stderr)
        return 128 + signal.SIGTERM
    except (UserError, OutputError) as exc:
        print(f"playground {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a full disk met by a writer outside fileio: one line all the same
        if exc.errno not in WRITE_ERRNOS:
            raise
        print(f"playground {args.command}: {exc.filename or 'an output'}: {write_failure_reason(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
