"""The official pretrained SPADE ADE20K generator: download once, check, keep, shrink.

NVlabs publishes its pretrained models as one archive, ``checkpoints.tar.gz``, on Google Drive
(linked from https://github.com/NVlabs/SPADE#generating-images-using-pretrained-model). We fetch
it with gdown (progress bar, resumes an interrupted download), pull out only
``ade20k_pretrained/latest_net_G.pth`` without ever writing a path taken from the archive, and
keep it in ``weights/`` of the series' working folder (``workspace.workspace_dir``): Google Drive in
Colab, so it survives the runtime and a room does not download the >1 GB archive again and again
(Drive limits how often a file is fetched). The pretrained weights are NVIDIA's, licensed
CC BY-NC-SA 4.0 (non-commercial).

Since NVlabs' Drive file often refuses downloads, the same generator can come from elsewhere:
a file or folder the user points at (``given_weights``: the room's shared Drive folder, say) or a
link a facilitator shares (``official_from_url``, through ``download``). Messages that tell the
reader what to do name the settings as the reader knows them (``SettingNames``).

What is checked, since nobody on the project has recorded the official file's hash yet:

* sizes: the archive at most ``MAX_ARCHIVE_BYTES``, the generator at most ``MAX_GENERATOR_BYTES``
  (386.5 MB expected), counted while it is copied, so a damaged or hostile archive cannot fill a disk;
* structure: the ADE20K generator's exact tensor names and shapes (``OFFICIAL_STRUCTURE_SHA256``:
  151 input channels, ngf 64, ``OFFICIAL_GENERATOR_PARAMETERS`` parameters), before the file is kept
  and on every later use (read from the file's header or index, not its tensors);
* integrity: the SHA-256 of the file as first downloaded goes beside it (``NAME.sha256``) and every
  later use compares it, so a copy damaged on Drive is noticed; ``OFFICIAL_GENERATOR_SHA256``, once
  recorded, is compared too. A file that fails a check is deleted, never kept.

``convert_to_fp16_safetensors`` turns the 386 MB ``.pth`` into a 193 MB half-precision
generator file (``spade.generator_file``), which loads without pickle and fits in a Drive quota.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, cast

from .download import CHUNK, DownloadFailed, ProgressReader, copy_at_most, drive_download, fetch
from .fileio import atomic_path, write_text
from .spade.config import OFFICIAL_ADE20K
from .workspace import workspace_dir

OFFICIAL_ARCHIVE_DRIVE_ID = "12gvlTbMvUcJewQlSEaZdeb2CdOB-b8kQ"
OFFICIAL_ARCHIVE_URL = f"https://drive.google.com/file/d/{OFFICIAL_ARCHIVE_DRIVE_ID}/view"
ARCHIVE_NAME = "checkpoints.tar.gz"
GENERATOR_MEMBER = "ade20k_pretrained/latest_net_G.pth"  # inside the archive, possibly under checkpoints/
GENERATOR_FILE = "latest_net_G.pth"
FP16_FILE = "latest_net_G.fp16.safetensors"
# Not recorded yet: nobody on the project has had the file in hand. When the check runs without
# it, it prints the hash it computed; put that here once it is confirmed from a second download.
OFFICIAL_GENERATOR_SHA256: str | None = None
# What can be pinned without the file: its shape. SHA-256 of "name shape" lines of every tensor of
# SPADEGenerator(OFFICIAL_ADE20K) but the optional num_batches_tracked (see structure_digest); a test
# rebuilds the network and recomputes it.
OFFICIAL_CONFIG = OFFICIAL_ADE20K
OFFICIAL_STRUCTURE_SHA256 = "ece22e1117a0481c90bd32f65988d432de3103bc85b468fe1bf06a022577168c"
OFFICIAL_GENERATOR_PARAMETERS = 96_492_483
MAX_GENERATOR_BYTES = 420 * 10**6  # float32 weights are 386.0 MB; pickle framing adds well under 1 MB
MAX_ARCHIVE_BYTES = 4 * 10**9  # NVlabs' archive holds several generators (ADE20K, COCO, Cityscapes)
HASH_SUFFIX = ".sha256"

CACHE_ENV = "PLAYGROUND_WEIGHTS_DIR"
PATH_ENV = "PLAYGROUND_SPADE_WEIGHTS"  # a file or folder with the weights (local, Drive, uploaded)
URL_ENV = "PLAYGROUND_SPADE_WEIGHTS_URL"  # a link to them (HTTPS, or a Google Drive share link)


class WeightsUnavailable(RuntimeError):
    """The official weights could not be had (offline, Drive quota, bad file): says what to do."""


def cache_dir() -> Path:
    """Where the weights are kept: ``$PLAYGROUND_WEIGHTS_DIR``, else ``weights/`` in the working folder.

    In Colab that mounts Google Drive first (asking once), so the download lands on Drive and is
    found again by notebook 06 and by the next session.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return workspace_dir() / "weights"


