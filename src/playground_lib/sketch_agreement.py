"""How much of the sketch a picture keeps, measured: a segmenter trained on ADE20K reads the picture back.

Looking is not measuring. A segmenter that learned ADE20K's 150 classes from labelled photos
labels every pixel of a generated picture; where it reads the class the sketch asked for, the
picture kept the sketch. ``agreement`` gives the share of sketched pixels read back as their
class ("other" is left out: it asks for nothing) and the mean intersection-over-union over the
sketch's classes (``train.segmenter.mean_iou``). The reader sees photos best, so a cartoon-like
picture can score low for looking unlike a photo, not only for leaving the sketch: say so when
comparing engines.

The reader is a setting like every hosted model (``$PLAYGROUND_SEGMENTER``, a hub id or a local
folder in transformers' layout); the default, SegFormer-B0 fine-tuned on ADE20K by NVIDIA
(3.8 M weights, 15 MB), is small enough for a CPU. Its licence is NVIDIA's own (research,
non-commercial). Needs the diffusion extra (transformers).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import numpy as np

from .diffusion.settings import hub_id_or_folder
from .error_line import first_line
from .labels import NUM_ADE20K_CLASSES, OTHER

DEFAULT_READER = "nvidia/segformer-b0-finetuned-ade-512-512"
READER_ENV = "PLAYGROUND_SEGMENTER"
READ_SIZE = 512  # the square SegFormer's ADE20K checkpoints were fine-tuned on
# ImageNet statistics, which SegFormer's encoders were pretrained with and its ADE20K checkpoints expect.
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class ReaderUnavailable(RuntimeError):
    """The segmenter could not be had; the message says why and what to do."""


@dataclass(frozen=True)
class Agreement:
    """What a reader found of the sketch in a picture."""

    pixel_share: float  # sketched pixels read back as their own class
    mean_iou: float  # over the classes in the sketch
    per_class: dict[int, float]

    def __str__(self) -> str:
        share = f"{100 * self.pixel_share:.0f}%"
        return f"{share} of the sketched pixels read back as their class, mean IoU {self.mean_iou:.2f}"


def agreement(sketch: np.ndarray, read: np.ndarray) -> Agreement:
    """Compare the sketch's label map with what was read from the picture (same shape, ADE20K values)."""
    from .train.segmenter import mean_iou

    sketch, read = np.asarray(sketch), np.asarray(read)
    if sketch.shape != read.shape:
        raise ValueError(f"the sketch is {sketch.shape} and the read map {read.shape}: they must match")
    asked = sketch != OTHER
    if not asked.any():
        raise ValueError("the sketch is all 'other': there is nothing to read back")
    share = float((read[asked] == sketch[asked]).mean())
    miou, per_class = mean_iou(read[asked], sketch[asked])
    return Agreement(share, miou, per_class)


class SketchReader:
    """A loaded ADE20K segmenter: ``reader(picture)`` -> H x W ADE20K values (1..150)."""

    def __init__(self, model, source: str):
        self.model, self.source = model, source

    def __call__(self, picture: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F
        from PIL import Image

        picture = np.asarray(picture)
        square = Image.fromarray(picture).resize((READ_SIZE, READ_SIZE), Image.Resampling.BILINEAR)
        pixels = (np.asarray(square, dtype=np.float32) / 255 - MEAN) / STD
        batch = torch.from_numpy(pixels.transpose(2, 0, 1)).unsqueeze(0)
        with torch.inference_mode():
            logits = self.model(pixel_values=batch).logits  # 1 x 150 x h/4 x w/4, class 0 = wall
            logits = F.interpolate(logits, size=picture.shape[:2], mode="bilinear", align_corners=False)
        return (logits.argmax(dim=1)[0].numpy() + 1).astype(np.uint8)  # class k -> ADE20K value k + 1


def load_reader(reference: str | os.PathLike | None = None) -> SketchReader:
    """The segmenter from an argument, ``$PLAYGROUND_SEGMENTER`` or the default, as one ``ReaderUnavailable`` if not."""
    source = str(reference or os.environ.get(READER_ENV) or DEFAULT_READER)
    if importlib.util.find_spec("transformers") is None:
        raise ReaderUnavailable(
            'Measuring how much of the sketch a picture keeps needs transformers: pip install ".[diffusion]".'
        )
    from transformers import SegformerForSemanticSegmentation

    try:
        source = hub_id_or_folder(source, "config.json", "segmenter", "transformers'")
    except ValueError as exc:
        raise ReaderUnavailable(str(exc)) from None
    try:
        model = SegformerForSemanticSegmentation.from_pretrained(source)
    except Exception as exc:  # offline, moved, not a segmenter: one line for the participant
        raise ReaderUnavailable(
            f"Could not load the segmenter '{source}' ({first_line(exc, 160)}). Offline? Give a local copy "
            f"as `reader` or ${READER_ENV}; until then, judge by eye."
        ) from exc
    if model.config.num_labels != NUM_ADE20K_CLASSES:
        raise ReaderUnavailable(
            f"{source}: reads {model.config.num_labels} classes, not ADE20K's {NUM_ADE20K_CLASSES}."
        )
    return SketchReader(model.eval(), source)


def reader_or_none(reference: str | os.PathLike | None = None) -> SketchReader | None:
    """For a notebook: the reader, or ``None`` after saying why (the pictures are then judged by eye)."""
    try:
        return load_reader(reference)
    except ReaderUnavailable as exc:
        print(exc)
        return None
