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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/00_welcome.ipynb)
#
# # Generative Playgrounds: welcome
#
# Welcome! This series takes you from **photos of playgrounds** to **a picture of a playground that
# never existed**, generated from a sketch you paint with a few colours. Along the way you will annotate
# images, build a dataset, meet the GAN called SPADE (also known as GauGAN), train one, and think about
# where training data comes from and who it affects.
#
# No coding experience is needed: every notebook is mostly words and pictures, with short cells you run
# one after the other (click a cell, then press **Shift + Enter**).

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# The sizes this notebook works at: smaller runs faster, bigger looks better.
size = 256  # pixels per side of each scene
scene_count = 8  # scenes written to a folder at the end

# %% [markdown]
# ## Where this comes from
#
# The series grew out of an artist's experiment: could the people at an online event *collectively draw*
# the background of the next event, and have a GAN paint it? Annotating playground photos in labelme went
# well; turning those annotations into a COCO dataset is where the experiment stalled. A second idea
# looked like the way out: **synthetic data**, pictures made by code, whose masks are perfect because the
# code drew them, and which need nobody's photo.
#
# This series picks up exactly there, one small step at a time.

# %% [markdown]
# ## The journey
#
# Each box is one notebook. You can stop after any of them with something that works.

# %%
from playground_lib.figures.overview import show_pipeline

show_pipeline();

# %% [markdown]
# ## Your first synthetic playgrounds
#
# The library can draw playground scenes: sky, grass, sand, paths, trees, slides, swings, benches and
# people. Every scene comes with its **label map**: each pixel is given a class (sky, tree, grass…), shown
# below in the standard ADE20K colours that SPADE understands. Each scene is drawn from a **seed**, the
# number its random choices start from: the same seed always draws the same scene, another seed another
# one. Change the seeds to get other scenes.

# %%
from playground_lib.figures.synthetic import show_scenes
from playground_lib.synthetic import generate_scene

scenes = [generate_scene(seed, size) for seed in range(8)]
show_scenes(scenes, columns=4);

# %% [markdown]
# ## What a label map holds
#
# A label map is just a grid of numbers, one per pixel. The number is the class: 3 is sky, 10 is grass,
# 109 is "plaything" (slides, swings, climbing frames). The colours are only there for our eyes.

# %%
import numpy as np

from playground_lib.labels import class_name

scene = scenes[0]
values, counts = np.unique(scene.labels, return_counts=True)
for value, count in zip(values, counts):
    print(f"{value:4d}  {class_name(int(value)):<10} {100 * count / scene.labels.size:5.1f}% of the picture")

# %% [markdown]
# ## Save some to look at later
#
# Each scene is saved as four files: the picture, the label map, an *instance map* (which object each
# pixel belongs to) and a **labelme** annotation file, the same format a person annotating by hand would
# produce. Notebook 02 turns those files into a COCO dataset.

# %%
from playground_lib.synthetic import write_scenes

files = write_scenes("outputs/welcome_scenes", n=scene_count, size=size, seed=0)
print(len(files), "scenes written, for example", files[0])

# %% [markdown]
# ## Next
#
# Open **01 · Annotate playgrounds** to draw your own polygons on a photo, or jump to **04 · Sketch a
# playground** if you can't wait to generate something.

# %% [markdown]
# ## Check your understanding
#
# 1. What is a label map, and what does each of its pixels hold?
# 2. The label maps are shown in colour. Who are the colours for, and what does the generator read instead?
# 3. If you draw a scene with the same seed twice, do you get the same playground? Why is that useful when
#    you want to repeat an experiment or share it with someone?
# 4. Which four files are written for every scene? Which of them would a person annotating a photo by hand
#    also produce?
# 5. Why are the masks of a synthetic scene perfect, while masks traced around a photo are not?
# 6. Besides perfect masks, what is the other reason this series makes pictures with code instead of
#    photographing real playgrounds?
# 7. What do you gain, and what do you lose, by making `size` in the parameters cell smaller?

# %% [markdown]
# ## Try this
#
# 1. **Other playgrounds.** In the cell that draws the scenes, change `range(8)` to `range(8, 16)` and run
#    it. You should see eight new playgrounds. Change it back to `range(8)` and run it again: the first
#    eight come back exactly as they were, because each scene is drawn from its seed.
# 2. **A smaller picture.** In the parameters cell set `size = 128` and run the cells below it again. The
#    playgrounds keep their layout but have half the pixels per side, so thin things such as railings look
#    blockier. In the cell that counts the classes, the percentages stay close to what they were (a few
#    points at most): a share of the picture does not depend on how many pixels the picture has.
# 3. **Another scene's mix.** In the cell that counts the classes, change `scenes[0]` to `scenes[3]`. Each
#    playground has its own mix of classes, but sky and the ground (grass, or earth in some scenes) nearly
#    always take the biggest shares. Keep this in mind for notebook 02: a generator learns best what it
#    sees most.
