# ---
# jupyter:
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,colab,jupytext,-jupytext.text_representation.jupytext_version,-all
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/04_generate_with_pretrained_ade20k.ipynb)
#
# # 04 · From sketch to playground: generating with SPADE
#
# In notebook 03 you painted a **segmentation sketch**: every colour says *what* is there (sky, grass,
# sand, a slide), not what it looks like. Now a neural network paints the picture for you.
#
# The network is **SPADE** (also known as GauGAN), by Taesung Park and colleagues at NVIDIA (CVPR 2019).
# NVIDIA trained it on **ADE20K**, about 20,000 photos of all kinds of places in which people outlined 150
# kinds of things. It never saw *your* playground: it learned what grass, sand and trees tend to look like,
# and where they usually meet. The pretrained weights are NVIDIA's and may be used for non-commercial work
# only (CC BY-NC-SA 4.0).
#
# You will: get the weights, turn the bundled sketches and your own into pictures, and see what happens
# when you change **one** class in a sketch.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# allow_download: fetch NVIDIA's weights (about 1 GB, once) if they are not here yet.
allow_download = True
size = 256  # pixels per side of the generated pictures

# %% [markdown]
# ## 1. Get the network's weights
#
# A trained network is its architecture (written in our library) plus millions of numbers, its
# *weights*: 96.5 million for this one. NVIDIA shares them as one big archive on Google Drive that holds
# their models for three datasets; we download it once, keep only the ADE20K generator and throw the rest
# away. In Colab with your Google Drive connected, the file is kept in your Drive, so next time there is
# nothing to download.
#
# **No internet, or Drive says "too many downloads"?** The cell says so and falls back to a small model
# that ships with the library, trained on our synthetic playgrounds. Its pictures are rougher, but
# everything below still works.

# %%
from playground_lib.generator_choice import choose_generator

generator = choose_generator(allow_download=allow_download)
print(generator.config)

# %% [markdown]
# The weights file NVIDIA shares is 390 MB. Stored as *half-precision* numbers it is half the size and
# paints the same picture to the eye; the cell below makes that copy next to the original (only if the
# official weights are here), which is handy when your Drive is nearly full.

# %%
from playground_lib import weights

official = weights.cached_generator()
if official is not None and official.suffix == ".pth":
    print("half-size copy:", weights.convert_to_fp16_safetensors(official))

# %% [markdown]
# ## 2. From the bundled sketches to pictures
#
# The library comes with three sketches. `generator.generate(labels)` takes a label map (a grid of class
# numbers) and returns a picture. On a laptop CPU a 256 x 256 picture takes a second or two: we fold the
# network's normalisation layers together when it loads and only compute the edges between colours
# exactly, because inside a patch of one colour every pixel gets the same treatment.

# %%
import time

from playground_lib.figures.generation import show_results
from playground_lib.sketch import bundled_sketches, read_sketch

sketches = {path.stem: read_sketch(path).labels for path in bundled_sketches()}
started = time.perf_counter()
pictures = {name: generator.generate(labels, size=size) for name, labels in sketches.items()}
print(f"{len(pictures)} pictures in {time.perf_counter() - started:.1f} s")
show_results(sketches, pictures);

# %% [markdown]
# Look closely: where two colours meet, the network invents a transition (grass thinning into sand, a
# tree's shadow on the path). Those details are not in the sketch: they come from the photos the network
# learned from.
#
# ## 3. Your own sketch
#
# If you painted a sketch in notebook 03, it was saved as `outputs/my_sketch.png` and is used here.
# Otherwise we take one of the bundled sketches. A sketch from any paint program works too: paint with
# the class colours (the palette in notebook 03), save as PNG, and point `path` at it. Soft brush edges
# are cleaned up; a colour that matches no class is reported instead of guessed.

# %%
from pathlib import Path

from playground_lib.paths import data_dir
from playground_lib.sketch import read_sketch

path = Path("outputs/my_sketch.png")
if not path.exists():
    print("No sketch from notebook 03 yet: using a bundled one.")
    path = data_dir() / "sketches" / "sandpit_swings.png"
