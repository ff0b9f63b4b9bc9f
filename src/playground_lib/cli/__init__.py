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

from ._errors import EXIT_BAD_INPUT, UserError

__all__ = ["EXIT_BAD_INPUT", "UserError", "build_parser", "main"]


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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"playground {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
