"""``playground coco2spade``: a COCO file + its images -> a SPADE training folder.

Layout (see ``playground_lib.coco.to_spade``): ``images/``, ``labels/`` (uint8 ADE20K values),
``instances/`` (uint16), and ``dataset.json`` with the classes, counts and the train/val split.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "coco2spade", help="make a SPADE training folder (images, labels, instances, dataset.json)"
    )
    p.add_argument("coco", type=Path, metavar="COCO.json")
    p.add_argument(
        "images_dir", type=Path, metavar="IMAGES_DIR", help="the folder COCO's file_name values are relative to"
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    p.add_argument(
        "--val",
        type=float,
        default=0.2,
        metavar="FRACTION",
        help="validation fraction when the COCO images carry no train/val split (default 0.2)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of that split (default 0)")
    p.add_argument(
        "--overwrite", action="store_true", help="replace an earlier SPADE folder at OUT_DIR (whole: no stale samples)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from ..coco.read import CocoError
    from ..coco.to_spade import coco_to_spade
    from ..fileio import OutputError
    from ._errors import UserError
    from ._options import in_range
    from ._problems import refuse

    in_range("--seed", args.seed, 0)
    if not 0 <= args.val < 1:
        raise UserError(f"--val {args.val}: give a fraction between 0 and 1")
    try:
        dataset = coco_to_spade(
            args.coco,
            args.images_dir,
            args.out_dir,
            val_fraction=args.val,
            seed=args.seed,
            progress=not args.quiet,
            overwrite=args.overwrite,
        )
    except CocoError as exc:
        raise refuse(exc.problems) from None
    except OutputError as exc:
        raise UserError(str(exc)) from None
    counts = json.loads(dataset.read_text(encoding="utf-8"))["counts"]
    print(
        f"wrote {counts['images']} samples ({counts['train']} train, {counts['val']} val, "
        f"{counts['instances']} objects) to {args.out_dir}; summary in {dataset}"
    )
    return 0
