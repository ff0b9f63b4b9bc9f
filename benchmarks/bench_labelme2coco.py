"""``playground labelme2coco`` against the ``labelme2coco`` package (0.2.6), the reference the issue names.

Both convert the same folders: N synthetic images annotated with polygons, rectangles and circles
(``tests/labelme_fixtures.py``, seeded), once at 256 x 256 and once at 64 x 64 with noisy pixels
(about 1-2 ms of work a file: there the cost of each file, not of its pixels, shows). Each whole
command (start-up included) runs alternately, a few times; the median wall and CPU times are
printed side by side, with the machine's load (others may share it). Then both
outputs are held against labelme's own rasterization of every object:

* ours checks every file first (JSON, image present and decodable, image size, every point); with
  ``--whole-shapes`` (labelme2coco's kind of output: each shape whole) its masks are the ones
  ``annToMask`` turns back into labelme's pixels exactly (verified here, annotation by annotation);
  by default it writes each object's visible region, timed as well;
* labelme2coco 0.2.6 checks nothing, writes empty segmentations for rectangles and approximates
  polygons and circles with pycocotools' pixel convention, so its masks differ from labelme's.

A last check feeds both tools a folder whose image is missing: ours stops with exit code 2.

Run: .venv/bin/pip install -c constraints-cpu.txt labelme2coco==0.2.6   (the ``bench`` extra)
     .venv/bin/python benchmarks/bench_labelme2coco.py [--images 1000] [--repeat 3] [--sizes 256,64]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test-data generator lives with the tests

from labelme_fixtures import write_labelme_set

from playground_lib.labelme.check import read_labelme


def timed(command: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the child, result) of one whole command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def ours_command(folder: Path, out: Path, *options: str) -> list[str]:
    code = "import sys; from playground_lib.cli import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", code, "labelme2coco", str(folder), str(out), "--quiet", *options]


def theirs_command(folder: Path, out_dir: Path) -> list[str]:
    code = "import sys; from labelme2coco.cli import app; sys.argv = ['labelme2coco'] + sys.argv[1:]; app()"
    return [sys.executable, "-c", code, str(folder), "--export_dir", str(out_dir)]


def compare_masks(coco_path: Path, folder: Path, file_key) -> dict[str, int]:
    """How many annotations of a COCO file equal labelme's rasterization of their objects."""
    import contextlib
    import io

    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):
        api = COCO(str(coco_path))
    counts = {"annotations": 0, "exact": 0, "empty": 0, "pixels_off": 0}
    for image in api.dataset["images"]:
        item = read_labelme(folder / file_key(image))
        annotations = api.loadAnns(api.getAnnIds(imgIds=[image["id"]]))
        for annotation, shape in zip(
            annotations, item.shapes
        ):  # groups are off in this benchmark: one shape, one object
            counts["annotations"] += 1
            expected = item.shape_mask(shape)
            if not annotation.get("segmentation"):
                counts["empty"] += 1
                counts["pixels_off"] += int(expected.sum())
                continue
            got = api.annToMask(annotation).astype(bool)
            off = int((got != expected).sum())
            counts["exact"] += off == 0
            counts["pixels_off"] += off
    return counts


