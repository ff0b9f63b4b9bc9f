"""The official pretrained SPADE ADE20K generator: download once, check, keep, shrink.

NVlabs publishes its pretrained models as one archive, ``checkpoints.tar.gz``, on Google Drive
(linked from https://github.com/NVlabs/SPADE#generating-images-using-pretrained-model). We fetch
it with gdown (progress bar, resumes an interrupted download), pull out only
``ade20k_pretrained/latest_net_G.pth`` without ever writing a path taken from the archive, check
its SHA-256 when a reference hash is recorded, and keep it in ``weights/`` of the series' working
folder (``workspace.workspace_dir``): Google Drive in Colab, so it survives the runtime and a room
does not download the >1 GB archive again and again (Drive limits how often a file is fetched).
The pretrained weights are NVIDIA's, licensed CC BY-NC-SA 4.0 (non-commercial).

``convert_to_fp16_safetensors`` turns the 390 MB ``.pth`` into a 195 MB half-precision
generator file (``spade.generator_file``), which loads without pickle and fits in a Drive quota.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath

from .fileio import atomic_path
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

CACHE_ENV = "PLAYGROUND_WEIGHTS_DIR"
_CHUNK = 1 << 20


class WeightsUnavailable(RuntimeError):
    """The official weights could not be had (offline, Drive quota, bad file): says what to do."""


def cache_dir() -> Path:
    """Where the weights are kept: ``$PLAYGROUND_WEIGHTS_DIR``, else ``weights/`` in the working folder.

    In Colab that mounts Google Drive first (asking once), so the download lands on Drive and is
    found again by notebook 05 and by the next session.
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
    """The official generator if it is already in the cache (fp16 safetensors preferred), else None."""
    folder = Path(cache) if cache is not None else cache_dir()
    for name in (FP16_FILE, GENERATOR_FILE):
        path = folder / "ade20k_pretrained" / name
        if path.is_file():
            return path
    return None


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_generator_hash(path: str | os.PathLike, expected: str | None = None) -> str:
    """Compare a generator file with the recorded SHA-256; returns the hash it computed."""
    expected = expected if expected is not None else OFFICIAL_GENERATOR_SHA256
    actual = sha256_file(path)
    if expected is None:
        print(f"{path}: sha256 {actual} (no reference hash is recorded yet, so it was not checked)")
    elif actual != expected.lower():
        raise WeightsUnavailable(
            f"{path}: sha256 {actual} does not match the official generator's {expected}; "
            "the download is damaged or is another file. Delete it and download again."
        )
    return actual


def download_archive(destination: str | os.PathLike, quiet: bool = False) -> Path:
    """Fetch ``checkpoints.tar.gz`` from Google Drive with gdown; a partial download resumes."""
    import gdown

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = gdown.download(id=OFFICIAL_ARCHIVE_DRIVE_ID, output=str(destination), quiet=quiet, resume=True)
    except Exception as exc:  # network errors, Drive's "too many users" page, quota
        detail = str(exc).splitlines()[0] if str(exc) else ""
        detail = detail if len(detail) <= 100 else detail[:97] + "..."
        raise WeightsUnavailable(_offline_message(f"{type(exc).__name__}: {detail}")) from exc
    if result is None or not destination.is_file():  # older gdown returns None instead of raising
        raise WeightsUnavailable(_offline_message("gdown could not fetch the file"))
    return destination


def _offline_message(reason: str) -> str:
    return (
        f"could not download the official SPADE weights ({reason}). Are you offline? "
        f"Download {ARCHIVE_NAME} yourself from {OFFICIAL_ARCHIVE_URL} and pass it "
        "(or the latest_net_G.pth inside it) with --weights PATH, or use the small bundled model."
    )


def _is_generator_member(member: tarfile.TarInfo) -> bool:
    path = PurePosixPath(member.name)
    parts = [p for p in path.parts if p not in (".", "")]
    if path.is_absolute() or ".." in parts:
        return False
    return "/".join(parts[-2:]) == GENERATOR_MEMBER


