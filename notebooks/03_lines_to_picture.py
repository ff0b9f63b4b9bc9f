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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/03_lines_to_picture.ipynb)
#
# # 03 · Lines in, picture out: the simplest version of the idea
#
# Before classes, palettes and big models, here is the whole idea in its smallest form: **one picture in,
# one picture out, learned from pairs**. You draw black lines; a small network, trained here in a few
# minutes on an ordinary computer, paints a playground into them.
#
# The method is called **pix2pix** (Isola et al., 2017). It learns from pairs: a line drawing and the
# picture it came from. Show it enough pairs and it learns what kind of picture goes with what kind of
# lines. At the end you will see where lines alone stop working, and why the next notebooks paint with
# *classes* instead.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# Training stops after `minutes` (plus under a minute to draw the scenes first), on any computer: a faster
# one simply takes more steps in that time. It runs on the CPU, also in Colab.
size = 128  # pixels per side of the pictures the model learns and paints
scene_count = 600  # synthetic playgrounds to learn from (each one gives one pair)
ngf, ndf = 32, 32  # widths of the painter (generator) and the critic
minutes = 8.0  # training time; the trainer says after its first steps how many steps that buys
sample_minutes = 2.0  # how often it shows what it can paint so far
run_name = "lines_to_picture"  # the run's folder in your working folder (a new name starts afresh)
busy_seed = 100_022  # an unseen, busy playground for the last section

# %% [markdown]
# ## 1. Pairs: a picture and its line drawing
#
# The pairs come from the series' synthetic playgrounds, which are drawn with exact outlines. There are
# two ways to turn a picture into lines, and the library has both:
#
# * **from the picture**: mark the pixels where the brightness changes sharply. It works on any photo,
#   but it also draws texture (grass, bark) and misses an outline where two things have the same colour;
# * **from the label map**: draw the border of every region and every object. Clean, like a person's
#   outline drawing. The training pairs use this one.

# %%
from playground_lib.figures.lines import show_side_by_side
from playground_lib.pix2pix.edges import edges_from_labels, edges_from_picture
from playground_lib.synthetic import generate_scene

scene = generate_scene(seed=3, size=256)
from_picture = edges_from_picture(scene.image)
from_labels = edges_from_labels(scene.labels, scene.instances)
titles = ["the picture", "lines from the picture", "lines from the label map"]
show_side_by_side([scene.image, from_picture, from_labels], titles);

# %% [markdown]
# ## 2. Train a small pix2pix
#
# pix2pix has two networks that train each other:
#
# * the **generator** (a *U-Net*) shrinks the drawing step by step to a few pixels, to see what is where,
#   and grows it back into a picture. At every size it also gets the drawing's details of that size
#   directly, so thin lines are not lost on the way;
# * the **critic** (a *PatchGAN*) looks at a drawing next to a picture, patch by patch, and guesses: the
#   real picture, or one the generator made?
#
# The generator is pushed two ways: be close to the real picture, pixel by pixel (the **L1** loss), and
# fool the critic (the **adversarial** loss). L1 alone gives blurry, averaged pictures; the critic
# punishes blur, because real pictures are not blurry.
#
# The cell below draws the scenes (about half a minute), then trains. After a few steps it prints how
# long a step takes *on this computer* and how many steps the time buys. Every couple of minutes it shows
# the same few training drawings, their real pictures and what the generator paints so far.
# Run the cell again after a disconnect and it goes on from the last checkpoint, for `minutes` more.

# %%
from IPython.display import Image, display

from playground_lib.pix2pix.train import Pix2PixConfig, Pix2PixTrainer
from playground_lib.train.notebook import output_folder

config = Pix2PixConfig(str(output_folder(run_name)), size=size, scene_count=scene_count, ngf=ngf, ndf=ndf)
config.minutes, config.sample_minutes = minutes, sample_minutes
trainer = Pix2PixTrainer.start_or_resume(config)
trainer.fit(on_sample=lambda run, grid: display(Image(filename=str(grid), width=420)))
print(f"trained to step {trainer.step} ({trainer.seconds / 60:.1f} minutes of training in all)")

# %% [markdown]
# The last sample and the losses. `G_L1` is how far the pictures are from the real ones (it should fall);
# `G_gan` and `D` are the generator and the critic pushing against each other, so they go up and down.
#
# What we saw with these settings (8 minutes on two CPU cores that other work was also using: 562 steps):
# after about 100 steps, blue sky above and green below, with blurry tree crowns where the round shapes
# are; after about 500, paths, sand pits and tree crowns inside their lines, while swings, slides and
# people are still reddish smears. On unseen drawings its pictures were, on average, half as far from the
# real ones as the best single flat colour (`benchmarks/bench_pix2pix.py`). A faster computer gets more
# steps in the same minutes, and sharper pictures.

# %%
from playground_lib.figures.lines import show_lines_progress

