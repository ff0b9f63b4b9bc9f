"""``playground coco2labelme``: a COCO file -> labelme files (with the images beside them) to edit in labelme."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("coco2labelme", help="write labelme files from a COCO file, to open and edit in labelme")
    p.add_argument("coco", type=Path, metavar="COCO.json")
    p.add_argument(
        "images_dir", type=Path, metavar="IMAGES_DIR", help="the folder COCO's file_name values are relative to"
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="where the labelme files and image copies go")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="write into an OUT_DIR that already holds files, replacing those of the same names",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..coco.read import CocoError
    from ..coco.to_labelme import coco_to_labelme
    from ..labelme.format import LabelmeError
    from ._problems import refuse

    try:  # coco_to_labelme checks the destination first, before any work
        written = coco_to_labelme(
            args.coco, args.images_dir, args.out_dir, progress=not args.quiet, overwrite=args.overwrite
        )
    except (CocoError, LabelmeError) as exc:
        raise refuse(exc.problems) from None
    print(f"wrote {len(written)} labelme file(s) with their images to {args.out_dir}")
    return 0
