"""Fetch one big file from a link: plain HTTP(S), or a Google Drive share link; a refusal is a paragraph.

Hosted weights come and go (NVlabs' Drive folder has refused downloads since late 2024), so a room
is better served by one copy a facilitator shares than by forty participants asking Drive. This
module fetches such a copy, whatever the link: a Drive link goes through gdown (Drive's
confirmation pages, resumable), any other HTTP(S) address through ``urllib`` with a progress bar.
Either way the file is written under a temporary name and renamed when complete (``fileio``), it
may not grow past a size cap, and a web page served in its place (Drive's "too many downloads" or
sign-in page) is refused.

Every failure is a ``DownloadFailed`` whose message is one paragraph for a newcomer: what
happened, in words, then what to do (``advice``, given by the caller, who knows whether the reader
sets a notebook parameter or passes a command-line option). Never a traceback.
"""

from __future__ import annotations

import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .error_line import first_line
from .fileio import atomic_path

CHUNK = 1 << 20  # bytes read at a time from a download or an archive
TIMEOUT_S = 30
_DRIVE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")


class DownloadFailed(RuntimeError):
    """A link that gave no usable file; the message says what happened and what to do."""


def drive_file_id(url: str) -> str | None:
    """The file id of a Google Drive share link (``/file/d/ID/…``, ``?id=ID``), else None."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in _DRIVE_HOSTS:
        return None
    match = re.search(r"/d/([A-Za-z0-9_-]{10,})", parts.path)
    if match:
        return match.group(1)
    ids = urllib.parse.parse_qs(parts.query).get("id")
    return ids[0] if ids and re.fullmatch(r"[A-Za-z0-9_-]{10,}", ids[0]) else None


def fetch(url: str, destination: str | os.PathLike, max_bytes: int, what: str, advice: str, quiet=False) -> Path:
    """Download ``url`` to ``destination``: a Drive link through gdown, anything else through urllib."""
    drive_id = drive_file_id(url)
    if drive_id is not None:
        return drive_download(drive_id, destination, max_bytes, what, advice, quiet=quiet)
    return http_download(url, destination, max_bytes, what, advice, quiet=quiet)


def drive_download(
    file_id: str, destination: str | os.PathLike, max_bytes: int, what: str, advice: str, quiet: bool = False
) -> Path:
    """Fetch a Google Drive file with gdown (resumes a partial download); Drive's refusals as a paragraph."""
    import gdown

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = gdown.download(id=file_id, output=str(destination), quiet=quiet, resume=True)
    except Exception as exc:  # gdown raises its own errors, requests' and plain OSErrors
        raise DownloadFailed(f"{drive_refusal(exc, what)} {advice}") from None
    if result is None or not destination.is_file():  # older gdown returns None instead of raising
        raise DownloadFailed(f"Google Drive did not hand over {what} (gdown gave no file). {advice}")
    _refuse_unusable(destination, max_bytes, what, advice, "Google Drive")
    return destination


def drive_refusal(exc: BaseException, what: str) -> str:
    """What a gdown failure means, in words (its own messages are several lines of hints for developers)."""
    text = " ".join(str(exc).split())
    lowered = text.lower()
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if "too many users" in lowered or "quota" in lowered:
        return (
            f"Google Drive refused {what}: too many people have downloaded it recently, and Drive stops "
            "a popular file for a day or so. Nothing is wrong on your side."
        )
    if status in (401, 403, 404) or "permission" in lowered or "public link" in lowered:
        return (
            f"Google Drive refused {what}: the file is not shared with everyone who has the link any more, "
            "or it has been downloaded too often lately (Drive does not say which)."
        )
    if _is_network_error(exc):
        return f"Could not reach Google Drive for {what}: this computer seems to be offline."
    return f"Google Drive did not hand over {what} ({first_line(exc, 100)})."


