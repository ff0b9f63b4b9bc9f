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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/01_annotate_playgrounds.ipynb)
#
# # Annotate playgrounds
#
# A generator like SPADE learns to paint a playground from a **sketch**: a picture where every pixel
# says what it is (sky, grass, slide…). To teach it, we need photos *with* such sketches. Making them by
# hand is called **annotating**: you trace the outline of each thing in a photo and give it a name.
#
# In this notebook you will annotate a playground picture yourself, see what the computer makes of your
# outlines, and learn what a good outline looks like. What you save here is kept in **your working
# folder** and travels on: notebook 02 turns it into a training set, notebook 06 trains a generator on it.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# When you have annotated nothing yet, this many bundled annotated scenes stand in for yours.
bundled_count = 24

# %% [markdown]
# ## Your working folder
#
# Everything this series makes for you (annotations, training sets, trained models, downloaded weights)
# goes into **one folder**. In Colab it is `generative_playgrounds` in your **Google Drive** (Colab asks
# once for permission), because Colab forgets its own disk when you close the tab. On your own computer
# it is `generative_playgrounds` in your home folder. Your annotations go into its `annotations` folder:
# each photo with its `.json` file beside it, the way labelme keeps them.

# %%
from playground_lib.own_data import annotations_dir

folder = annotations_dir()
print("Your annotations are kept in", folder)

# %% [markdown]
# ## What an annotation is
#
# Below is one of the bundled playground pictures with its annotation: coloured **polygons** (shapes made
# of straight edges) traced around each thing, each with a name. On the right is what those polygons turn
# into: a *label map*, where every pixel carries the number of its class. Each class has its own colour.

# %%
from playground_lib.figures.annotation import show_annotation
from playground_lib.own_data import sample_images

example = sample_images(1)[0].with_suffix(".json")
show_annotation(example, "a playground and its annotation");

# %% [markdown]
# ## On your own computer: labelme
#
# The tool most people use is [labelme](https://github.com/wkentaro/labelme), a desktop app. If you work
# on your own laptop, install it with `pip install labelme` and start it in a terminal with the command the
# next cell prints: it opens the pictures in your annotations folder and offers only the names of this
# series, so that the generator knows what you mean. Put your own photos in that folder first. Click
# **Create Polygons**, click around an object, pick its name.
# labelme saves a `.json` file next to each photo, the same kind of file the annotator below writes.

# %%
from playground_lib.annotator.session import default_labels

print(f'labelme "{folder}" --validate-label exact --labels ' + ",".join(default_labels()))

# %% [markdown]
# ## In Colab (or here): the annotator
#
# labelme cannot open inside Colab, so this series has a small annotator that works in the notebook.
# First practise on three bundled pictures. They are kept in a `practice` folder of their own, so that
# nothing you try here ends up in your training set.
#
# 1. Pick a **label** (say *tree*).
# 2. **Click** around the object, one click per corner. Yellow dots show your points.
# 3. Click the **first point again** (or press **Close polygon**) to finish the shape.
# 4. **Undo** takes back the last click; to fix a shape, switch *Click to:* to **select**, click the shape,
#    then choose another label or press **Delete**.
# 5. **Save** writes the `.json` next to the picture. **Next** and **Previous** save for you; a polygon
#    you did not close (3 points or more) is closed for you, and the status line says so.

# %%
from playground_lib.annotator import Annotator
from playground_lib.own_data import practice_pictures

practice = Annotator(practice_pictures(count=3))
practice

# %% [markdown]
# When you have drawn a few shapes, run the next cell to save and see the label map your polygons make.

# %%
saved = practice.save()
show_annotation(saved, "your practice");

# %% [markdown]
# ## Your own photos
#
# This annotator opens your annotations folder, empty until you add photos. Press **Upload photos**
# (several at once), or type a folder on your computer and press **Add folder**. They are copied into your
# annotations folder at full size and turned upright; a file that is not a picture gets a red line with
# its name, and nothing else changes. Annotate them as you practised. Your work is kept there; running
# this cell again keeps it.

# %%
annotator = Annotator(folder)
annotator

# %% [markdown]
# In Colab you can also pick photos with Colab's own file picker: run the next cell, choose files, and
# they join the annotator above. Elsewhere it says it is only for Colab.

# %%
from playground_lib.annotator.photos import colab_file_picker
from playground_lib.workspace import in_colab

if in_colab():
    annotator.add_photos(colab_file_picker())
else:
    print("Not in Colab: use the Upload photos button or the folder box above.")

