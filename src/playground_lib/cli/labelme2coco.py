"""``playground labelme2coco``: a folder of labelme files -> one COCO instance-segmentation JSON.

Every file is checked first; any problem stops the command before it writes anything (exit 2),
unless ``--skip-invalid``, which converts the good files and writes the problems to
``OUT.problems.txt`` beside the output.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "labelme2coco", help="convert a folder of labelme JSON files to COCO (checked, exact masks)"
    )
    p.add_argument(
        "labelme_dir", type=Path, metavar="LABELME_DIR", help="folder with labelme .json files and their images"
    )
    p.add_argument("out", type=Path, metavar="OUT.json", help="the COCO file to write")
    p.add_argument(
        "--labels",
        type=Path,
        default=None,
        help="labels.txt, one class a line (ids from 1; __ignore__ and _background_ are special); "
        "default: the playground schema and its aliases",
    )
    p.add_argument(
        "--split",
        type=float,
        default=None,
        metavar="FRACTION",
        help="train fraction, e.g. 0.8: marks each image train/val and also writes OUT_train.json and OUT_val.json",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the train/val split (default 0)")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="convert the valid files and write the problems to OUT.problems.txt instead of stopping",
    )
    p.add_argument(
        "--allow-outside",
        action="store_true",
        help="accept points beyond the image edges (clipped, as labelme draws them) instead of reporting them",
    )
    p.add_argument(
        "--extract-images",
        action="store_true",
        help="write images that exist only inside their labelme file (imageData) beside it, for coco2spade",
    )
    p.add_argument(
        "--whole-shapes",
        action="store_true",
        help="each object whole, hidden parts included (default: only what labelme shows of it, later shapes "
        "painted over earlier ones, so annotations never overlap)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def problems_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.problems.txt")


def run(args) -> int:
    from ..coco.from_labelme import convert_labelme_dir
    from ..coco.split import subset
    from ..fileio import OutputError, check_output_file, write_json, write_text
    from ..labelme.format import LabelmeError
    from ._errors import UserError
    from ._options import in_range
    from ._problems import refuse

    if args.out.suffix.lower() != ".json":
        raise UserError(f"{args.out}: the output must be a .json file")
    in_range("--seed", args.seed, 0)
    if args.split is not None and not 0 < args.split < 1:
        raise UserError(f"--split {args.split}: give the train fraction, between 0 and 1 (e.g. 0.8)")
    try:
        check_output_file(args.out)
    except OutputError as exc:
        raise UserError(str(exc)) from None
    try:
        result = convert_labelme_dir(
            args.labelme_dir,
            labels=args.labels,
            split=args.split,
            seed=args.seed,
            skip_invalid=args.skip_invalid,
            exclude=[args.out],
            progress=not args.quiet,
            allow_outside=args.allow_outside,
            extract_images=args.extract_images,
            whole_shapes=args.whole_shapes,
        )
    except LabelmeError as exc:
        raise refuse(exc.problems) from None
    except ValueError as exc:  # a missing folder, a broken labels.txt
        raise UserError(str(exc)) from None
    coco = result.coco
    write_json(args.out, coco, indent=None)
    written = [args.out]
    if args.split is not None:
        for part in ("train", "val"):
            path = args.out.with_name(f"{args.out.stem}_{part}.json")
            write_json(path, subset(coco, part), indent=None)
            written.append(path)
    report = problems_path(args.out)
    if result.problems:
        write_text(report, "\n".join(result.problems) + "\n")
        print(f"skipped files with {len(result.problems)} problem(s): see {report}")
    elif report.exists():
        report.unlink()  # a report from an earlier run would describe files that are fixed now
    embedded = sum(1 for image in coco["images"] if image.get("embedded"))
    if embedded:
        print(
            f"note: {embedded} image(s) exist only inside their labelme file; rerun with --extract-images "
            "to write them beside it (coco2spade needs image files)"
        )
    crowd = sum(1 for a in coco["annotations"] if a.get("iscrowd"))
    rle = sum(1 for a in coco["annotations"] if isinstance(a["segmentation"], dict))
    print(
        f"checked {len(result.files)} file(s): {len(coco['images'])} images, {len(coco['annotations'])} annotations "
        f"({rle} as RLE, {crowd} ignore regions), {len(coco['categories'])} categories -> "
        + ", ".join(str(p) for p in written)
    )
    return 0
