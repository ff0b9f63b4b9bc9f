"""The ``playground`` command.

Each subcommand lives in its own module in this package and exposes ``register(subparsers)``;
modules are found automatically, so adding a command never edits a shared file. Imports of
heavy libraries (torch) stay inside each command's ``run`` so that ``playground labelme2coco``
starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

EXIT_BAD_INPUT = 2


class UserError(Exception):
    """A problem with the user's input or files: printed as one clear line, exit code 2."""


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
        return int(args.run(args) or 0)
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
