"""The one exception a subcommand raises for bad input.

It lives apart from ``cli/__init__`` (which finds and imports the subcommands) so that a subcommand
never imports back from the module that loads it.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2


class UserError(Exception):
    """A problem with the user's input or files: printed as one clear line, exit code 2."""
