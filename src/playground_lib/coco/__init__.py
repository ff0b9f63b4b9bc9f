"""labelme -> COCO -> SPADE: turning annotated photos into a training set, exactly.

One idea per module, each checking *everything* before it writes anything:

* :mod:`.categories` — which labels exist and their COCO ids (schema, ``labels.txt`` or a list);
* :mod:`.masks` — COCO segmentations (exact polygons, else RLE) from masks, and masks from them;
* :mod:`.from_labelme` — a folder of labelme files to one COCO dict (:func:`~.from_labelme.labelme_to_coco`);
* :mod:`.read` — reading a COCO set and checking it against its images (:class:`~.read.CocoError`);
* :mod:`.to_labelme` — COCO back to labelme files, to edit in labelme;
* :mod:`.to_spade` — COCO to a SPADE training folder;
* :mod:`.split` — the seeded train/val split.

Import from the submodules; this package re-exports nothing, so each name has one home.
"""