def download_dir() -> Path:
    """Where the big archive goes while the generator is pulled out of it: always a local disk.

    In Colab the kept weights live on Drive, but the archive (over a gigabyte, deleted after
    extraction) would eat the Drive quota and upload for nothing, so it stays on the runtime's disk.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "generative_playgrounds" / "downloads"


def cached_generator(cache: str | os.PathLike | None = None) -> Path | None:
    """The official generator if it is in the cache and intact (fp16 safetensors preferred), else None.

    Each use compares the file with the SHA-256 recorded beside it; a damaged one is deleted (and
    said so), and the next candidate or a new download takes its place.
    """
    folder = Path(cache) if cache is not None else cache_dir()
    for name in (FP16_FILE, GENERATOR_FILE):
        path = folder / "ade20k_pretrained" / name
        if path.is_file():
            try:
                return verified(path)
            except WeightsUnavailable as exc:
                print(exc)
            except OSError as exc:  # a read that failed says nothing about the file: it stays
                print(f"{exc}. It was left as it is; try again in a moment.")
    return None


def hash_path(path: str | os.PathLike) -> Path:
    """Where the SHA-256 of a kept weights file is recorded: ``NAME.sha256`` beside it."""
    path = Path(path)
    return path.with_name(path.name + HASH_SUFFIX)


def record_hash(path: str | os.PathLike, digest: str | None = None) -> str:
    """Write ``NAME.sha256`` (``sha256sum`` format) for a file that has just passed its checks."""
    digest = digest or sha256_file(path)
    write_text(hash_path(path), f"{digest}  {Path(path).name}\n")
    return digest


def verified(path: str | os.PathLike) -> Path:
    """``path`` if it still has the SHA-256 recorded when it was kept and the official structure; else
    delete it and say so.

    The record only proves the file has not changed since it was written beside it: anything can
    have been put in the cache with a matching record (a training export, a broken copy), so the
    structure is checked on every use too, from the file's header or index (a few milliseconds for
    the fp16 copy). A kept file without a record (cached by an older version) gets one now.
    """
    path = Path(path)
    record = hash_path(path)
    if record.is_file():
        expected = (record.read_text(encoding="utf-8").split() or [""])[0]
        actual = sha256_file(path)
        if actual != expected:
            _delete(path)
            raise WeightsUnavailable(
                f"{path}: sha256 {actual} differs from the {expected or 'empty record'} recorded in {record.name} "
                "when it was kept: the file was damaged (a partial copy or sync?). It was deleted; run again to "
                "download it afresh."
            )
    _refuse_unless(path, lambda: check_official_structure(path))
    if not record.is_file():
        record_hash(path)
    return path


def _refuse_unless(path: Path, check) -> None:
    """Run a check of a weights file; a file that fails it is deleted, not kept."""
    try:
        check()
    except (WeightsUnavailable, ValueError) as exc:
        _delete(path)
        raise WeightsUnavailable(f"{exc} It was deleted.") from None


def _delete(path: Path) -> None:
    path.unlink(missing_ok=True)
    hash_path(path).unlink(missing_ok=True)


def structure_digest(state) -> str:
    """SHA-256 of the "name shape" lines of a generator's tensors (sorted, num_batches_tracked left out).

    ``state``: tensors, or their shapes (``generator_file.read_generator_shapes``).
    """
    lines = sorted(
        f"{k} {tuple(getattr(v, 'shape', v))}" for k, v in state.items() if not k.endswith("num_batches_tracked")
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def expected_structure(config) -> str:
    """The structure digest of a generator with ``config``: pinned for the official one, else computed."""
    if config == OFFICIAL_ADE20K:
        return OFFICIAL_STRUCTURE_SHA256
    from .spade.model import SPADEGenerator

    return structure_digest(SPADEGenerator(config).state_dict())


def check_official_structure(path: str | os.PathLike, shown: str | os.PathLike | None = None) -> None:
    """Refuse a file that is not the official ADE20K generator's shape (config, every tensor's shape).

    Reads the shapes only (``read_generator_shapes``), never code: a pickle payload is refused.
    """
    from .spade.generator_file import read_generator_shapes

    shown = shown or path
    state, config, classes = read_generator_shapes(path)
    if classes is not None or config != OFFICIAL_CONFIG:
        raise WeightsUnavailable(
            f"{shown}: a generator with {config}{' and a class list' if classes else ''}, not the official "
            f"ADE20K one ({OFFICIAL_CONFIG})."
        )
    if structure_digest(state) != expected_structure(OFFICIAL_CONFIG):
        raise WeightsUnavailable(f"{shown}: its tensors' names or shapes differ from the official ADE20K generator's.")


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_generator_hash(
    path: str | os.PathLike, expected: str | None = None, shown: str | os.PathLike | None = None
) -> str:
    """Compare a generator file with the official SHA-256 (when recorded); returns the hash it computed."""
    expected = expected if expected is not None else OFFICIAL_GENERATOR_SHA256
    shown = shown or path
    actual = sha256_file(path)
    if expected is None:
        print(f"{shown}: sha256 {actual} (no official hash is recorded yet: its size and structure were checked)")
    elif actual != expected.lower():
        raise WeightsUnavailable(
            f"{shown}: sha256 {actual} does not match the official generator's {expected}; "
            "the download is damaged or is another file."
        )
    return actual


@dataclass(frozen=True)
class SettingNames:
    """How a reader sets each source of the weights where a message is shown: messages say what to do
    in the reader's own words (a notebook parameter is not a command-line option)."""

    path: str  # "... and <path>": how to point at a file or folder they have
    url: str  # "or <url>": how to give a link
    how_to_get: str  # where the ways to get the official weights are explained


