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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/07_synthetic_playgrounds.ipynb)
#
# # 07 · Synthetic playgrounds: data without anyone's photos
#
# The original experiment stalled at the annotation step: tracing every slide and tree in a photo by
# hand is slow, and photos of playgrounds show children. This notebook makes training data the other way
# round: **code builds the scene, so it knows every pixel**.
#
# You will make flat *procedural* scenes (drawn in milliseconds), render 3-D scenes in **Blender**, see why
# exact masks matter, and put synthetic and real data into one dataset.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# The sizes this notebook works at: smaller runs faster, bigger looks better.
size = 256  # pixels per side of the procedural scenes
click_every = 8  # pixels between the clicks of a hurried tracer
blender_count, blender_size, blender_samples = 4, (320, 240), 32  # Blender renders: how many, size, quality
mixed_count = 8  # procedural scenes in the mixed dataset

# %% [markdown]
# ## 1. Procedural scenes: drawn by code
#
# Each scene is a few shapes (sky, grass, a sand pit, slides, swings, trees, benches) painted with
# textures. Because the code draws each shape, it also writes the shape's outline into a labelme file:
# nobody has to trace anything. Change `seed` and you get another playground; the same seed always
# gives the same one.

# %%
from playground_lib.figures.synthetic import show_scenes
from playground_lib.synthetic import generate_scene

scenes = [generate_scene(seed, size) for seed in range(4)]
show_scenes(scenes, columns=4);

# %% [markdown]
# ## 2. Why pixel-perfect masks matter
#
# A person tracing a photo clicks points around each object. In a hurry, that is one click every few
# pixels: the big areas (sky, grass) come out fine, but **thin things** such as fence posts, swing ropes
# and slide ladders vanish or get fat. A model trained on such masks learns blurry, wrong edges.
#
# Below, the exact mask of a scene is compared with a simulated hurried tracing. The red pixels are
# wrong. Look at which classes suffer most.

# %%
from playground_lib.figures.synthetic import show_hand_tracing
from playground_lib.synthetic import blender
from playground_lib.workspace import workspace_path

scene = scenes[0]
show_hand_tracing(scene.image, scene.labels, click_every=click_every)
errors = blender.tracing_errors(scene.labels, blender.hurried_tracing(scene.labels, click_every))
for name, share in errors.items():
    print(f"{name:<10} {100 * share:5.1f}% of its pixels wrong")

# %% [markdown]
# ## 3. Playgrounds in 3-D, rendered by Blender
#
# Blender is a free 3-D program that Python can drive. Our script builds a playground from simple shapes
# (a ground plane, a sand pit, a path, slides, swings, trees, benches, fences), places them at random,
# picks a camera position and a sun, and renders the picture with **Cycles** on the CPU.
#
# Next to the picture, Blender writes an **object-index pass**: each pixel holds the number of the object
# that the camera saw there, with no blur at all. That pass becomes the label map, the instance map and
# the labelme file, so the labels are exact *by construction*.
#
# Blender's Python module (`bpy`) is big (about 1 GB) and only exists for Python 3.11, so it lives in
# its own environment, made once with `bash scripts/setup_blender_venv.sh`.
# Google Colab runs a newer Python, so there the cell below shows three renders that come with the
# library instead (made the same way, 256 x 192 pixels at 24 samples); on a laptop with the environment,
# it renders new ones. If Blender is there but fails, you will see the error.

# %%
from playground_lib.figures.synthetic import show_renders
from playground_lib.paths import data_dir

print(blender.availability_message())
if blender.blender_available():
    renders = blender.render_scenes(workspace_path("blender"), blender_count, blender_size, 0, blender_samples)
else:
    print("Showing the renders bundled with the library instead.")
    renders = sorted((data_dir() / "blender").glob("blender_*.json"))
show_renders(renders)
for render in renders:
    print(render.name, "labelme paints it back exactly:", blender.annotation_matches_labels(render))

# %% [markdown]
# Try it: change `seed`, or raise `samples` for a less grainy picture (rendering takes longer). The
# label map never gets grainy: it does not depend on the samples at all.
#
# ## 4. Mixing synthetic and real
#
# Synthetic scenes are perfect but *look* synthetic; photos look real but are hard to label and raise
# questions of consent. A common recipe is to **mix** them: many synthetic scenes teach shapes and
# layouts, a smaller set of real, carefully labelled photos teaches what the world looks like.
#
# Both kinds go through the *same* conversion (notebook 02): labelme files into one COCO dataset.
# Here, procedural scenes and the 3-D renders (new or bundled) go into one folder and one COCO file;
# your own annotated photos would simply join them in that folder.

# %%
import shutil

from playground_lib.synthetic import write_scenes

mixed = workspace_path("mixed")  # in your working folder: Google Drive in Colab
write_scenes(mixed, n=mixed_count, size=size, seed=100, progress=False)
for render in renders:  # the renders above (new or bundled), each with its picture and maps
    for file in render.parent.glob(f"{render.stem}*"):
        shutil.copy(file, mixed)

# %%
from playground_lib.coco.from_labelme import labelme_to_coco
from playground_lib.fileio import write_json

coco = labelme_to_coco(mixed, progress=False)
write_json(mixed.with_suffix(".json"), coco)
print(len(coco["images"]), "images,", len(coco["annotations"]), "objects")

# %% [markdown]
# How much of each kind is in there? The datasheet tool of notebook 09 counts it for you:

# %%
from playground_lib.datasheet import collect_stats

stats = collect_stats(mixed.with_suffix(".json"), progress=False)
print(stats.sources)
print(f"{stats.synthetic} synthetic of {stats.images} images")

# %% [markdown]
# ## Next
#
# **08 · The sketch party** merges everyone's sketches into one playground and makes it the background
# of an online event. **09 · Dataset ethics** asks who is in your photos and writes the datasheet.

# %% [markdown]
# ## Check your understanding
#
# 1. Why does a procedural scene need no tracing at all?
# 2. The same seed always gives the same scene. Why does that matter for a dataset you share with others?
# 3. In the hurried tracing, which classes suffer most, and which hardly at all? Why?
# 4. What would a model trained on hurried tracings learn about the edges of things?
# 5. What is Blender's object-index pass, and why are labels made from it exact "by construction"?
# 6. Raising `samples` makes a Blender picture less grainy. Why does the label map not change with it?
# 7. Synthetic scenes and photos each have a weakness. What are they, and how does mixing the two help?
# 8. Why do synthetic scenes and your own annotated photos go through the very same conversion?

# %% [markdown]
# ## Try this
#
# 1. **A tracer in a greater hurry.** In the parameters cell set `click_every = 16` and run section 2
#    again. The thinnest classes are lost completely: in the first scene, the railing and the plant come out
#    100% wrong and people about a third, while the sky stays almost perfect (about 3% wrong). Now try
#    `click_every = 2`: most classes are nearly right, but the railing is still about a third wrong, because
#    a rail one or two pixels wide is hard to trace even with many clicks.
# 2. **Another scene.** In the section 2 code cell, change `scenes[0]` to `scenes[1]`, then `scenes[3]`. The
#    list changes, since every scene holds different things, but the top of it is always small or thin
#    things (rocks, benches, fences, people, railings) and sky is always near the bottom.
# 3. **A bigger mix.** In the parameters cell set `mixed_count = 20` and run section 4 again. The COCO line
#    counts 20 images (plus any Blender renders), and the datasheet's sources say 20 procedural scenes.
#    Going down again is different: with `mixed_count = 4` the folder still holds the eight scenes written
#    before, and all of them are counted. Empty the `mixed` folder of your working folder first if you want a smaller mix.