# %% [markdown]
# ## What notebook 02 will get
#
# The next cell looks at your annotations folder and says what is in it: how many pictures **you**
# annotated; your practice is not counted. If you have not annotated anything yet, bundled annotated
# scenes stand in for yours (it says so), so that the next notebooks have something to work on. They are
# copied to a folder of their own, `bundled_annotations`, never into your annotations folder. Come back
# after annotating your own photos and run it again: from then on, your own work is what travels on.

# %%
from playground_lib.own_data import ensure_annotations

mine = ensure_annotations(count=bundled_count, folder=folder)

# %% [markdown]
# ## The same, from code
#
# Every click in the annotator calls one small piece of Python. Here we "click" the corners of the
# climbing frame from code instead, on a fresh copy of the first picture in a practice folder of its
# own (so your work above is not touched). The numbers are pixel positions: *x* from the left, *y* from
# the top.

# %%
from playground_lib.own_data import copy_sample_images, practice_dir

demo = Annotator(copy_sample_images(practice_dir() / "from_code", count=1, fresh=True))
corners = [(40, 118), (114, 118), (116, 200), (38, 200)]
demo.add_polygon(corners, "plaything")
demo.add_polygon([(80, 170), (92, 160), (150, 165), (170, 195), (130, 218), (85, 210)], "sand")
demo_file = demo.save()
show_annotation(demo_file, "placed from code");

# %% [markdown]
# The file is plain text (JSON). This is exactly what labelme writes, so you can open it in labelme
# later, and notebook 02 turns a folder of them into a training set:

# %%
import json

data = json.loads(demo_file.read_text())
print("picture:", data["imagePath"], data["imageWidth"], "x", data["imageHeight"], "pixels")
for shape in data["shapes"]:
    print(shape["label"], shape["shape_type"], shape["points"])

# %% [markdown]
# ## What a good polygon looks like
#
# The generator learns *exactly* what you trace. Below, the same tree is outlined three ways. The score
# (IoU, from 0 to 1) says how well the outline matches the real tree: 1.0 is perfect.
#
# - **careful**: many points, hugging the edge. Best.
# - **few points**: the shape is roughly right, but the edge is cut.
# - **loose box**: quick, but a lot of sky and grass is now called "tree".
#
# Tips: click more points where the edge bends, fewer where it is straight; trace the **object in front**
# last (later shapes are painted over earlier ones); leave out what you are unsure about rather than guessing.

# %%
from playground_lib.figures.annotation import show_polygon_quality

figure, scores = show_polygon_quality(example, "tree")
print({name: round(score, 2) for name, score in scores.items()})

# %% [markdown]
# ## Next
#
# Notebook **02** turns your annotations folder into a **COCO** dataset and checks every mask, then builds
# the folder SPADE trains from.

# %% [markdown]
# ## Check your understanding
#
# 1. What is the difference between the polygons in a labelme file and the label map made from them?
# 2. Why does the series ask labelme to offer only its own list of names? What could go wrong if everyone
#    at a workshop typed their own names for things?
# 3. In "The same, from code" the corners are pixel positions such as `(40, 118)`. Where is (0, 0), and in
#    which direction does *y* grow?
# 4. Later shapes are painted over earlier ones. Why should you trace the object in front last? What would
#    happen to a bench if you traced the grass (all around and under it) after the bench?
# 5. The loose box scores much lower than the careful outline. What do the lost points of the score stand
#    for in the label map?
# 6. Where should you click many points, and where few? Why?
# 7. Why is it better to leave out something you are unsure about than to guess its name?

# %% [markdown]
# ## Try this
#
# 1. **Too few corners.** In "The same, from code", delete two of the four points in `corners` and run the
#    cell. The annotator refuses with "a polygon needs at least 3 points; this one has 2": two points make a
#    line, which covers no area. Put the points back afterwards.
# 2. **A name that is not on the list.** In the same cell, change `"sand"` to `"sandpit"` and run it. You get
#    an error that lists the names you may use instead. The annotator takes only the exact names of this
#    series (even "slide" is refused: here it is called `"plaything"`), so the generator later knows what
#    every shape means.
# 3. **Other objects, other scores.** In the last code cell, replace `"tree"` with `"plaything"`, run it,
#    then try `"sky"`. For the plaything, *few points* scores as well as the careful outline (its edges
#    are straight), but the loose box falls to about 0.2: a slide or a swing frame is thin, so a box around
#    it is mostly air. For the sky all three score 1.0, because the sky in this picture is already a
#    rectangle, and a box fits a rectangle perfectly.
