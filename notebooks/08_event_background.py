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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/08_event_background.ipynb)
#
# # 08 · The sketch party: a room's sketches become the next event's background
#
# This is where the series started: people at an online event each paint a playground sketch, the
# sketches are merged into **one** playground, a GAN paints it, and the picture becomes the
# background of the next event in **Gather** (gather.town), where everyone walks around as a little
# avatar.
#
# You will merge sketches in two ways, paint the result at the map's full resolution, and export a
# background that Gather accepts, with a guide for the tiles that avatars should not walk through.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# How many bundled label maps join your sketches, the map's size in Gather tiles (32 px each), how sketches
# are merged ("panels" or "vote", section 2), and the largest window the generator paints at once
# (None: up to 1024 px; always 1:1, less needs less memory).
extra_sketch_count = 9
tiles = (40, 30)
mode = "panels"
window = None

# %% [markdown]
# ## 1. Everyone's sketches
#
# A sketch is a label map: every colour is a class (the ADE20K colours of notebook 04). Here we use the
# sketch you saved in notebook 04 (every PNG in the `sketches` folder of your working folder; without one,
# the three sketches that come with the library) and, as extra "participants", a few label maps of
# synthetic scenes. At your event, put the PNG files people saved from the painter in that folder.

# %%
from playground_lib import event
from playground_lib.figures.event import show_background, show_detail, show_label_maps
from playground_lib.own_data import event_sketches
from playground_lib.workspace import workspace_path

files, whose = event_sketches(extra_sketch_count)
print(whose)
sketches = [event.as_label_map(path) for path in files]
show_label_maps(sketches, [path.stem for path in files]);
# %% [markdown]
# ## 2. One playground from many: panels or vote
#
# Gather builds maps from square **tiles of 32 x 32 pixels**; we ask for a number of tiles, for
# example 40 x 30 tiles = 1280 x 960 pixels.
#
# * **Panels** (the default): everyone's sketch gets its own rectangle, side by side, each a whole
#   number of tiles: a gallery where every participant finds their own part, however many there are.
# * **Vote**: every pixel takes the class that most people painted there (ties: people, playthings
#   and benches win over the ground they stand on; empty corners don't vote). With many sketches the
#   raw vote is **confetti**: wherever people disagree, specks of every class. So the vote is tidied:
#   each pixel takes the most common class around it (a *majority filter*), and any patch smaller
#   than one tile joins the neighbour it shares the longest border with.
#
# Here is what each makes from the three sketches and from all of them (`raw-vote` is the untidied vote):

# %%
groups = {f"{min(3, len(files))} sketches": files[:3], f"{len(files)} sketches": files}
modes = ["panels", "vote", "raw-vote"]
layouts = {(g, m): event.merge_sketches(group, tiles, mode=m) for g, group in groups.items() for m in modes}
show_label_maps(list(layouts.values()), [f"{m}, {g}" for g, m in layouts], columns=3);
# %% [markdown]
# ## 3. Painting it, pixel for pixel
#
# A generator learned what grass or a slide looks like at the size it was trained at (256 x 256 for
# the official model and for the small bundled one). Painting a small picture and enlarging it
# to 1280 x 960 would give blur. SPADE is *fully convolutional*: it is made only of small filters that
# slide over the picture, with no part tied to one picture size, so it can paint a label map of any size,
# and each pixel then has the same scale it had in training. So the map is painted **at its own size**,
# in overlapping windows (to keep memory bounded) blended with soft edges so no seams show.
#
# First a stand-in painter that only colours the sketch softly: it runs in a blink and shows the
# whole path from sketches to a Gather-ready file.

# %%
out = workspace_path("event")  # in your working folder: Google Drive in Colab
result = event.make_background(files, out / "stand_in.png", tiles, mode=mode, generate=event.palette_generator)
show_background(result)
print(f"{result.png}: {result.size[0]} x {result.size[1]} px, {result.bytes / 1e6:.2f} MB ({result.encoding})")

# %% [markdown]
# Now with the real thing, the SPADE generator of notebook 05. `choose_generator()` takes the best
# one at hand (the official ADE20K weights if you downloaded them in notebook 05, else the small model
# that ships with the library) and says which. This is also what `make_background` uses when you
# don't name a generator. With the small model, 40 x 30 tiles took about 20 seconds on two CPU cores
# (`benchmarks/bench_event_background.py`); a progress bar counts the windows.

