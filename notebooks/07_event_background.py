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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/07_event_background.ipynb)
#
# # 07 · The sketch party: a room's sketches become the next event's background
#
# This is where the series started: people at an online event each paint a playground sketch, the
# sketches are merged into **one** playground, a GAN paints it, and the picture becomes the
# background of the next event in **Gather** (gather.town), where everyone walks around as a little
# avatar.
#
# You will merge sketches in two ways, paint the result, and export a background that Gather accepts,
# with a guide for the tiles that avatars should not walk through.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# How many bundled label maps join the three sketches, the map's size in Gather tiles (32 px each),
# and the size the generator paints at.
extra_sketch_count = 9
tiles = (40, 30)
model_size = 256

# %% [markdown]
# ## 1. Everyone's sketches
#
# A sketch is a label map: every colour is a class (the ADE20K colours of notebook 03). Here we use the
# three sketches that come with the library and, as extra "participants", a few label maps of
# synthetic scenes. At your event, these would be the PNG files people saved from the painter.

# %%
from playground_lib import event
from playground_lib.figures.event import show_background, show_label_maps
from playground_lib.paths import data_dir

files = sorted((data_dir() / "sketches").glob("*.png"))
files += sorted((data_dir() / "synthetic").glob("*_label.png"))[:extra_sketch_count]
sketches = [event.as_label_map(path) for path in files]
show_label_maps(sketches, [path.stem for path in files]);

# %% [markdown]
# ## 2. One playground from many: vote or panels
#
# Gather builds maps from square **tiles of 32 x 32 pixels**; we ask for a number of tiles, for
# example 40 x 30 tiles = 1280 x 960 pixels.
#
# * **Vote**: every pixel takes the class that most people painted there. When it is a tie, small
#   important things (people, playthings, benches) win over the ground they stand on. Empty corners
#   don't vote, so nobody's slide gets erased by someone else's blank space.
# * **Panels**: everyone's sketch gets its own rectangle, side by side, each a whole number of tiles:
#   a gallery where every participant finds their own part.

# %%
vote = event.merge_sketches(sketches, tiles, mode="vote")
panels = event.merge_sketches(sketches, tiles, mode="panels")
show_label_maps([vote, panels], ["vote", "panels"], columns=2);

# %% [markdown]
# ## 3. Painting it, at the generator's size
#
# A generator like SPADE paints at one size, usually 256 x 256 pixels. A 1280 x 960 map is bigger and
# not square. So the layout is painted in **overlapping 256-pixel windows**, blended with soft edges
# so no seams show, and the result is enlarged smoothly (Lanczos) to the exact map size.
#
# First a stand-in painter that only colours the sketch softly: it runs in a blink and shows the
# whole path from sketches to a Gather-ready file.

# %%
result = event.make_background(
    files, "outputs/event/stand_in.png", tiles, mode="vote", generate=event.palette_generator, model_size=model_size
)
show_background(result)
print(f"{result.png}: {result.size[0]} x {result.size[1]} px, {result.bytes / 1e6:.2f} MB ({result.encoding})")

# %% [markdown]
# Now with the real thing: the SPADE generator of notebook 04. `choose_generator()` takes the best
# one at hand (the official ADE20K weights if you downloaded them in notebook 04, else the small model
# that ships with the library) and says which. The picture is painted window by window as above.

# %%
from playground_lib.generator_choice import choose_generator

spade = choose_generator()
result = event.make_background(
    files, "outputs/event/background.png", tiles, mode="vote", generate=spade.generate, model_size=model_size
)
show_background(result);

# %% [markdown]
# ## 4. Into Gather
#
# Gather's help pages say a background may be at most 3200 x 3200 pixels and the file must be under
# 3 MB; the picture above is saved to stay under that (with fewer colours if it must).
#
# 1. In your Gather space open the **Mapmaker**, then *Background & Foreground* > **Upload Background**
#    and choose `outputs/event/background.png`.
# 2. Avatars can walk everywhere until you add **Impassable** tile effects. The guide
#    `background_tiles.png` shows the tiles we suggest in red (trees, fences, playthings, benches...),
#    and `background_tiles.json` lists them row by row. Here is the top-left corner of that list:

# %%
import json

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
# playground background sketches/*.png outputs/gallery.png --tiles 40x30 --mode panels
# ```
#
# Add `--spade` to paint with the best SPADE generator at hand, or `--checkpoint PATH` for a
# generator file of your own (for example one you trained in notebook 05).
#
# **Next:** 08 · Dataset ethics: who is in the pictures, who labelled them, and a datasheet that says so.

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
# 1. **Panels instead of a vote.** In the cell that paints with SPADE, change `mode="vote"` to
#    `mode="panels"`. The background becomes a gallery of twelve small playgrounds (4 columns by 3 rows),
#    whose borders fall on tile edges, and every sketch keeps its own people, benches and playthings
#    (only smaller).
# 2. **Only the three sketches.** In the parameters cell set `extra_sketch_count = 0` and run the notebook
#    again. With three voters, a person, a bench or a fence now survives the vote in places, because three
#    sketches tie more often than twelve, and ties go to small things. With twelve, the most common classes
#    (grass and sky) win almost everywhere.
# 3. **A smaller map.** Set `tiles = (20, 15)`. The background is now 640 x 480 pixels, but painting it takes
#    about as long as before: the generator paints at the same working size either way (256 pixels high),
#    and only the last step, the enlargement, differs. So a map with more tiles has more pixels, not more
#    detail. Now try `tiles = (3, 2)` with `mode="panels"`: twelve sketches do not fit, and the error says so.