ENV_NAMES = SettingNames(
    f"set {PATH_ENV} to where it is", f"set {URL_ENV} to a link they share", "notebook 05 says how to get them"
)
CLI_NAMES = SettingNames(
    "pass it with --weights PATH", "pass a link they share with --weights-url URL", "notebook 05 says how to get them"
)
NOTEBOOK_NAMES = SettingNames(
    "set weights_path (parameters cell, at the top) to where it is",
    "set weights_url to a link they share",
    "section 1 says how to get them",
)


def advice(names: SettingNames = ENV_NAMES) -> str:
    """What to do when a download fails: the room's shared copy, by path or link."""
    return (
        f"What to do: ask your facilitator for the room's shared copy ({ARCHIVE_NAME} or {GENERATOR_FILE}) "
        f"and {names.path}, or {names.url}."
    )


def download_archive(destination: str | os.PathLike, quiet: bool = False, names: SettingNames = ENV_NAMES) -> Path:
    """Fetch ``checkpoints.tar.gz`` from NVlabs' Google Drive with gdown; a partial download resumes.

    Drive's refusals (not shared any more, quota, a web page served instead) and being offline
    come back as one paragraph (``download.drive_download``), never as gdown's developer hints.
    """
    try:
        return drive_download(
            OFFICIAL_ARCHIVE_DRIVE_ID, destination, MAX_ARCHIVE_BYTES, f"NVlabs' {ARCHIVE_NAME}", advice(names), quiet
        )
    except DownloadFailed as exc:
        raise WeightsUnavailable(str(exc)) from None


def official_from_url(
    url: str, cache: str | os.PathLike | None = None, names: SettingNames = ENV_NAMES, quiet: bool = False
) -> Path:
    """The official generator from a link a facilitator shares: the archive, the ``.pth`` or our fp16 file.

    The download goes to the local disk (``download_dir``); what it is, is read from its first
    bytes (links seldom end in a file name); it passes the same checks as NVlabs' own download
    before it is kept in the cache, where the next run finds it without a download.
    """
    target_dir = (Path(cache) if cache is not None else cache_dir()) / "ade20k_pretrained"
    downloaded = download_dir() / "from_url.download"
    try:
        fetch(url, downloaded, MAX_ARCHIVE_BYTES, "the SPADE weights", advice(names), quiet=quiet)
    except DownloadFailed as exc:
        raise WeightsUnavailable(str(exc)) from None
    try:
        kind = _kind_of(downloaded)
        if kind == "archive":
            return extract_generator(downloaded, target_dir, shown=url)
        if kind is None:
            raise WeightsUnavailable(
                f"{url}: serves neither {ARCHIVE_NAME}, {GENERATOR_FILE} nor a .safetensors generator. {advice(names)}"
            )
        return _keep_generator(downloaded, target_dir / (FP16_FILE if kind == "safetensors" else GENERATOR_FILE), url)
    finally:
        downloaded.unlink(missing_ok=True)


