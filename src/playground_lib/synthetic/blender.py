"""Playgrounds rendered in 3-D with Blender, with masks that are exact because Blender says so.

A photo needs a person to trace every slide and tree by hand; a rendered scene knows which object
every pixel shows. Cycles writes an *object-index pass* next to the picture: each pixel holds the
``pass_index`` of the object its camera ray hit first, with no blur and no anti-aliasing. Every
object we build gets the number of its instance, so the label map, the instance map and the
labelme annotations follow from that pass with no guessing at all.

Blender-as-a-module (the ``bpy`` package) ships for one Python minor version only (3.11 for
Blender 4.x/5.0) and pins numpy < 2, so it cannot live in the main environment. It lives in its own
virtual environment, ``.venv-blender`` (``bash scripts/setup_blender_venv.sh``), and this very file
is run there as a script: the functions under "Inside Blender" build and render the scenes and
write each picture with its raw index pass; the functions above them run in the main environment
and turn that pass into images, label maps, instance maps and labelme JSON (mask shapes, so that
labelme and ``playground_lib.coco`` rasterise them back to the very same pixels).

Keep the module-level imports to the standard library: Blender's Python has no Pillow and no
playground_lib. The main-environment functions import what they need (numpy, ``playground_lib.labelme``
for the shapes and the one checked writer) inside their bodies.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

VENV_ENV = "PLAYGROUND_BLENDER_PYTHON"  # points at a Python that can ``import bpy``
DEFAULT_VENV = ".venv-blender"
SETUP_HINT = "create it with `bash scripts/setup_blender_venv.sh` (about 1 GB, Python 3.11)"
DONE_MARK = "PLAYGROUND_RENDERED"  # what the Blender side prints after each scene
SKY_LABEL = "sky"  # rays that hit nothing see the sky
SOURCE_TAG = "synthetic-blender"

# Classes of the things the scene builder makes; "things" get an instance number, stuff does not.
THING_CLASSES = ("plaything", "tree", "bench", "fence", "building", "rock")


class BlenderUnavailable(RuntimeError):
    """No Python with ``bpy`` was found; the message says how to make one."""


# --------------------------------------------------------------------------------------------
# Main environment: finding Blender, running it, turning its passes into annotations
# --------------------------------------------------------------------------------------------


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def blender_python(python: str | os.PathLike | None = None) -> Path:
    """The Python interpreter that has ``bpy``: the argument, $PLAYGROUND_BLENDER_PYTHON, or .venv-blender.

    Raises ``BlenderUnavailable`` with the places it looked and how to set one up.
    """
    candidates = []
    if python is not None:
        candidates.append(Path(python))
    elif os.environ.get(VENV_ENV):
        candidates.append(Path(os.environ[VENV_ENV]))
    else:
        candidates += [repo_root() / DEFAULT_VENV / "bin" / "python", Path.cwd() / DEFAULT_VENV / "bin" / "python"]
    for candidate in candidates:
        if candidate.is_file() and _can_import_bpy(candidate):
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise BlenderUnavailable(f"no Python with Blender's bpy module found (looked at {looked}); {SETUP_HINT}")


@lru_cache(maxsize=8)
def _can_import_bpy(python: Path) -> bool:
    """Whether ``python`` imports bpy (about a second, so remembered per interpreter)."""
    try:
        done = subprocess.run([str(python), "-c", "import bpy"], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def blender_available(python: str | os.PathLike | None = None) -> bool:
    try:
        blender_python(python)
    except BlenderUnavailable:
        return False
    return True


def render_scenes(
    out_dir,
    n: int,
    size=128,
    seed: int = 0,
    samples: int = 16,
    progress: bool = True,
    python: str | os.PathLike | None = None,
    prefix: str = "blender",
) -> list[Path]:
    """Render ``n`` seeded playgrounds into ``out_dir``; returns the labelme JSON paths.

    Per scene: ``blender_0000.png`` (the render), ``_label.png`` (ADE20K values), ``_instance.png``
    (16-bit) and ``.json`` (labelme, one mask shape per visible object). Scene ``i`` uses seed
    ``seed + i``, so the same seed always gives the same scene. One Blender process renders all
    scenes (starting Blender costs about half a second); a progress bar follows its renders.
    """
    from tqdm.auto import tqdm

    width, height = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if n < 1 or width < 8 or height < 8 or samples < 1:
        raise ValueError(
            f"render_scenes: need n >= 1, size >= 8 px and samples >= 1, got n={n}, size={size}, samples={samples}"
        )
    interpreter = blender_python(python)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [f"{prefix}_{i:04d}" for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="blender-", dir=out_dir) as work:
        job = {
            "width": width,
            "height": height,
            "samples": samples,
            "work_dir": work,
            "scenes": [{"name": name, "seed": seed + i} for i, name in enumerate(names)],
        }
        job_path = Path(work) / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        _run_blender(
            interpreter, job_path, n, tqdm(total=n, desc="Blender renders", unit="scene", disable=not progress)
        )
        return [convert_render(Path(work), name, out_dir) for name in names]


def _run_blender(interpreter: Path, job_path: Path, n: int, bar) -> None:
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    command = [str(interpreter), str(Path(__file__).resolve()), str(job_path)]
    tail: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        assert proc.stdout is not None  # stdout=PIPE above
        for line in proc.stdout:
            if line.startswith(DONE_MARK):
                bar.update(1)
            else:
                tail = (tail + [line.rstrip()])[-15:]
        code = proc.wait()
    bar.close()
    if code != 0:
        raise RuntimeError(f"Blender ({interpreter}) failed on {job_path} with exit code {code}:\n" + "\n".join(tail))


def convert_render(work_dir: Path, name: str, out_dir: Path) -> Path:
    """Turn one raw render (picture, index pass, object table) into the dataset files."""
    import numpy as np

    from ..fileio import read_png, write_png
    from ..labelme.write import save_labelme

    image = read_png(work_dir / f"{name}.png")[..., :3]
    index = np.load(work_dir / f"{name}_index.npy", allow_pickle=False)
    objects = json.loads((work_dir / f"{name}_objects.json").read_text(encoding="utf-8"))
    labels, instances, shapes = index_to_annotations(index, objects["objects"])
    write_png(out_dir / f"{name}.png", image)
    write_png(out_dir / f"{name}_label.png", labels)
    write_png(out_dir / f"{name}_instance.png", instances)
    provenance = {
        "source": SOURCE_TAG,
        "seed": objects["seed"],
        "blender": objects["blender"],
        "samples": objects["samples"],
    }
    return save_labelme(out_dir / f"{name}.json", f"{name}.png", labels.shape, shapes, other={"playground": provenance})


def index_to_annotations(index, objects: dict):
    """(label map, instance map, labelme mask shapes) from an object-index pass.

    ``objects`` maps each pass index (as a string, JSON keys are strings) to ``{"label": ...}``;
    index 0 is the sky. Things are numbered 1.. in pass-index order among the visible ones; stuff
    (grass, sand, path, sky) has instance 0, as in ADE20K's instance maps.
    """
    import numpy as np

    from ..labelme.format import mask_shape
    from ..labels import ade20k_value

    index = np.asarray(index)
    if index.ndim != 2 or index.min() < 0:
        raise ValueError(f"object-index pass must be a 2-D map of non-negative indices, got shape {index.shape}")
    visible = [int(v) for v in np.unique(index)]
    unknown = [v for v in visible if v != 0 and str(v) not in objects]
    if unknown:
        raise ValueError(f"object-index pass holds indices {unknown[:5]} that no scene object carries")
    labels = np.zeros(index.shape, dtype=np.uint8)
    instances = np.zeros(index.shape, dtype=np.uint16)
    shapes = []
    thing_number = 0
    for value in visible:
        label = SKY_LABEL if value == 0 else objects[str(value)]["label"]
        mask = index == value
        labels[mask] = ade20k_value(label)
        group_id = None
        if label in THING_CLASSES:
            thing_number += 1
            instances[mask] = group_id = thing_number
        shapes.append(mask_shape(label, mask, group_id))
    return labels, instances, shapes


def annotation_matches_labels(json_path: str | os.PathLike) -> bool:
    """Whether labelme's own rasteriser paints a labelme file back to exactly its ``_label.png``."""
    import numpy as np

    from ..fileio import read_png
    from ..labelme.check import read_labelme
    from ..labels import schema_label_map

    path = Path(json_path)
    painted, _ = read_labelme(path).label_maps(schema_label_map())
    return bool(np.array_equal(painted, read_png(path.with_name(path.stem + "_label.png"))))


