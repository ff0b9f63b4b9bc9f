"""Outputs are all-or-nothing and checked before the work: Ctrl-C, reruns, unwritable paths.

The SPADE folder is built beside its destination and renamed into place; a run interrupted with
SIGINT leaves nothing (or the earlier folder); a rerun leaves no stale sample; an output path that
cannot be written stops the command at once with one line and exit 2.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from labelme_fixtures import write_labelme_set

from playground_lib.cli import main
from playground_lib.coco.from_labelme import labelme_to_coco
from playground_lib.coco.to_spade import coco_to_spade
from playground_lib.fileio import write_json, write_png

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> tuple[Path, Path]:
    """Four labelme images and their COCO file."""
    folder = tmp_path_factory.mktemp("small")
    write_labelme_set(folder, 4, size=(32, 48), seed=5)
    coco = tmp_path_factory.mktemp("coco") / "coco.json"
    write_json(coco, labelme_to_coco(folder, progress=False), indent=None)
    return folder, coco


def _many(source: Path, folder: Path, n: int) -> Path:
    """A COCO file of ``n`` images: copies of one converted image and its annotations."""
    coco = labelme_to_coco(source, progress=False)
    first = coco["images"][0]
    annotations = [a for a in coco["annotations"] if a["image_id"] == first["id"]]
    folder.mkdir()
    images, out_annotations = [], []
    for i in range(n):
        name = f"s_{i:05d}.png"
        os.link(source / first["file_name"], folder / name)
        images.append({**first, "id": i + 1, "file_name": name})
        for a in annotations:
            out_annotations.append({**a, "id": len(out_annotations) + 1, "image_id": i + 1})
    coco.update(images=images, annotations=out_annotations)
    return write_json(folder / "many.json", coco, indent=None)


def _builds(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}.building-*"))


def _interrupt_coco2spade(
    coco: Path, images: Path, out: Path, *extra: str, command: str = "coco2spade", sig: int = signal.SIGINT
) -> subprocess.CompletedProcess:
    """Run ``playground coco2spade`` (or ``command``) in a subprocess; ``sig`` once its build folder holds 5 files."""
    code = "import sys; from playground_lib.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, command, str(coco), str(images), str(out), "--quiet", *extra]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    written = "labels/*.png" if command == "coco2spade" else "*.json"
    try:
        deadline = time.monotonic() + 120  # a safety net, not an assertion on speed
        while time.monotonic() < deadline and process.poll() is None:
            builds = _builds(out)
            if builds and len(list(builds[0].glob(written))) >= 5:
                break
            time.sleep(0.02)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def test_sigint_during_coco2spade_leaves_nothing_then_the_old_folder_whole(small_set, tmp_path):
    source, coco = small_set
    many = _many(source, tmp_path / "many", 1500)
    out = tmp_path / "spade"

    result = _interrupt_coco2spade(many, many.parent, out)
    assert result.returncode == 130, result.stderr  # interrupted while writing, not finished
    assert "interrupted" in result.stderr
    assert not out.exists() and not _builds(out)

    assert main(["coco2spade", str(coco), str(source), str(out), "--quiet"]) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    result = _interrupt_coco2spade(many, many.parent, out, "--overwrite")
    assert result.returncode == 130, result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before  # the earlier folder, untouched
    assert json.loads((out / "dataset.json").read_text())["counts"]["images"] == 4
    assert not _builds(out)


def test_sigterm_during_coco2spade_cleans_up_as_sigint_does(small_set, tmp_path):
    source, _ = small_set
    many = _many(source, tmp_path / "many", 1500)
    out = tmp_path / "spade"
    result = _interrupt_coco2spade(many, many.parent, out, sig=signal.SIGTERM)
    assert result.returncode == 143, result.stderr
    assert "Traceback" not in result.stderr and "stopped (SIGTERM)" in result.stderr, result.stderr
    assert not out.exists() and not _builds(out)


def test_sigint_during_coco2labelme_leaves_nothing(small_set, tmp_path):
    source, _ = small_set
    many = _many(source, tmp_path / "many", 1500)
    out = tmp_path / "edit"
    result = _interrupt_coco2spade(many, many.parent, out, command="coco2labelme")
    assert result.returncode == 130, result.stderr
    assert not out.exists() and not _builds(out)


def test_coco2labelme_refuses_a_folder_with_files_unless_overwrite(small_set, tmp_path, capsys):
    source, coco = small_set
    out = tmp_path / "mine"
    out.mkdir()
    (out / "img_0000.json").write_text("my own careful annotations")
    (out / "notes.txt").write_text("keep me")
    assert main(["coco2labelme", str(coco), str(source), str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already holds files" in err and "--overwrite" in err, err
    assert (out / "img_0000.json").read_text() == "my own careful annotations"
    assert main(["coco2labelme", str(coco), str(source), str(out), "--quiet", "--overwrite"]) == 0
    assert json.loads((out / "img_0000.json").read_text())["imagePath"] == "img_0000.png"
    assert (out / "notes.txt").read_text() == "keep me" and len(list(out.glob("*.json"))) == 4
    assert not _builds(out)


def test_stale_build_folders_of_dead_processes_are_removed_live_ones_kept(small_set, tmp_path):
    source, coco = small_set
    out = tmp_path / "spade"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".spade.building-{int(dead.stdout)}-abc"
    live = tmp_path / f".spade.building-{os.getpid()}-def"  # this test's own process: alive
    for folder in (stale, live):
        folder.mkdir()
        (folder / "dataset.json").write_text("{}")
    assert main(["coco2spade", str(coco), str(source), str(out), "--quiet"]) == 0
    assert not stale.exists() and live.is_dir()


def test_rerun_replaces_the_spade_folder_whole_only_with_overwrite(small_set, tmp_path, capsys):
    source, coco = small_set
    out = tmp_path / "spade"
    assert main(["coco2spade", str(coco), str(source), str(out), "--quiet"]) == 0
    (out / "labels" / "stale_0000.png").write_bytes((out / "labels" / "img_0000.png").read_bytes())

    assert main(["coco2spade", str(coco), str(source), str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "already holds a SPADE folder; pass --overwrite" in err and len(err.strip().splitlines()) == 1

    fewer = json.loads(coco.read_text())
    fewer["images"] = fewer["images"][:2]
    fewer["annotations"] = [a for a in fewer["annotations"] if a["image_id"] in {i["id"] for i in fewer["images"]}]
    write_json(tmp_path / "fewer.json", fewer)
    assert main(["coco2spade", str(tmp_path / "fewer.json"), str(source), str(out), "--quiet", "--overwrite"]) == 0
    for kind in ("images", "labels", "instances"):
        assert sorted(p.stem for p in (out / kind).iterdir()) == ["img_0000", "img_0001"]
    assert not list(tmp_path.glob(".spade.*"))
    coco_to_spade(coco, source, out, progress=False)  # the library replaces its own folder (a notebook run twice)
    assert len(list((out / "labels").iterdir())) == 4


def test_a_folder_that_is_not_a_spade_folder_is_never_replaced(small_set, tmp_path, capsys):
    source, coco = small_set
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    assert main(["coco2spade", str(coco), str(source), str(out), "--quiet", "--overwrite"]) == 2
    assert "not empty and not a SPADE folder (it holds thesis.txt); choose a new or empty folder" in (
        capsys.readouterr().err
    )
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["coco2spade", str(coco), str(source), str(empty), "--quiet"]) == 0  # an empty folder is fine
    assert (empty / "dataset.json").is_file()


def test_the_spade_folder_gets_the_mode_mkdir_gives(small_set, tmp_path):
    source, coco = small_set
    old = os.umask(0o022)
    try:
        assert main(["coco2spade", str(coco), str(source), str(tmp_path / "spade"), "--quiet"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "spade").stat().st_mode) == 0o755


# -- output paths checked before the work ------------------------------------------------------------
def _commands(small_set, tmp_path, out: Path, scenes: Path | None = None) -> dict[str, list[str]]:
    source, coco = small_set
    sketch = tmp_path / "sketch.png"
    if not sketch.exists():
        write_png(sketch, np.full((32, 32, 3), (4, 200, 3), np.uint8))  # grass green
    tiny_training = ["--steps", "1", "--load-size", "32", "--crop-size", "32", "--ngf", "4", "--ndf", "4"]
    tiny_training += ["--num-d", "1", "--batch-size", "2", "--no-vgg", "--quiet", "--data", str(scenes)]
    return {
        "labelme2coco": ["labelme2coco", str(source), str(out / "c.json"), "--quiet"],
        "coco2spade": ["coco2spade", str(coco), str(source), str(out / "spade"), "--quiet"],
        "generate": ["generate", str(sketch), str(out / "picture.png"), "--bundled"],
        "coco2labelme": ["coco2labelme", str(coco), str(source), str(out / "labelme"), "--quiet"],
        "datasheet": ["datasheet", str(coco), "--out", str(out / "sheet")],
        "synth": ["synth", "--n", "2", "--size", "32", "--out", str(out / "synthetic")],
        "background": ["background", str(sketch), str(out / "bg.png"), "--colours-only", "--tiles", "2x2"],
        "train --out": ["train", *tiny_training, "--out", str(out / "run")],
        "train --export": ["train", *tiny_training, "--out", str(tmp_path / "run"), "--export", str(out / "g.st")],
    }


COMMANDS = [
    "labelme2coco",
    "coco2spade",
    "generate",
    "coco2labelme",
    "datasheet",
    "synth",
    "background",
    "train --out",
    "train --export",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_output_under_a_file_is_refused_in_one_line(small_set, scenes, tmp_path, capsys, command):
    (tmp_path / "a_file").write_text("x")
    argv = _commands(small_set, tmp_path, tmp_path / "a_file", scenes)[command]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "a_file is a file, not a folder" in err, err
    assert not (tmp_path / "run").exists()  # train --export refuses before it trains


@pytest.mark.parametrize("command", ["labelme2coco", "generate", "background", "train --export"])
def test_output_file_that_is_a_folder_is_refused_before_the_work(small_set, scenes, tmp_path, capsys, command):
    argv = _commands(small_set, tmp_path, tmp_path, scenes)[command]
    output = [a for a in argv if a.startswith(str(tmp_path)) and Path(a).suffix in (".json", ".png", ".st")][-1]
    Path(output).mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a folder; give the name of the file" in err, err
    assert "Using" not in capsys.readouterr().out  # no generator was loaded
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("command", ["coco2spade", "coco2labelme", "datasheet", "synth", "train --out"])
def test_output_folder_that_is_a_dangling_symlink_is_refused(small_set, scenes, tmp_path, capsys, command):
    argv = _commands(small_set, tmp_path, tmp_path, scenes)[command]
    output = Path(argv[argv.index("--out") + 1] if "--out" in argv else argv[3])
    output.symlink_to(tmp_path / "gone" / "away")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a symbolic link to" in err and "which does not exist" in err, err


def _run_cli(argv: list[str], limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    """The CLI in a subprocess, optionally under a file-size limit (``ulimit -f``): writes then fail with EFBIG."""
    import resource

    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    code = "import sys; from playground_lib.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=300, preexec_fn=limit
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_or_file_size_limit_is_one_line_and_no_half_file(small_set, scenes, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    argv = _commands(small_set, tmp_path, out, scenes)[command]
    result = _run_cli(argv, limit_bytes=300)
    assert result.returncode == 2, result.stderr
    err = "\n".join(line for line in result.stderr.strip().splitlines() if "%|" not in line)  # progress bars
    assert len(err.splitlines()) == 1 and "file too large" in err.lower() and str(tmp_path) in err, err
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == [], leftovers


def test_spade_output_that_is_a_file_is_refused(small_set, tmp_path, capsys):
    argv = _commands(small_set, tmp_path, tmp_path)["coco2spade"]
    Path(argv[3]).write_text("x")
    assert main(argv) == 2
    assert "spade: is a file, not a folder" in capsys.readouterr().err


def _as_unprivileged(command: list[str]) -> list[str]:
    """Root writes into read-only folders; without CAP_DAC_OVERRIDE it is refused like anyone."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made here")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_output_folder_is_refused_in_one_line(small_set, scenes, tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    argv = _commands(small_set, tmp_path, locked, scenes)[command]
    locked.chmod(0o555)
    try:
        code = "import sys; from playground_lib.cli import main; sys.exit(main(sys.argv[1:]))"
        result = subprocess.run(
            _as_unprivileged([sys.executable, "-c", code, *argv]), capture_output=True, text=True, timeout=300
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2, result.stderr
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "cannot write in" in err and "locked" in err, err
    assert list(locked.iterdir()) == []
