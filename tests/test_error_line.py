"""An error as one line: empty messages and pages of text both come out as one readable line."""

from playground_lib.error_line import first_line


def test_an_empty_message_gives_the_type():
    assert first_line(EOFError()) == "EOFError"
    assert first_line(ValueError("  \n ")) == "ValueError"


def test_only_the_first_line_cut_to_the_limit():
    exc = RuntimeError("x" * 300 + "\nsecond line")
    assert first_line(exc) == "RuntimeError: " + "x" * 300
    assert first_line(exc, 160) == "RuntimeError: " + "x" * 157 + "..."
    assert first_line(OSError("short"), 160) == "OSError: short"
