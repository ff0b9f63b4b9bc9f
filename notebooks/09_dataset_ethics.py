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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/09_dataset_ethics.ipynb)
#
# # 09 · Dataset ethics: who is in the pictures, and a datasheet that says so
#
# A generated playground looks like nobody's, but it is made of everybody the model learned from:
# the people photographed, the people who labelled the photos, the people who wrote the code. This
# notebook is about them. It is mostly reading and thinking, with one tool at the end: a **datasheet**,
# a short document that travels with a dataset and answers the questions others will have about it.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% [markdown]
# ## 1. People in photos, and consent
#
# Playgrounds are full of children. A photo in which someone can be recognised (a face, a jacket, a
# place and a time) is, in many countries, personal data: in the European Union the GDPR applies,
# and for children their parents or guardians must agree too. *Being in a public place* is not the same as
# *agreeing to be in a dataset* that is copied, shared and used to train models.
#
# Questions to ask before you take or use a photo:
#
# * Could anyone in it be recognised? Did they (or their guardians) agree, and is that written down?
# * Could you take the photo without people: early in the morning, or from an angle that shows the
#   equipment only?
# * If people are in it, can you blur or crop them, or label them as *ignore* so the model never
#   learns from them?
# * How would someone ask to be removed, and who would answer?
#
# This is one reason notebook 07 makes **synthetic** scenes: a person drawn by code is nobody.

# %% [markdown]
# ## 2. Who labels, and under what conditions
#
# Behind most large datasets are many hours of labelling, often done by crowd workers paid per
# polygon, under time pressure, with little say in the instructions. Their choices (what counts as a
# "path", whether a shadow belongs to the slide) shape what the model believes.
#
# In a workshop, the people who label are usually the participants. Ask yourselves:
#
# * Did they label as volunteers, as part of a course, or for pay? Were they credited?
# * Did everyone get the same instructions and the same list of classes?
# * How were disagreements settled, and where are mistakes recorded?

# %% [markdown]
# ## 3. Licences: what you may do with what
#
# * **Photos** belong to whoever took them, even when they are on the web. "Found online" is not a
#   licence. Your own photos are yours to license (Creative Commons licences make sharing simple).
# * **Datasets** come with terms. Read them before training or sharing anything made from them, and
#   check whether they allow commercial use.
# * **Code and models** too: the official SPADE code from NVIDIA is released under CC BY-NC-SA 4.0
#   (non-commercial, share-alike). This library writes its own implementation and cites the paper;
#   a model trained on a dataset still carries that dataset's questions with it.
#
# ## 4. A datasheet for our dataset
#
# *Datasheets for Datasets* (Gebru et al., 2021) proposes that every dataset come with answers to
# questions in seven parts: motivation, composition, collection, labelling, uses, distribution and
# maintenance. Some answers can be **counted** from the files; others only the makers know.
#
# The library counts what it can, in **your** dataset: the `coco.json` notebook 02 made from your
# annotations. If you have not made one, the bundled synthetic scenes stand in (the cell says which).

# %%
from playground_lib.coco.read import load_coco
from playground_lib.own_data import coco_for_datasheet
from playground_lib.workspace import workspace_path

out = workspace_path("datasheet")  # in your working folder: Google Drive in Colab
source, name, whose = coco_for_datasheet(out)
print(whose)
coco, _ = load_coco(source)
print(len(coco["images"]), "images,", len(coco["annotations"]), "annotated objects")

# %% [markdown]
# Now the datasheet. It counts images and sizes, how much of the pictures each class covers, how many
# objects there are, **how many images show people**, and how many images are synthetic. Everything
# it cannot know is left as a question marked ✍️ for you to answer.

# %%
from playground_lib.datasheet import write_datasheet
from playground_lib.figures.datasheet import show_datasheet

sheet = write_datasheet(source, out, name=name, progress=False)
print("written to", sheet)
show_datasheet(sheet);

# %% [markdown]
# ## 5. Reading it
#
# * **Class balance:** sky and grass cover most pixels; benches, fences and rocks are rare. A model
#   trained on this will paint grass well and fences poorly. Would more scenes with fences help?
# * **People:** how many pictures show people. In the synthetic scenes they are drawn by code, so nobody
#   real is in them; in your photos, this line is the one to read first.
# * **Synthetic vs photographed:** the datasheet tells the two apart by where the files came from.
#   When you add your own photos, check that the count matches what you know.
#
# The same numbers are in `datasheet_stats.json`, for a script to check:

# %%
from playground_lib.datasheet import collect_stats

stats = collect_stats(source, progress=False)
print(f"{stats.images_with_people} of {stats.images} images show people ({stats.people} people)")
print(f"{stats.synthetic} synthetic, {stats.images - stats.synthetic} photographed")
print("rarest classes:", ", ".join(c.name for c in stats.classes[-3:]))

# %% [markdown]
# ## 6. Your turn
#
# Open `DATASHEET.md` in the `datasheet` folder of your working folder (its path is printed above) in a text editor and answer the ✍️ questions for a dataset
# you made (in notebook 01 or 02, or at a workshop). A datasheet with honest answers, including
# "we don't know", is worth more than a perfect dataset nobody can ask about.
#
# From the command line, for a COCO file or a SPADE training folder:
#
# ```
# playground datasheet coco.json --out datasheet --name "Our playgrounds"
# ```

# %% [markdown]
# ## Check your understanding
#
# 1. Why is "being in a public place" not the same as agreeing to be in a dataset?
# 2. Name two ways to take or prepare playground photos so that nobody in them can be recognised.
# 3. Besides the photographer, whose choices shape what a model believes? Give an example from labelling.
# 4. "Found online" is not a licence. What should you check before training on photos or a dataset that you
#    did not make?
# 5. Which answers of a datasheet can be counted from the files, and which can only the makers give? Name
#    one of each.
# 6. Why is "how many images show people" the line to read first in a set of photos?
# 7. The class balance shows a lot of grass and few fences. What does that predict about a model trained on
#    this set?
# 8. Why is "we don't know" an acceptable, even a valuable, answer in a datasheet?

# %% [markdown]
# ## Try this
#
# 1. **The commonest classes.** In the last code cell, change `stats.classes[-3:]` to `stats.classes[:3]`
#    (and "rarest" to "commonest"). You should see grass, sky and path: the classes are sorted by how many
#    pixels they cover, largest first.
# 2. **How the datasheet knows "synthetic".** Add a cell after the counting cell with these lines and run it:
#    `coco["images"][0]["file_name"] = "holiday_" + coco["images"][0]["file_name"]`, then
#    `write_json(out / "renamed.json", coco)` (from `playground_lib.fileio`) and
#    `print(collect_stats(out / "renamed.json", progress=False).synthetic)`. On the bundled scenes the
#    synthetic count drops by one: the datasheet goes by the file name (`scene_` for procedural scenes,
#    `blender_` for renders), so a renamed scene counts as a photo, and a photo named `scene_...` would count
#    as synthetic. That is why you check the count against what you know.
# 3. **Answer the questions.** Copy `DATASHEET.md` (in the `datasheet` folder of your working folder) to a
#    file of your own first (running the datasheet cell again writes a fresh one over it), then answer three of the questions it leaves
#    for you, for a dataset you made. Notice which answers you know, which you could find out, and which
#    nobody wrote down.