def http_download(
    url: str, destination: str | os.PathLike, max_bytes: int, what: str, advice: str, quiet: bool = False
) -> Path:
    """Fetch a plain HTTP(S) address with a progress bar, at most ``max_bytes``, written atomically."""
    from tqdm.auto import tqdm

    destination = Path(destination)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise DownloadFailed(f"{url}: not a web address (http:// or https://), so {what} cannot come from it. {advice}")
    request = urllib.request.Request(url, headers={"User-Agent": "generative-playgrounds"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response, atomic_path(destination) as tmp:
            total = int(response.headers.get("Content-Length") or 0) or None
            if total is not None and total > max_bytes:
                raise DownloadFailed(f"{_too_big(url, total, max_bytes, what)} {advice}")
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"downloading {what}", disable=quiet) as bar:
                written = copy_at_most(
                    ProgressReader(response, bar),
                    tmp,
                    max_bytes,
                    lambda size: DownloadFailed(f"{_too_big(url, size, max_bytes, what)} {advice}"),
                )
            if total is not None and written < total:
                raise DownloadFailed(f"{url}: the download stopped after {written:,} of {total:,} bytes. {advice}")
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"{_http_refusal(url, exc.code, what)} {advice}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)  # a URLError wraps the socket's own error
        reason = reason if isinstance(reason, BaseException) else exc
        raise DownloadFailed(
            f"Could not reach {urllib.parse.urlsplit(url).hostname} for {what} ({first_line(reason, 100)}): "
            f"is this computer offline, or the address mistyped? {advice}"
        ) from None
    _refuse_unusable(destination, max_bytes, what, advice, url)
    return destination


def _http_refusal(url: str, code: int, what: str) -> str:
    if code in (401, 403):
        return f"{url} refused {what} (HTTP {code}): the link is private or has expired."
    if code == 404:
        return f"{url}: nothing there (HTTP 404); the link may be mistyped or the file moved."
    if code == 429 or code >= 500:
        return f"{url} is busy or failing (HTTP {code}); it may work again in a while."
    return f"{url} did not hand over {what} (HTTP {code})."


def _too_big(url: str, size: int, limit: int, what: str) -> str:
    return f"{url}: over {size / 1e6:,.0f} MB, more than {what} can be ({limit / 1e6:,.0f} MB at most); not kept."


def _refuse_unusable(path: Path, max_bytes: int, what: str, advice: str, source: str) -> None:
    """Delete and refuse a downloaded file that is too big or is a web page instead of the file."""
    size = path.stat().st_size
    if size > max_bytes:
        path.unlink()
        raise DownloadFailed(f"{_too_big(source, size, max_bytes, what)} {advice}")
    if is_web_page(path):
        path.unlink()
        raise DownloadFailed(
            f"{source} sent a web page instead of {what} (Drive does this when a file is over its download "
            f"quota or needs a sign-in). It was deleted. {advice}"
        )


def is_web_page(path: str | os.PathLike) -> bool:
    """An HTML page where a binary file was expected (weights files never start with '<')."""
    with open(path, "rb") as f:
        start = f.read(512).lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml"))


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError, urllib.error.URLError)):
        return True
    try:
        import requests
    except ImportError:  # gdown brings requests; without it no request was made
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


def copy_at_most(source, destination: Path, limit: int, too_big: Callable[[int], Exception]) -> int:
    """Copy a stream to a file; past ``limit`` bytes raise ``too_big(bytes so far)``, whatever a header said.

    Returns the bytes written. A server or an archive may say one size and send another.
    """
    written = 0
    with open(destination, "wb") as out:
        for block in iter(lambda: source.read(CHUNK), b""):
            written += len(block)
            if written > limit:
                raise too_big(written)
            out.write(block)
    return written


class ProgressReader:
    """A stream wrapper that advances a progress bar by the bytes read through it."""

    def __init__(self, raw, bar):
        self.raw, self.bar = raw, bar

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bar.update(len(data))
        return data