show_lines_progress(trainer.cfg.out_dir);

# %% [markdown]
# ## 3. Draw, and let it paint
#
# A pen on white paper. Drag on the canvas to draw lines; **Eraser** takes ink away; **Undo**, **Clear**
# and **Save PNG** work as in the colour painter of the next notebook. Press **Generate**: the model paints
# your drawing at the size it learned (128 pixels) and shows it on the right.
#
# Tips: draw a horizon line across, then shapes standing on it: a tree is a trunk and a round crown, a
# slide a ladder and a slope. The model learned from the outlines of regions, so closed shapes are what
# it knows best.

# %%
from playground_lib.painter.lines import line_painter
from playground_lib.pix2pix.train import load_model, paint

model, info = load_model(trainer.cfg.out_dir)
pen = line_painter(256, paint=lambda drawing: paint(model, drawing, info["size"]))
pen

# %% [markdown]
# The same from code, on a second pad so your drawing stays as it is: a horizon, a tree and a slide.

# %%
demo = line_painter(256, paint=lambda drawing: paint(model, drawing, info["size"]))
demo.paint_stroke([(0, 120), (255, 110)])  # the horizon
demo.paint_stroke([(60, 180), (60, 110), (70, 110), (70, 180), (60, 180)])  # a trunk
demo.paint_stroke([(65, 112), (30, 95), (35, 55), (65, 40), (95, 55), (100, 95), (65, 112)])  # its crown
demo.paint_stroke([(150, 200), (160, 120), (175, 120), (230, 200)])  # a slide
picture = demo.generate()
show_side_by_side([demo.pad.line_drawing(), picture], ["your lines", "what the model paints"]);

# %% [markdown]
# ## 4. Where lines stop: a busy playground
#
# Now a busy playground the model has never seen, drawn from its label map exactly as the training pairs
# were. Compare what the model paints with the real picture, and look at the label map on the right.

# %%
from playground_lib.labels import labels_to_colors
from playground_lib.pix2pix.train import scene_pair

drawing, real, labels = scene_pair(busy_seed, info["size"])
painted = paint(model, drawing, info["size"])
titles = ["the lines", "what the model paints", "the real picture", "the label map"]
show_side_by_side([drawing, painted, real, labels_to_colors(labels)], titles);

# %% [markdown]
# Lines say **where** things are, but not **what** they are. A closed blob could be a bush, a tree crown,
# a rock or a pond; a long strip could be a path, a fence or a bench; the ground between the lines could be
# grass, earth or sand. The model can only guess from the shape and from where it sits in the picture, and
# where it is unsure it paints something in between. In our run, this playground's brown earth came out
# as green grass (most training playgrounds stand on grass, and nothing in the lines says "earth"), and its
# swings, climbing frames and people as blurred reddish patches: many small shapes close together, each
# of which could be several things.
#
# A **colour map** (a *segmentation map*) says both: every region is filled with the colour of its class,
# "grass", "sand", "slide". That is what the next notebook, `04_sketch_a_playground`, lets you paint, and
# what the SPADE model of `05_generate_with_pretrained_ade20k` turns into a picture.

# %% [markdown]
# ## Check your understanding
#
# 1. What is one training *pair* here, and where do both of its halves come from?
# 2. Why do the training pairs use lines from the label map rather than lines from the picture?
# 3. What would a generator trained with the L1 loss alone paint, and what does the critic add?
# 4. The trainer stops after a number of *minutes*, not steps. Why does the number of steps differ from
#    one computer to the next, and where does the notebook tell you what it will be on yours?
# 5. Why can a model that has only seen lines not know whether a round shape is a tree or a rock?
# 6. What does a colour map tell the generator that lines cannot?

# %% [markdown]
# ## Try this
#
# 1. **Memorising.** Set `scene_count = 60` (a tenth of the pairs) and `run_name = "lines_small"` in the
#    parameters cell, and run sections 2 to 4. Do the samples of the *training* drawings look closer to
#    their real pictures than with 600 pairs? Does the *unseen* busy playground of section 4 get better or
#    worse? A model that reproduces its few training pictures well but new drawings badly has learned
#    those pictures by heart (it *memorises*, or *overfits*) instead of what lines mean.
# 2. **Something it never saw.** Draw a house, a face or a car. The model has never seen one; it paints
#    them with what it knows: sky, grass, leaves, sand. A model can only paint the kind of pictures it
#    learned from.
# 3. **Thick and thin.** Draw the same tree with the pen at size 1 and at size 8 (the *Brush size*
#    slider). The model learned from thin outlines: which one does it paint better?
# 4. **From the command line.** The same training and painting run outside a notebook:
#    `playground edges train --out runs/lines`, then
#    `playground edges generate my_lines.png out.png --model runs/lines`
#    (`playground edges draw photo.png lines.png` turns any photo into lines first).