def _kind_of(path: Path) -> str | None:
    """ "archive", "pth" or "safetensors" from a file's first bytes, else None."""
    with open(path, "rb") as f:
        head = f.read(512)
    if head.startswith(b"\x1f\x8b") or head[257:262] == b"ustar":
        return "archive"
    if head.startswith(b"PK\x03\x04") or head[:1] == b"\x80":  # torch's zip format, or its older pickle one
        return "pth"
    if len(head) > 8 and head[8:9] == b"{":  # safetensors: an 8-byte header length, then JSON
        return "safetensors"
    return None


def _keep_generator(source: Path, target: Path, shown: str) -> Path:
    """Check a downloaded generator file and copy it into the cache with its SHA-256 recorded."""
    size = source.stat().st_size
    if size > MAX_GENERATOR_BYTES:
        raise WeightsUnavailable(_too_big(shown, target.name, size))
    staged = source.with_name(target.name)  # the reader goes by the file's suffix
    os.replace(source, staged)
    try:
        if target.suffix == ".safetensors":
            _refuse_unless(staged, lambda: check_official_structure(staged, shown))
            digest = sha256_file(staged)  # the official hash is the .pth's: not comparable
        else:
            digest = _check_extracted(staged, shown)
        with atomic_path(target) as tmp:
            shutil.copyfile(staged, tmp)
    finally:
        staged.unlink(missing_ok=True)
    record_hash(target, digest)
    return target


def _is_generator_member(member: tarfile.TarInfo) -> bool:
    path = PurePosixPath(member.name)
    parts = [p for p in path.parts if p not in (".", "")]
    if path.is_absolute() or ".." in parts:
        return False
    return "/".join(parts[-2:]) == GENERATOR_MEMBER


def extract_generator(archive: str | os.PathLike, destination_dir: str | os.PathLike, shown: str | None = None) -> Path:
    """Copy only ``ade20k_pretrained/latest_net_G.pth`` out of the archive, in one streaming pass.

    Nothing is written at a path read from the archive: the file goes to a fixed name in
    ``destination_dir``, and links, absolute names and ``..`` are refused, so a hostile archive
    cannot write anywhere else. The copy stops at ``MAX_GENERATOR_BYTES``; it is checked (size,
    structure, the official hash when recorded) under a temporary name and kept only if it passes,
    with its SHA-256 recorded beside it for later uses to compare. ``shown``: how messages name
    the archive (the link it came from), else its path.
    """
    from tqdm.auto import tqdm

    archive = Path(archive)
    name = shown or str(archive)
    target = Path(destination_dir) / GENERATOR_FILE
    try:
        with (
            open(archive, "rb") as raw,
            tqdm(total=archive.stat().st_size, unit="B", unit_scale=True, desc=f"extracting {GENERATOR_MEMBER}") as bar,
            tarfile.open(fileobj=cast(IO[bytes], ProgressReader(raw, bar)), mode="r|*") as tar,
        ):
            for member in tar:
                if not _is_generator_member(member):
                    continue
                if not member.isreg():
                    raise WeightsUnavailable(f"{name}: {member.name} is a link, not a file; refusing it")
                if member.size > MAX_GENERATOR_BYTES:
                    raise WeightsUnavailable(_too_big(name, member.name, member.size))
                too_big = partial(_refuse_too_big, name, member.name)
                with atomic_path(target) as tmp:
                    copy_at_most(tar.extractfile(member), tmp, MAX_GENERATOR_BYTES, too_big)
                    digest = _check_extracted(tmp, f"{name}: {member.name}")
                record_hash(target, digest)
                return target
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise WeightsUnavailable(
            f"{name}: not a readable .tar.gz archive ({exc}); delete it and download again"
        ) from exc
    raise WeightsUnavailable(f"{name}: no {GENERATOR_MEMBER} inside; is this NVlabs' {ARCHIVE_NAME}?")


def _refuse_too_big(archive: str | Path, name: str, size: int) -> WeightsUnavailable:
    return WeightsUnavailable(_too_big(archive, name, size))


def _too_big(archive: str | Path, name: str, size: int) -> str:
    return (
        f"{archive}: {name} is over {size / 1e6:.0f} MB, more than the official generator's 386 MB "
        f"(at most {MAX_GENERATOR_BYTES / 1e6:.0f} MB accepted); refusing it"
    )


