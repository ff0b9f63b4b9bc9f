"""Numeric options checked before any work: a value a command cannot use is one line naming the option."""

from __future__ import annotations

from ._errors import UserError


def in_range(flag: str, value: int | None, low: int, high: int | None = None, unit: str = "") -> None:
    """Refuse ``value`` of ``flag`` outside ``low..high`` (``None``: the option was not given)."""
    if value is None:
        return
    if value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"between {low} and {high:,}"
        raise UserError(f"{flag} must be {span}{unit}, got {value}")