mine = read_sketch(path)
print(mine.summary())
show_results({path.stem: mine.labels}, {path.stem: generator.generate(mine.labels, size=size)});

# %% [markdown]
# ## 4. Change one class: grass becomes sand
#
# A good way to understand a model is to change one thing and watch what moves. Below, every grass pixel
# of a sketch becomes sand, and nothing else. The last panel shows where the picture changed: bright
# means a big change.
#
# Does the change stay inside the repainted area? The network paints each pixel looking at the labels
# around it, so it *could* also shift the trees or the sky. The numbers printed above tell you: the
# average colour change inside the repainted area and outside it. Compare them for the small model and
# for the official one, which learned from far more kinds of scenes.

# %%
from playground_lib.figures.generation import show_change
from playground_lib.sketch import replace_class
from playground_lib.spade.change import change_report

before = sketches["meadow_slide"]
after = replace_class(before, "grass", "sand")
picture_before, picture_after = generator.generate(before, size=size), generator.generate(after, size=size)
for key, value in change_report(before, after, picture_before, picture_after).items():
    print(f"{key:>16}: {100 * value:.0f}%")
show_change(before, after, picture_before, picture_after, title="grass -> sand");

# %% [markdown]
# Try other swaps: `"grass"` to `"water"`, `"sky"` to `"building"`, `"sand"` to `"earth"`. Which
# changes stay local, and which change the whole mood of the picture?
#
# ## 5. Keep your pictures
#
# The pictures are saved under `outputs/generated/`. Outside the notebook the same thing is one command:
#
# ```
# playground generate my_sketch.png my_playground.png --size 256
# ```
#
# (add `--weights latest_net_G.pth` to use a weights file you already have, or `--download` to fetch
# NVIDIA's).

# %%
from playground_lib.fileio import write_png

for name, picture in pictures.items():
    write_png(f"outputs/generated/{name}.png", picture)
write_png("outputs/generated/grass_to_sand.png", picture_after)
print(sorted(p.name for p in Path("outputs/generated").glob("*.png")))

# %% [markdown]
# ## Check your understanding
#
# 1. What did NVIDIA's SPADE learn from? Why can it paint a playground it has never seen?
# 2. A trained network is "its architecture plus its weights". What does each of the two hold?
# 3. What does the licence of the official weights allow you to do with them, and what not?
# 4. Why is the half-precision copy of the weights half the size? When would you want it?
# 5. Where two colours of the sketch meet, the picture shows a transition that is not in the sketch. Where
#    does it come from?
# 6. A sketch from a paint program has soft brush edges. What does `read_sketch` do with them, and what does
#    it do with a colour that matches no class? Why is reporting better than guessing here?
# 7. In the grass-to-sand experiment, why can the picture change *outside* the repainted area at all?
# 8. What happens when the official weights cannot be downloaded? How would you notice?
# 9. Generating is quick on a CPU partly because a patch of one colour is treated the same everywhere. Which
#    pixels still have to be computed exactly?

# %% [markdown]
# ## Try this
#
# 1. **Grass to water.** In the section 4 code cell, change `replace_class(before, "grass", "sand")` to
#    `replace_class(before, "grass", "water")`. The *repainted share* stays the same (about half of
#    `meadow_slide` is grass, so about 50%), because the same pixels change class; only the *change inside*
#    and *change outside* numbers move. With the small bundled model the change outside stays at a percent
#    or two; compare it with what your model gives.
# 2. **Sky to building.** In the same cell, try `replace_class(before, "sky", "building")`. The repainted
#    share drops to about 29%, the part of `meadow_slide` that is sky. Look at the last panel: does the
#    brightness stay inside the old sky, or does the ground change too?
# 3. **Another sketch.** Change `sketches["meadow_slide"]` to `sketches["park_path"]` (grass covers about
#    36% of it) or `sketches["sandpit_swings"]` (about 34%). The repainted share follows the amount of grass
#    in each sketch, and the heat map shows which other things (paths, trees, swings) sit next to the
#    change.
