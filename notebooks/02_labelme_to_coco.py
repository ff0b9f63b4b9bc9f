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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/02_labelme_to_coco.ipynb)
#
# # From labelme to COCO to SPADE
#
# In notebook 01 every picture got a **labelme file**: a list of outlines, each with a name. One file per
# picture is handy while annotating, but training tools want the whole collection in one standard
# format. The most common one is **COCO** (named after Microsoft's *Common Objects in Context* dataset).
#
# This is exactly where the experiment behind this series once got stuck: the annotations looked fine in
# labelme, and the conversion quietly broke. Here you will
#
# 1. let the library **check** every annotation file and say precisely what is wrong, if anything;
# 2. **convert** the files to COCO and check the result with `pycocotools`, the official COCO library;
# 3. **look** at the masks over the pictures, and count the classes;
# 4. make the **SPADE folder** the training notebook reads.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# How many bundled annotation files stand in for yours if you have none yet, and how many samples to show.
annotation_count = 24
sample_count = 3

# %% [markdown]
# ## Your annotated pictures
#
# Notebook 01 saved your annotations in the `annotations` folder of your working folder (your Google
# Drive in Colab). This notebook converts **that folder**, and the next cell says what it found. Left
# out: pictures saved without a single outline, and bundled pictures you annotated to practise. With no
# annotations of yours yet, bundled synthetic scenes (notebook 07 shows how they are made) stand in,
# from a folder of their own, and the cell tells you so.

# %%
from playground_lib.figures.annotation import show_labelme
from playground_lib.labelme.check import read_labelme
from playground_lib.own_data import ensure_annotations

mine = ensure_annotations(count=annotation_count)
folder, files = mine.folder, mine.files
show_labelme(read_labelme(files[0]));

# %% [markdown]
# ## Step 1: check before converting
#
# A single broken file can spoil a whole dataset, so the library reads **every** file first and lists
# **every** problem, one line each: *which file, which shape, what is wrong*. Let's break a copy on
# purpose: we cut a polygon down to two points (a polygon needs at least three) and give a shape a name
# that is not in our list of classes.

# %%
import json
from pathlib import Path

from playground_lib.labelme.folder import copy_labelme_files
from playground_lib.paths import data_dir

broken = Path("outputs/broken")
copied = copy_labelme_files(data_dir() / "synthetic", broken, count=2)  # two bundled files to break
doc = json.loads(copied[0].read_text())
doc["shapes"][1]["points"] = doc["shapes"][1]["points"][:2]
doc["shapes"][2]["label"] = "spaceship"
copied[0].write_text(json.dumps(doc));

# %% [markdown]
# Now check the folder with the broken copy in it:

# %%
from playground_lib.coco.from_labelme import check_labelme_dir

good, problems, categories = check_labelme_dir(broken)
print(*problems, sep="\n")

# %% [markdown]
# Each line names the file, the shape's number (counting from 1, in labelme's list) and its label, and
# what to fix. The command-line tool does the same and then stops **without writing anything**, so a
# half-converted dataset never exists.
#
# labelme itself never places points outside the image, so the checker reports such points too: they
# usually mean the JSON belongs to a different-sized image. (Our synthetic scenes cut trees and slides at
# the picture's edge, the way a photo does, so their points stay inside as well.)

# %% [markdown]
# ## Step 2: convert to COCO
#
# `convert_labelme_dir` turns the folder into one COCO dataset: the list of **images**, the **categories**
# (our playground classes, numbered from 1) and one **annotation** per object, with its outline, its
# area and its bounding box. `split=0.8` also puts 80% of the pictures aside for training and 20% for
# checking the training (*validation*); the `seed` makes that draw repeatable. The dataset is saved as
# `coco.json` in your working folder.

# %%
from playground_lib.coco.from_labelme import convert_labelme_dir
from playground_lib.fileio import write_json
from playground_lib.own_data import coco_path

