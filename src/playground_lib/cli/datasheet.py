"""``playground datasheet``: count a dataset and write its DATASHEET.md (Gebru et al.'s sections)."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "datasheet", help="write DATASHEET.md + class-balance plot for a COCO json or SPADE folder"
    )
    p.add_argument("source", type=Path, help="a COCO json file or a SPADE folder (labels/, instances/, dataset.json)")
    p.add_argument(
        "--out", type=Path, required=True, help="folder for DATASHEET.md, class_balance.png, datasheet_stats.json"
    )
    p.add_argument("--name", default=None, help="the dataset's name (default: the file or folder name)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..coco.read import CocoError
    from ..datasheet import write_datasheet
    from ._errors import UserError
    from ._problems import refuse

    try:  # write_datasheet checks the output folder before it counts anything
        path = write_datasheet(args.source, args.out, args.name)
    except CocoError as exc:
        raise refuse(exc.problems) from None
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    print(f"wrote {path}: fill in the ✍️ questions before sharing the dataset")
    return 0
