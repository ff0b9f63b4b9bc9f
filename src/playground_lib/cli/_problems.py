"""How the conversion commands report bad input: every problem, one line each, nothing written."""

from __future__ import annotations

from ._errors import UserError

SHOWN = 200  # a folder with thousands of broken files still gets a readable message


def refuse(problems: list[str], what: str = "nothing was written") -> UserError:
    """A UserError listing the problems (exit code 2)."""
    lines = problems[:SHOWN]
    if len(problems) > SHOWN:
        lines.append(f"... and {len(problems) - SHOWN} more")
    return UserError(f"{len(problems)} problem(s) found, {what}:\n" + "\n".join(lines))