coco = convert_labelme_dir(folder, split=0.8, seed=0, exclude=mine.left_out).coco
write_json(coco_path(), coco)
print(len(coco["images"]), "images,", len(coco["annotations"]), "objects,", len(coco["categories"]), "classes")
print("first annotation:", {k: coco["annotations"][0][k] for k in ("category_id", "area", "bbox")})

# %% [markdown]
# ### Why the outlines are not simply copied
#
# labelme and COCO disagree about *where a pixel is*: labelme fills every pixel its outline touches, COCO
# only pixels whose centre lies inside. Copying the points across makes every mask a little thinner or
# fatter than what you drew. So the library lets labelme draw each object, then traces the pixels again
# in COCO's own way, and checks the result. Objects with a hole (a ring) become a pixel list (*RLE*).
#
# Let's verify with `pycocotools`: for every object, the mask COCO gives back must equal labelme's.

# %%
from playground_lib.coco.from_labelme import check_against_labelme

same, total = check_against_labelme(coco, folder)
print(f"{same} of {total} objects: pycocotools gives back exactly labelme's pixels")

# %% [markdown]
# ### Layers, and what you see
#
# labelme paints the shapes in the order you drew them, each **over** the ones before. Draw the sky as one
# big rectangle first, then the trees and the slide on top: in labelme's label map the sky is only the
# sky you can *see*. But the file still holds the whole rectangle. Copied as it is, COCO would say the
# sky covers the entire picture, and the areas of one picture would add up to far more than the picture.
# Another COCO tool, painting the objects in another order, would paint sky over the slide.
#
# So by default each COCO object is its **visible region**: what labelme shows of it. The objects of a
# picture never overlap, their areas are the pixels you see, and any tool paints labelme's own label map
# from them, in any order. (`whole_shapes=True`, or `--whole-shapes` on the command line, keeps the
# layers whole, for tools that want to know what is hidden.) The most hidden object of the first picture:

# %%
from playground_lib.figures.coco import area_sum, show_layers_vs_visible

whole = convert_labelme_dir(folder, exclude=mine.left_out, whole_shapes=True, progress=False).coco
first = coco["images"][0]["id"]
print(f"areas of the first picture, as layers: {area_sum(whole, first):.2f} x the picture; ", end="")
print(f"as seen: {area_sum(coco, first):.2f} x (1.00 when every pixel is labelled)")
show_layers_vs_visible(whole, coco, folder, image_id=first);

# %% [markdown]
# ## Step 3: look at the masks
#
# Numbers are reassuring, pictures more so. Each object is tinted in its class colour (the ADE20K colours
# SPADE uses) with a thin white outline.

# %%
from playground_lib.figures.coco import show_coco_masks

show_coco_masks(coco, folder, image_ids=[i["id"] for i in coco["images"][:3]]);

# %% [markdown]
# ### How many of each?
#
# A generator learns what it sees often. If there are hundreds of trees and three benches, expect
# beautiful trees and strange benches. The chart counts the objects per class.

# %%
from playground_lib.figures.coco import coco_class_counts, show_class_counts

counts = [c for c in coco_class_counts(coco) if c["instances"]]
show_class_counts(counts, title="Objects per class in our pictures");

# %% [markdown]
# ## Step 4: the SPADE folder
#
# SPADE does not read COCO: it wants, for every picture, a **label map** (a grey picture whose pixel
# values are the ADE20K class numbers) and an **instance map** (which object each pixel belongs to).
# `coco_to_spade` writes them into the `spade` folder of your working folder, where notebook 06 finds
# them, with a `dataset.json` that lists the classes, their counts and the train/validation split:
#
# ```
# spade/images/     the pictures
# spade/labels/     class number per pixel (0 = other)
# spade/instances/  object number per pixel
# spade/dataset.json
# ```

# %%
from playground_lib.coco.to_spade import coco_to_spade
from playground_lib.figures.coco import show_spade_samples
from playground_lib.own_data import spade_dir