def time_corpus(folder: Path, size: int, args, env) -> tuple[Path, Path, Path]:
    """Make one corpus, run the three commands alternately on it, print their times side by side."""
    start = time.perf_counter()
    write_labelme_set(
        folder,
        args.images,
        size=size,
        seed=0,
        shape_types=("polygon", "rectangle", "circle"),
        shapes_per_image=(5, 16),
        groups=False,
        noise=size < 128,  # small files: noisy pixels, as photos are, so PNGs are not trivially small
    )
    megabytes = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(
        f"\nmade {args.images} labelme files ({size}x{size}; polygons, rectangles, circles; {megabytes:.1f} MB) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    tmp = folder.parent
    ours_out, whole_out, theirs_out = tmp / f"ours_{size}.json", tmp / f"whole_{size}.json", tmp / f"theirs_{size}"
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "whole": [], "theirs": []}
    for _ in range(args.repeat):
        wall, cpu, result = timed(ours_command(folder, ours_out), env=env)
        assert result.returncode == 0, result.stderr
        times["ours"].append((wall, cpu))
        wall, cpu, whole = timed(ours_command(folder, whole_out, "--whole-shapes"), env=env)
        assert whole.returncode == 0, whole.stderr
        times["whole"].append((wall, cpu))
        shutil.rmtree(theirs_out, ignore_errors=True)
        wall, cpu, theirs = timed(theirs_command(folder, theirs_out), env=env)
        assert theirs.returncode == 0, theirs.stderr[-2000:]
        times["theirs"].append((wall, cpu))
    print(f"ours:   {result.stdout.strip()}")
    runs = (
        ("ours", "ours (visible regions, default)"),
        ("whole", "ours --whole-shapes"),
        ("theirs", "labelme2coco 0.2.6 (reference)"),
    )
    for name, label in runs:
        walls, cpus = zip(*times[name])
        print(
            f"{label:32s} wall median {statistics.median(walls):6.2f} s, best {min(walls):6.2f} s   "
            f"CPU median {statistics.median(cpus):6.2f} s, best {min(cpus):6.2f} s   "
            f"({args.repeat} runs, alternating)"
        )
    for what, index in (("wall", 0), ("CPU", 1)):
        theirs_best = min(t[index] for t in times["theirs"])
        for name, label in runs[:2]:
            ours_best = min(t[index] for t in times[name])
            goal = " (goal: at most 1.00)" if what == "wall" else " (both cores: more CPU, less waiting)"
            print(f"{size} px: {label} / reference, best {what} time: {ours_best / theirs_best:.2f}{goal}")
    return ours_out, whole_out, theirs_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--sizes", default="256,64", help="image sides of the corpora, comma-separated")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs of each, alternating (best and median shown: "
        "on a shared machine the best run is the one least disturbed by others)",
    )
    args = parser.parse_args()
    try:
        import labelme2coco  # noqa: F401
    except ImportError:
        sys.exit("install the reference first: .venv/bin/pip install -c constraints-cpu.txt labelme2coco==0.2.6")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())  # a shared machine
        for size in (int(v) for v in args.sizes.split(",")):
            folder = tmp / f"labelme_{size}"
            ours_out, whole_out, theirs_out = time_corpus(folder, size, args, env)
        # On the last corpus: labelme2coco writes whole shapes, so the like-for-like output is ours with
        # --whole-shapes.
        ours = compare_masks(whole_out, folder, lambda image: image["labelme_file"])
        theirs_file = theirs_out / "dataset.json"
        theirs = compare_masks(theirs_file, folder, lambda image: Path(image["file_name"]).with_suffix(".json").name)
        for label, c in (("ours", ours), ("labelme2coco", theirs)):
            print(
                f"{label:13s} masks equal to labelme's: {c['exact']} of {c['annotations']}; empty segmentations: "
                f"{c['empty']}; pixels that differ: {c['pixels_off']}"
            )
        categories = json.loads(theirs_file.read_text())["categories"]
        print(f"labelme2coco category ids start at {min(c['id'] for c in categories)}; ours at 1")
        broken = tmp / "broken"
        write_labelme_set(broken, 2, size=64, seed=1, shape_types=("polygon",), noise=False)
        (broken / "img_0001.png").unlink()
        _, _, ours_broken = timed(ours_command(broken, tmp / "b.json"), env=env)
        _, _, theirs_broken = timed(theirs_command(broken, tmp / "b"), env=env)
        print(
            f"missing image: ours exit {ours_broken.returncode} ({ours_broken.stderr.strip().splitlines()[-1]}); "
            f"labelme2coco exit {theirs_broken.returncode}, wrote a file: {(tmp / 'b' / 'dataset.json').exists()}"
        )


if __name__ == "__main__":
    main()