def availability_message(python: str | os.PathLike | None = None) -> str:
    """One sentence for a notebook: which Python renders, or why none does and how to get one."""
    try:
        return f"Blender is ready: {blender_python(python)}"
    except BlenderUnavailable as exc:
        note = (
            ""
            if sys.version_info[:2] == (3, 11)
            else f" (this is Python {sys.version_info[0]}.{sys.version_info[1]}; bpy ships for 3.11 only)"
        )
        return f"{exc}{note}"


def hurried_tracing(labels, click_every: int = 8):
    """A label map as a hurried annotator would trace it: one click every ``click_every`` pixels.

    Sampling the exact map on a coarse grid and blowing it back up is what a polygon with few
    points does to a shape: straight edges survive, thin poles and ropes vanish or grow fat.
    """
    import numpy as np

    labels = np.asarray(labels)
    step = max(int(click_every), 1)
    coarse = labels[step // 2 :: step, step // 2 :: step]
    traced = np.repeat(np.repeat(coarse, step, 0), step, 1)
    pad_h, pad_w = max(labels.shape[0] - traced.shape[0], 0), max(labels.shape[1] - traced.shape[1], 0)
    traced = np.pad(traced, ((0, pad_h), (0, pad_w)), mode="edge")
    return traced[: labels.shape[0], : labels.shape[1]]


def tracing_errors(exact, traced) -> dict[str, float]:
    """Share of each class's true pixels that the traced map gets wrong, worst first."""
    import numpy as np

    from ..labels import class_name

    errors = {}
    for value in np.unique(exact):
        mask = exact == value
        errors[class_name(int(value))] = float((traced[mask] != value).mean())
    return dict(sorted(errors.items(), key=lambda kv: -kv[1]))


# --------------------------------------------------------------------------------------------
# Inside Blender: build, light, frame and render one playground (run by Blender's Python)
# --------------------------------------------------------------------------------------------

PALETTES = {  # base colours (linear RGB) per class, jittered per object
    "grass": (0.10, 0.32, 0.06),
    "sand": (0.55, 0.40, 0.20),
    "path": (0.45, 0.42, 0.40),
    "plaything": (0.85, 0.15, 0.08),
    "tree": (0.08, 0.30, 0.07),
    "trunk": (0.25, 0.15, 0.07),
    "bench": (0.40, 0.22, 0.10),
    "fence": (0.55, 0.55, 0.58),
    "building": (0.70, 0.60, 0.50),
    "rock": (0.35, 0.35, 0.33),
}
TOY_COLOURS = ((0.85, 0.15, 0.08), (0.10, 0.30, 0.85), (0.95, 0.75, 0.05), (0.10, 0.60, 0.20))


class _Builder:
    """Makes the objects of one scene; every part of one object shares its pass index."""

    def __init__(self, bpy, rng: random.Random):
        self.bpy, self.rng = bpy, rng
        self.objects: dict[str, dict] = {}
        self.occupied: list[tuple[float, float, float]] = []
        self.meshes: dict[tuple, object] = {}  # one mesh per primitive shape, shared by all its parts
        self.materials: dict[tuple, object] = {}

    def new_instance(self, label: str, kind: str) -> int:
        index = len(self.objects) + 1
        self.objects[str(index)] = {"label": label, "kind": kind}
        return index

    def material(self, index: int, colour) -> object:
        """One material per (object, colour): the parts of a slide share their paint."""
        key = (index, tuple(colour))
        if key not in self.materials:
            bpy, rng = self.bpy, self.rng
            mat = bpy.data.materials.new(f"m{index}")
            mat.use_nodes = True
            bsdf = mat.node_tree.nodes.get("Principled BSDF")
            jitter = [min(1.0, max(0.0, c * rng.uniform(0.8, 1.2))) for c in colour]
            bsdf.inputs["Base Color"].default_value = (*jitter, 1.0)
            bsdf.inputs["Roughness"].default_value = rng.uniform(0.5, 0.9)
            self.materials[key] = mat
        return self.materials[key]

    def mesh(self, primitive: str, detail: int):
        """A unit primitive (-1..1 on each axis, like Blender's own), built once with bmesh.

        Making meshes through bpy.ops updates the whole scene on every call; building each shape
        once and sharing it is about ten times faster for a scene of a hundred parts.
        """
        key = (primitive, detail)
        if key not in self.meshes:
            import bmesh

            bm = bmesh.new()
            if primitive == "cube":
                bmesh.ops.create_cube(bm, size=2.0)
            elif primitive == "cylinder":
                bmesh.ops.create_cone(
                    bm, cap_ends=True, cap_tris=False, segments=detail, radius1=1.0, radius2=1.0, depth=2.0
                )
            elif primitive == "ico_sphere":
                bmesh.ops.create_icosphere(bm, subdivisions=detail, radius=1.0)
            else:
                raise ValueError(f"unknown primitive {primitive!r}")
            mesh = self.bpy.data.meshes.new(f"{primitive}{detail}")
            bm.to_mesh(mesh)
            bm.free()
            mesh.materials.append(None)  # one slot; each object fills it with its own material
            self.meshes[key] = mesh
        return self.meshes[key]

    def part(
        self,
        primitive: str,
        index: int,
        colour,
        location,
        scale=(1, 1, 1),
        rotation=(0, 0, 0),
        vertices: int = 16,
        subdivisions: int = 2,
    ):
        detail = subdivisions if primitive == "ico_sphere" else vertices if primitive == "cylinder" else 0
        obj = self.bpy.data.objects.new(f"part{index}", self.mesh(primitive, detail))
        obj.location, obj.rotation_euler, obj.scale = location, rotation, scale
        obj.pass_index = index
        obj.material_slots[0].link = "OBJECT"
        obj.material_slots[0].material = self.material(index, colour)
        self.bpy.context.scene.collection.objects.link(obj)
        return obj

    def free_spot(self, radius: float, extent: float = 6.0, tries: int = 60):
        """A place on the ground ``radius`` away from everything placed so far (or None)."""
        for _ in range(tries):
            x, y = self.rng.uniform(-extent, extent), self.rng.uniform(-extent, extent)
            if all(math.hypot(x - ox, y - oy) > radius + r for ox, oy, r in self.occupied):
                self.occupied.append((x, y, radius))
                return x, y
        return None

    # --- the things of a playground -------------------------------------------------------
    def ground(self):
        idx = self.new_instance("grass", "ground")
        self.part("cube", idx, PALETTES["grass"], (0, 0, -0.01), scale=(40, 40, 0.01))

    def sand_pit(self, x, y):
        idx = self.new_instance("sand", "sand pit")
        r = self.rng.uniform(1.5, 2.8)
        self.part(
            "cylinder",
            idx,
            PALETTES["sand"],
            (x, y, 0.02),
            scale=(r, r * self.rng.uniform(0.7, 1.0), 0.02),
            vertices=32,
        )

    def path(self):
        idx = self.new_instance("path", "path")
        angle = self.rng.uniform(0, math.pi)
        offset = self.rng.uniform(-4, 4)
        self.part(
            "cube",
            idx,
            PALETTES["path"],
            (offset * math.cos(angle + 1.57), offset * math.sin(angle + 1.57), 0.01),
            scale=(25, self.rng.uniform(0.5, 0.9), 0.01),
            rotation=(0, 0, angle),
        )

    def slide(self, x, y):
        idx = self.new_instance("plaything", "slide")
        colour, turn = self.rng.choice(TOY_COLOURS), self.rng.uniform(0, 2 * math.pi)
        h = self.rng.uniform(1.2, 2.0)
        c, s = math.cos(turn), math.sin(turn)
        at = lambda u, v, z: (x + u * c - v * s, y + u * s + v * c, z)  # noqa: E731 (local frame)
        self.part("cube", idx, colour, at(0, 0, h), scale=(0.5, 0.5, 0.06), rotation=(0, 0, turn))
        for u, v in ((-0.45, -0.45), (-0.45, 0.45), (0.45, -0.45), (0.45, 0.45)):
            self.part("cylinder", idx, PALETTES["fence"], at(u, v, h / 2), scale=(0.05, 0.05, h / 2), vertices=8)
        length = math.hypot(h, 2.2)
        self.part(
            "cube",
            idx,
            colour,
            at(1.6, 0, h / 2),
            scale=(length / 2, 0.35, 0.04),
            rotation=(0, math.atan2(h, 2.2), turn),
        )

    def swing(self, x, y):
        idx = self.new_instance("plaything", "swing")
        turn, h, half = self.rng.uniform(0, 2 * math.pi), self.rng.uniform(1.8, 2.4), self.rng.uniform(1.2, 1.8)
        c, s = math.cos(turn), math.sin(turn)
        at = lambda u, v, z: (x + u * c - v * s, y + u * s + v * c, z)  # noqa: E731
        for u in (-half, half):
            for lean in (-0.35, 0.35):
                self.part(
                    "cylinder",
                    idx,
                    PALETTES["fence"],
                    at(u, lean / 2, h / 2),
                    scale=(0.05, 0.05, h / 2 + 0.05),
                    rotation=(lean, 0, turn),
                    vertices=8,
                )
        self.part(
            "cylinder",
            idx,
            PALETTES["fence"],
            at(0, 0, h),
            scale=(0.05, 0.05, half),
            rotation=(0, math.pi / 2, turn),
            vertices=8,
        )
        for u in (-half / 2, half / 2):
            seat_z = self.rng.uniform(0.45, 0.6)
            self.part(
                "cube",
                idx,
                self.rng.choice(TOY_COLOURS),
                at(u, 0, seat_z),
                scale=(0.22, 0.12, 0.03),
                rotation=(0, 0, turn),
            )
            for du in (-0.18, 0.18):
                self.part(
                    "cylinder",
                    idx,
                    (0.2, 0.2, 0.2),
                    at(u + du, 0, (h + seat_z) / 2),
                    scale=(0.015, 0.015, (h - seat_z) / 2),
                    vertices=6,
                )

    def tree(self, x, y):
        idx = self.new_instance("tree", "tree")
        h = self.rng.uniform(1.5, 3.0)
        self.part("cylinder", idx, PALETTES["trunk"], (x, y, h / 2), scale=(0.15, 0.15, h / 2), vertices=10)
        r = self.rng.uniform(0.9, 1.8)
        self.part(
            "ico_sphere",
            idx,
            PALETTES["tree"],
            (x, y, h + r * 0.7),
            scale=(r, r, r * self.rng.uniform(0.9, 1.4)),
            subdivisions=2,
        )

    def bench(self, x, y):
        idx = self.new_instance("bench", "bench")
        turn = self.rng.uniform(0, 2 * math.pi)
        c, s = math.cos(turn), math.sin(turn)
        at = lambda u, v, z: (x + u * c - v * s, y + u * s + v * c, z)  # noqa: E731
        self.part("cube", idx, PALETTES["bench"], at(0, 0, 0.45), scale=(0.9, 0.22, 0.04), rotation=(0, 0, turn))
        self.part("cube", idx, PALETTES["bench"], at(0, 0.22, 0.75), scale=(0.9, 0.03, 0.18), rotation=(0, 0, turn))
        for u in (-0.75, 0.75):
            self.part("cube", idx, PALETTES["fence"], at(u, 0, 0.22), scale=(0.04, 0.2, 0.22), rotation=(0, 0, turn))

    def fence(self, side: int, extent: float):
        idx = self.new_instance("fence", "fence")
        turn = side * math.pi / 2
        c, s = math.cos(turn), math.sin(turn)
        at = lambda u, v, z: (u * c - v * s, u * s + v * c, z)  # noqa: E731
        posts = int(extent * 2 / 1.5) + 1
        for k in range(posts):
            u = -extent + k * 1.5
            self.part(
                "cube", idx, PALETTES["fence"], at(u, extent, 0.5), scale=(0.05, 0.05, 0.5), rotation=(0, 0, turn)
            )
        for z in (0.35, 0.85):
            self.part(
                "cube", idx, PALETTES["fence"], at(0, extent, z), scale=(extent, 0.03, 0.04), rotation=(0, 0, turn)
            )

    def building(self):
        idx = self.new_instance("building", "building")
        angle = self.rng.uniform(0, 2 * math.pi)
        d = self.rng.uniform(16, 22)
        w, h = self.rng.uniform(3, 7), self.rng.uniform(3, 8)
        self.part(
            "cube",
            idx,
            PALETTES["building"],
            (d * math.cos(angle), d * math.sin(angle), h / 2),
            scale=(w, w * 0.6, h / 2),
            rotation=(0, 0, angle),
        )

    def rock(self, x, y):
        idx = self.new_instance("rock", "rock")
        r = self.rng.uniform(0.3, 0.7)
        self.part("ico_sphere", idx, PALETTES["rock"], (x, y, r * 0.3), scale=(r, r * 0.8, r * 0.6), subdivisions=1)


def _build_scene(bpy, seed: int) -> dict:
    """Place ground, path, sand, toys, trees, benches and fences at random, seeded."""
    rng = random.Random(seed)
    b = _Builder(bpy, rng)
    b.ground()
    b.path()
    placements = [("sand_pit", 2.8)] + [(rng.choice(["slide", "swing"]), 2.5) for _ in range(rng.randint(1, 3))]
    placements += (
        [("tree", 1.8)] * rng.randint(2, 5) + [("bench", 1.0)] * rng.randint(1, 3) + [("rock", 0.7)] * rng.randint(0, 2)
    )
    for kind, radius in placements:
        spot = b.free_spot(radius)
        if spot is not None:
            getattr(b, kind)(*spot)
    extent = 9.0
    for side in rng.sample(range(4), rng.randint(1, 3)):
        b.fence(side, extent)
    for _ in range(rng.randint(0, 2)):
        b.building()
    return b.objects


def _camera_and_light(bpy, seed: int) -> None:
    """A camera somewhere around the playground looking at its middle; a sun and a blue sky."""
    from mathutils import Vector

    rng = random.Random(seed * 7919 + 1)
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(12, 16)
    location = Vector((distance * math.cos(angle), distance * math.sin(angle), rng.uniform(1.6, 4.5)))
    target = Vector((rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(0.3, 1.2)))
    bpy.ops.object.camera_add(location=location)
    camera = bpy.context.active_object
    camera.rotation_euler = (target - location).to_track_quat("-Z", "Y").to_euler()
    camera.data.lens = rng.uniform(24, 35)
    bpy.context.scene.camera = camera
    bpy.ops.object.light_add(type="SUN", rotation=(rng.uniform(0.2, 0.9), rng.uniform(-0.5, 0.5), rng.uniform(0, 6.28)))
    bpy.context.active_object.data.energy = rng.uniform(2.5, 5.0)
    world = bpy.data.worlds.new("sky")
    world.use_nodes = True
    background = world.node_tree.nodes.get("Background")
    background.inputs["Color"].default_value = (
        rng.uniform(0.3, 0.5),
        rng.uniform(0.55, 0.7),
        rng.uniform(0.85, 1.0),
        1.0,
    )
    background.inputs["Strength"].default_value = rng.uniform(0.7, 1.2)
    bpy.context.scene.world = world


def _render_settings(bpy, width: int, height: int, samples: int, seed: int, work_dir: str, name: str):
    """Cycles on the CPU, and a compositor that writes the object-index pass as a float EXR."""
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.seed = seed
    scene.cycles.use_denoising = False
    threads = os.environ.get("PLAYGROUND_BLENDER_THREADS") or os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit() and int(threads) > 0:  # share the CPU politely under a test runner
        scene.render.threads_mode, scene.render.threads = "FIXED", int(threads)
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = width, height, 100
    scene.view_settings.view_transform = "Standard"  # plain sRGB: brighter toy colours than AgX
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.filepath = os.path.join(work_dir, f"{name}.png")
    scene.view_layers[0].use_pass_object_index = True
    tree = bpy.data.node_groups.new("passes", "CompositorNodeTree")
    scene.compositing_node_group = tree
    layers = tree.nodes.new("CompositorNodeRLayers")
    output = tree.nodes.new("CompositorNodeOutputFile")
    output.directory, output.file_name = work_dir, f"{name}_"
    output.format.media_type = "IMAGE"
    output.format.file_format = "OPEN_EXR"
    output.format.color_mode = "BW"
    output.format.color_depth = "32"
    output.file_output_items.new("FLOAT", "index")
    tree.links.new(layers.outputs["Object Index"], output.inputs["index"])
    return os.path.join(work_dir, f"{name}_index.exr")


def _render_one(bpy, np, spec: dict, job: dict) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    objects = _build_scene(bpy, spec["seed"])
    _camera_and_light(bpy, spec["seed"])
    exr = _render_settings(
        bpy, job["width"], job["height"], job["samples"], spec["seed"], job["work_dir"], spec["name"]
    )
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(exr)
    pixels = np.array(image.pixels[:], dtype=np.float32).reshape(image.size[1], image.size[0], -1)[..., 0]
    index = np.rint(np.flipud(pixels)).astype(np.int32)  # Blender stores rows bottom-up
    np.save(os.path.join(job["work_dir"], f"{spec['name']}_index.npy"), index, allow_pickle=False)
    table = {"seed": spec["seed"], "blender": bpy.app.version_string, "samples": job["samples"], "objects": objects}
    with open(os.path.join(job["work_dir"], f"{spec['name']}_objects.json"), "w", encoding="utf-8") as f:
        json.dump(table, f)
    os.remove(exr)


def _blender_main(job_path: str) -> None:
    import bpy
    import numpy as np

    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    for spec in job["scenes"]:
        _render_one(bpy, np, spec, job)
        print(f"{DONE_MARK} {spec['name']}", flush=True)


if __name__ == "__main__":
    _blender_main(sys.argv[1])