summary = coco_to_spade(coco, folder, spade_dir())
print(json.loads(summary.read_text())["counts"])
show_spade_samples(spade_dir(), count=sample_count);

# %% [markdown]
# ## Going back: COCO to labelme
#
# Found a mistake? `coco_to_labelme` writes labelme files again (with the pictures beside them; into a
# folder that holds files only with `overwrite=True`), so
# you can open a COCO dataset in labelme, fix it, and convert once more. Nothing is lost on the way:
# converting back to COCO gives the very same annotations.

# %%
from playground_lib.coco.from_labelme import labelme_to_coco
from playground_lib.coco.to_labelme import coco_to_labelme

written = coco_to_labelme(coco, folder, "outputs/edit_in_labelme", overwrite=True)  # a scratch folder
again = labelme_to_coco("outputs/edit_in_labelme")
same = [(a["category_id"], a["segmentation"]) for a in again["annotations"]] == [
    (a["category_id"], a["segmentation"]) for a in coco["annotations"]
]
print(len(written), "labelme files written; same annotations after the round trip:", same)

# %% [markdown]
# ## The same from a terminal
#
# Everything above is also a command, handy for your own folders (run them in a terminal, or in a cell
# with a `!` in front):
#
# ```
# playground labelme2coco my_labelme_folder playgrounds.json --split 0.8
# playground coco2spade playgrounds.json my_labelme_folder spade_folder
# playground coco2labelme playgrounds.json my_labelme_folder to_edit_in_labelme
# ```
#
# Use your own class list with `--labels labels.txt` (one name a line). If some files are broken and you
# want the rest converted anyway, `--skip-invalid` writes the problems to a report beside the output.
#
# **Next:** notebook 03 starts really simple, lines in and a picture out; then notebook 04, where you paint
# a sketch in these very colours.

# %% [markdown]
# ## Check your understanding
#
# 1. Why does the library check every file before converting anything? Why does the command-line tool
#    write nothing at all when a single file is broken?
# 2. Each problem line names a file, a shape and what is wrong. Why do you need all three when a folder
#    holds two hundred files?
# 3. Why does a polygon need at least three points?
# 4. labelme never places a point outside the picture. So what does such a point usually tell you?
# 5. labelme and COCO disagree about which pixels an outline covers. What would go wrong if the converter
#    simply copied the points across, and what does the library do instead?
# 6. What does `split=0.8` do? Why is there a `seed` next to it?
# 7. The chart counts objects per class. If a set had hundreds of trees and three benches, what would you
#    expect a generator trained on it to paint well, and what badly?
# 8. SPADE does not read COCO. Which two maps does it want for every picture, and what does a pixel in
#    each of them hold?
# 9. What does the round trip from COCO to labelme and back show?

# %% [markdown]
# ## Try this
#
# 1. **Break it some more.** In the cell that breaks a copy, add the line
#    `doc["shapes"][3]["points"][0] = [5000, 10]` just before the last line (the one that writes the file).
#    Run that cell and the check below it. A third problem appears, for shape 4: "point 1 (5000, 10) lies
#    outside the 256x256 image". The first two problems are still listed: the checker reports every
#    problem it finds, not only the first.
# 2. **Another split.** In the Step 2 cell, change `split=0.8` to `split=0.5` and add the line
#    `print([i["file_name"] for i in coco["images"] if i["split"] == "val"])` at the end. With 24 files you
#    should see 12 names instead of 5. Then change `seed=0` to `seed=1`: the number of names stays the
#    same, but different pictures are set aside. Run it twice with the same seed and you get the same list.
# 3. **A smaller dataset.** In the parameters cell set `annotation_count = 6` and run the notebook again.
#    The chart "Objects per class" gets much shorter bars, and a few rare classes (water and pole, for
#    example) drop out entirely, because none of the six pictures has them. A generator cannot learn a
#    class it never sees.
