"""The cells of notebooks/04_generate_with_pretrained_ade20k.ipynb; `python scripts/build_notebooks/build.py` writes it."""

NAME = "04_generate_with_pretrained_ade20k.ipynb"
TITLE = "04 · From sketch to playground: generating with SPADE"
INTRO = """In notebook 03 you painted a **segmentation sketch**: every colour says *what* is there (sky, grass,
sand, a slide), not what it looks like. Now a neural network paints the picture for you.

The network is **SPADE** (also known as GauGAN), by Taesung Park and colleagues at NVIDIA (CVPR 2019).
NVIDIA trained it on **ADE20K**, about 20,000 photos of all kinds of places in which people outlined 150
kinds of things. It never saw *your* playground: it learned what grass, sand and trees tend to look like,
and where they usually meet. The pretrained weights are NVIDIA's and may be used for non-commercial work
only (CC BY-NC-SA 4.0).

You will: get the weights, turn the bundled sketches and your own into pictures, and see what happens
when you change **one** class in a sketch."""

CELLS = [
    (
        "md",
        """## 1. Get the network's weights

A trained network is its architecture (written in our library) plus millions of numbers, its
*weights*: 96.5 million for this one. NVIDIA shares them as one big archive on Google Drive that holds
their models for three datasets; we download it once, keep only the ADE20K generator and throw the rest
away. In Colab with your Google Drive connected, the file is kept in your Drive, so next time there is
nothing to download.

**No internet, or Drive says "too many downloads"?** The cell says so and falls back to a small model
that ships with the library, trained on our synthetic playgrounds. Its pictures are rougher, but
everything below still works. (Under the test suite this cell always takes the small model.)""",
    ),
    (
        "code",
        """from playground_lib.quick import pick
from playground_lib.spade import choose_generator

generator = choose_generator(allow_download=pick(True, False))
print(generator.config)""",
    ),
    (
        "md",
        """The weights file NVIDIA shares is 390 MB. Stored as *half-precision* numbers it is half the size and
paints the same picture to the eye; the cell below makes that copy next to the original (only if the
official weights are here), which is handy when your Drive is nearly full.""",
    ),
    (
        "code",
        """from playground_lib import weights

official = pick(weights.cached_generator(), None)
if official is not None and official.suffix == ".pth":
    print("half-size copy:", weights.convert_to_fp16_safetensors(official))""",
    ),
    (
        "md",
        """## 2. From the bundled sketches to pictures

The library comes with three sketches. `generator.generate(labels)` takes a label map (a grid of class
numbers) and returns a picture. On a laptop CPU a 256 x 256 picture takes a second or two: we fold the
network's normalisation layers together when it loads and only compute the edges between colours
exactly, because inside a patch of one colour every pixel gets the same treatment.""",
    ),
    (
        "code",
        """import time
from playground_lib.sketch import bundled_sketches
from playground_lib.spade.pictures import show_results

size = pick(256, 64)
sketches = bundled_sketches()
started = time.perf_counter()
pictures = {name: generator.generate(labels, size=size) for name, labels in sketches.items()}
print(f"{len(pictures)} pictures in {time.perf_counter() - started:.1f} s")
show_results(sketches, pictures);""",
    ),
    (
        "md",
        """Look closely: where two colours meet, the network invents a transition (grass thinning into sand, a
tree's shadow on the path). Those details are not in the sketch: they come from the photos the network
learned from.

## 3. Your own sketch

If you painted a sketch in notebook 03, it was saved as `outputs/my_sketch.png` and is used here.
Otherwise we take one of the bundled sketches. A sketch from any paint program works too: paint with
the class colours (the palette in notebook 03), save as PNG, and point `path` at it. Soft brush edges
are cleaned up; a colour that matches no class is reported instead of guessed.""",
    ),
    (
        "code",
        """from pathlib import Path
from playground_lib.paths import data_dir
from playground_lib.sketch import read_sketch

path = Path("outputs/my_sketch.png")
if not path.exists():
    print("No sketch from notebook 03 yet: using a bundled one.")
    path = data_dir() / "sketches" / "sandpit_swings.png"
mine = read_sketch(path)
print(mine.summary())
show_results({path.stem: mine.labels}, {path.stem: generator.generate(mine.labels, size=size)});""",
    ),
    (
        "md",
        """## 4. Change one class: grass becomes sand

A good way to understand a model is to change one thing and watch what moves. Below, every grass pixel
of a sketch becomes sand, and nothing else. The last panel shows where the picture changed: bright
means a big change.

Does the change stay inside the repainted area? The network paints each pixel looking at the labels
around it, so it *could* also shift the trees or the sky. The numbers printed above tell you: the
average colour change inside the repainted area and outside it. Compare them for the small model and
for the official one, which learned from far more kinds of scenes.""",
    ),
    (
        "code",
        """from playground_lib.sketch import replace_class
from playground_lib.spade.pictures import change_report, show_change

before = sketches["meadow_slide"]
after = replace_class(before, "grass", "sand")
picture_before, picture_after = generator.generate(before, size=size), generator.generate(after, size=size)
for key, value in change_report(before, after, picture_before, picture_after).items():
    print(f"{key:>16}: {100 * value:.0f}%")
show_change(before, after, picture_before, picture_after, title="grass -> sand");""",
    ),
    (
        "md",
        """Try other swaps: `"grass"` to `"water"`, `"sky"` to `"building"`, `"sand"` to `"earth"`. Which
changes stay local, and which change the whole mood of the picture?

## 5. Keep your pictures

The pictures are saved under `outputs/generated/`. Outside the notebook the same thing is one command:

```
playground generate my_sketch.png my_playground.png --size 256
```

(add `--weights latest_net_G.pth` to use a weights file you already have, or `--download` to fetch
NVIDIA's).""",
    ),
    (
        "code",
        """from playground_lib.fileio import write_png

for name, picture in pictures.items():
    write_png(f"outputs/generated/{name}.png", picture)
write_png("outputs/generated/grass_to_sand.png", picture_after)
print(sorted(p.name for p in Path("outputs/generated").glob("*.png")))""",
    ),
]