def extract_generator(archive: str | os.PathLike, destination_dir: str | os.PathLike) -> Path:
    """Copy only ``ade20k_pretrained/latest_net_G.pth`` out of the archive, in one streaming pass.

    Nothing is written at a path read from the archive: the file goes to a fixed name in
    ``destination_dir``, and links, absolute names and ``..`` are refused, so a hostile archive
    cannot write anywhere else.
    """
    from tqdm.auto import tqdm

    archive = Path(archive)
    target = Path(destination_dir) / GENERATOR_FILE
    try:
        with (
            open(archive, "rb") as raw,
            tqdm(total=archive.stat().st_size, unit="B", unit_scale=True, desc=f"extracting {GENERATOR_MEMBER}") as bar,
            tarfile.open(fileobj=_ProgressReader(raw, bar), mode="r|*") as tar,
        ):
            for member in tar:
                if not _is_generator_member(member):
                    continue
                if not member.isreg():
                    raise WeightsUnavailable(f"{archive}: {member.name} is a link, not a file; refusing it")
                with atomic_path(target) as tmp, open(tmp, "wb") as out:
                    shutil.copyfileobj(tar.extractfile(member), out, _CHUNK)
                return target
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise WeightsUnavailable(
            f"{archive}: not a readable .tar.gz archive ({exc}); delete it and download again"
        ) from exc
    raise WeightsUnavailable(f"{archive}: no {GENERATOR_MEMBER} inside; is this NVlabs' {ARCHIVE_NAME}?")


class _ProgressReader:
    """A file wrapper that advances a progress bar by the compressed bytes read."""

    def __init__(self, raw, bar):
        self.raw, self.bar = raw, bar

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bar.update(len(data))
        return data


def ensure_official_weights(
    weights: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    download: bool = True,
    keep_archive: bool = False,
    quiet: bool = False,
) -> Path:
    """A path to the official ADE20K generator, fetching it only when it is not already at hand.

    ``weights`` is a file the user has: ``latest_net_G.pth``, our ``.safetensors``, or the whole
    ``checkpoints.tar.gz`` (the generator is extracted into the cache). Without it the cache is
    looked at first, then (``download=True``) the archive is fetched, the generator extracted and
    checked, and the 1.x GB archive deleted unless ``keep_archive``.
    """
    folder = Path(cache) if cache is not None else cache_dir()
    target_dir = folder / "ade20k_pretrained"
    if weights is not None:
        weights = Path(weights).expanduser()
        if not weights.is_file():
            raise WeightsUnavailable(
                f"{weights}: no such file (expected latest_net_G.pth, a .safetensors or {ARCHIVE_NAME})"
            )
        if weights.name.endswith((".tar.gz", ".tgz", ".tar")):
            done = target_dir / GENERATOR_FILE
            if done.is_file() and done.stat().st_mtime >= weights.stat().st_mtime:
                return done  # extracted from this archive before
            path = extract_generator(weights, target_dir)
            check_generator_hash(path)
            return path
        return weights
    found = cached_generator(folder)
    if found is not None:
        return found
    if not download:
        raise WeightsUnavailable(
            f"the official weights are not in {target_dir} and downloading was turned off; "
            f"pass --weights PATH or allow the download"
        )
    archive = download_archive((folder if cache is not None else download_dir()) / ARCHIVE_NAME, quiet=quiet)
    try:
        path = extract_generator(archive, target_dir)
    except WeightsUnavailable:
        archive.unlink(missing_ok=True)  # a damaged download must not be reused by the next try
        raise
    try:
        check_generator_hash(path)
    except WeightsUnavailable:
        path.unlink(missing_ok=True)
        raise
    if not keep_archive:
        archive.unlink(missing_ok=True)
    return path


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
    return save_generator(destination, state, config, classes, half=True, info={"converted_from": source.name})