# %%
from playground_lib.generator_choice import choose_generator

spade = choose_generator()
result = event.make_background(files, out / "background.png", tiles, mode=mode, generate=spade, window=window)
show_background(result);
# %% [markdown]
# The page shrinks the picture to fit. In Gather it is shown pixel for pixel, like this square from the
# middle of the map:

# %%
show_detail(result);
# %% [markdown]
# ## 4. Into Gather
#
# Gather's help pages say a background may be at most 3200 x 3200 pixels and the file must be under
# 3 MB; the picture above is saved to stay under that (with fewer colours if it must).
#
# 1. In your Gather space open the **Mapmaker**, then *Background & Foreground* > **Upload Background**
#    and choose `background.png` from the `event` folder of your working folder (printed below).
# 2. Avatars can walk everywhere until you add **Impassable** tile effects. The guide
#    `background_tiles.png` shows the tiles we suggest in red (trees, fences, playthings, benches...),
#    and `background_tiles.json` lists them row by row. Here is the top-left corner of that list:

# %%
import json

print("saved in", out)
guide = json.loads(result.guide_json.read_text())
print(guide["cols"], "x", guide["rows"], "tiles; impassable classes:", ", ".join(guide["impassable_classes"]))
for row in guide["impassable"][:8]:
    print(" ".join("#" if blocked else "." for blocked in row[:20]))

# %% [markdown]
# ## 5. From the command line
#
# At the event itself, one command does all of this for the folder of sketches people sent:
#
# ```
# playground background sketches/*.png outputs/background.png --tiles 40x30
# playground background sketches/*.png outputs/one_park.png --tiles 40x30 --mode vote
# playground background sketches/*.png outputs/preview.png --colours-only
# ```
#
# It paints with the best SPADE generator at hand; `--checkpoint PATH` takes a generator file of your
# own (for example one you trained in notebook 06), and `--colours-only` makes a quick preview of
# the layout without any generator.
#
# **Next:** 09 · Dataset ethics: who is in the pictures, who labelled them, and a datasheet that says so.

# %% [markdown]
# ## Check your understanding
#
# 1. Why does the notebook ask for a number of tiles instead of a number of pixels? How many pixels wide and
#    high is a map of 40 x 30 tiles?
# 2. In a vote, empty ("other") pixels do not vote. What would happen to someone's slide if they did?
# 3. When a vote is tied, small things such as people and benches win over the ground. Why is that a
#    sensible rule?
# 4. With twelve sketches, the vote layout keeps almost no people or benches, while the panels layout keeps
#    all of them. Why?
# 5. For an event, when would you choose panels, and when a vote?
# 6. SPADE paints 256 x 256 pictures. How does the notebook make a 1280 x 960 background without visible
#    seams?
# 7. Why is there a stand-in painter, when the real generator is at hand?
# 8. What does the collision guide suggest, and what would avatars do without it?
# 9. Gather takes files under 3 MB. What does the library do if the picture would be bigger?

# %% [markdown]
# ## Try this
#
# 1. **A vote instead of panels.** In the parameters cell set `mode = "vote"` and run the notebook again.
#    The gallery of small playgrounds (one panel per sketch, borders on tile edges, every sketch keeping its
#    own people, benches and playthings) becomes one park, where the classes most people painted win.
# 2. **Only the room's sketches.** In the parameters cell set `extra_sketch_count = 0`, set `mode = "vote"`
#    and run the notebook again. With few voters, a person, a bench or a fence survives the vote in places,
#    because few sketches tie more often than many, and ties go to small things. With a dozen, the most
#    common classes (grass and sky) win almost everywhere.
# 3. **A smaller map.** Set `tiles = (20, 15)`. The background is now 640 x 480 pixels, and painting it takes
#    less time: the generator paints every pixel at the scale it learned (1:1, no enlargement), so fewer
#    pixels are less work, and each slide or tree has the same size in pixels as before, with fewer of them. Now try `tiles = (3, 2)` with `mode = "panels"`: a dozen
#    sketches do not fit, and the error says so.