def _check_extracted(tmp: Path, shown: str) -> str:
    """Structure and (when recorded) official hash of a freshly extracted generator; returns its SHA-256."""
    try:
        check_official_structure(tmp, shown)
    except ValueError as exc:  # not a readable weights file at all
        raise WeightsUnavailable(str(exc).replace(str(tmp), shown)) from None
    return check_generator_hash(tmp, shown=shown)


def ensure_official_weights(
    weights: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    download: bool = True,
    keep_archive: bool = False,
    quiet: bool = False,
    names: SettingNames = ENV_NAMES,
) -> Path:
    """A path to the official ADE20K generator, fetching it only when it is not already at hand.

    ``weights`` is a file or folder the user has (``given_weights``). Without it the cache is
    looked at first, then (``download=True``) NVlabs' archive is fetched, the generator extracted
    and checked, and the 1.x GB archive deleted unless ``keep_archive``.
    """
    folder = Path(cache) if cache is not None else cache_dir()
    if weights is not None:
        return given_weights(weights, folder, names)
    found = cached_generator(folder)
    if found is not None:
        return found
    if not download:
        raise WeightsUnavailable(
            f"The official weights are not in {folder / 'ade20k_pretrained'} and downloading was turned off. "
            f"{advice(names)}"
        )
    archive = download_archive(
        (folder if cache is not None else download_dir()) / ARCHIVE_NAME, quiet=quiet, names=names
    )
    try:
        path = extract_generator(archive, folder / "ade20k_pretrained")
    except WeightsUnavailable:
        archive.unlink(missing_ok=True)  # a damaged download must not be reused by the next try
        raise
    if not keep_archive:
        archive.unlink(missing_ok=True)
    return path


# Where a shared folder may hold the weights, best first (the fp16 copy is half the reading).
_IN_A_FOLDER = [
    *(f"{sub}{name}" for name in (FP16_FILE, GENERATOR_FILE) for sub in ("", "ade20k_pretrained/")),
    ARCHIVE_NAME,
    f"checkpoints/ade20k_pretrained/{GENERATOR_FILE}",
]


def given_weights(weights: str | os.PathLike, cache: str | os.PathLike | None = None, names=ENV_NAMES) -> Path:
    """The generator file in what the user pointed at: a file (``latest_net_G.pth``, a ``.safetensors``,
    ``checkpoints.tar.gz``, whose generator is extracted into the cache) or a folder holding one,
    such as the room's shared Drive folder."""
    folder = Path(cache) if cache is not None else cache_dir()
    path = Path(weights).expanduser()
    if path.is_dir():
        found = next((path / name for name in _IN_A_FOLDER if (path / name).is_file()), None)
        if found is None:
            raise WeightsUnavailable(
                f"{path}: a folder without {FP16_FILE}, {GENERATOR_FILE} or {ARCHIVE_NAME} in it. {advice(names)}"
            )
        path = found
    if not path.is_file():
        drive = " Is Google Drive connected, and the shared folder added to your Drive?" if _on_drive(path) else ""
        raise WeightsUnavailable(
            f"{path}: no such file or folder (expected {GENERATOR_FILE}, a .safetensors or {ARCHIVE_NAME}).{drive}"
        )
    if not path.name.endswith((".tar.gz", ".tgz", ".tar")):
        return path
    done = folder / "ade20k_pretrained" / GENERATOR_FILE
    if done.is_file() and done.stat().st_mtime >= path.stat().st_mtime:
        try:
            return verified(done)  # extracted from this archive before, and still intact
        except WeightsUnavailable as exc:
            print(f"{exc} Extracting it again from {path}.")
    return extract_generator(path, folder / "ade20k_pretrained")


def _on_drive(path: Path) -> bool:
    return str(path.absolute()).startswith("/content/drive")


def convert_to_fp16_safetensors(source: str | os.PathLike, destination: str | os.PathLike | None = None) -> Path:
    """Save the generator in half precision in our generator file format (half the size, no pickle).

    Same key layout; the config travels in the file's metadata (``spade.generator_file``), so
    ``load_generator`` rebuilds the right network. Outputs differ from the float32 original by
    about 1e-3 (half precision of the weights), invisible in a picture.
    """
    from .spade.generator_file import read_generator, save_generator

    source = Path(source)
    destination = Path(destination) if destination is not None else source.with_name(FP16_FILE)
    state, config, classes = read_generator(source)
    save_generator(destination, state, config, classes, half=True, info={"converted_from": source.name})
    if destination.name == FP16_FILE:  # the cache's copy: later uses check it like the original
        record_hash(destination)
    return destination
