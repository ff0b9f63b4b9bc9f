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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/04_sketch_a_playground.ipynb)
#
# # Sketch a playground
#
# Here you paint a playground the way SPADE (also called GauGAN) sees the world: not with brushes of
# paint, but with **classes**: "sky here, grass there, a slide in the middle". Then you press **Generate**
# and a small neural network paints a picture from your sketch.
#
# You will learn what a *segmentation map* is, meet the colour palette, and paint one yourself.

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% [markdown]
# ## What a segmentation map is
#
# A segmentation map (or *label map*) is a picture in which every pixel holds a **number that names a
# class**: 3 is sky, 10 is grass, 109 is "plaything" (slides, swings…). The colours only help our eyes;
# the generator reads the numbers. On the right you see a small square of a sketch, pixel by pixel.

# %%
from playground_lib.figures.sketch import show_label_map_up_close
from playground_lib.painter import Sketchpad
from playground_lib.sketch import bundled_sketches

example = Sketchpad(256)
example.load_png(bundled_sketches()[0])
show_label_map_up_close(example.labels, title=bundled_sketches()[0].name);

# %% [markdown]
# ## The palette
#
# These are the classes of this series, in the standard colours of the ADE20K dataset that SPADE was
# trained on, with their numbers. "other" (black) means *nothing in particular*.

# %%
from playground_lib.figures.sketch import show_palette

show_palette();

# %% [markdown]
# ## Paint!
#
# - Click a **class** button, then **drag** on the black canvas to paint.
# - **Brush size** makes the brush thicker or thinner.
# - **Fill** fills an area of one class with the chosen class (try it on the black background).
# - **Eraser** paints black ("other") back. **Undo**, **Redo** and **Clear** do what they say.
# - **Generate** turns your sketch into a picture on the right. Tick *Regenerate after each stroke* to
#   see it change while you paint.
# - **Easy-to-tell colours** (ticked at first) shows classes whose ADE20K colours look alike, a red slide on
#   an orange-red path say, in colours that differ on screen. Untick it to see ADE20K's own colours. Either
#   way the sketch saves ADE20K's colours and the same class numbers, which is what the generator reads.
#
# A tip: start with big areas (sky, grass, sand) using Fill, then add trees, paths and playthings on top.
#
# If no model was downloaded yet, the small model that comes with the library paints the picture; it is
# rough but quick. Notebook 05 uses the big official one.

# %%
from playground_lib.painter import Painter
from playground_lib.spade import load_generator

generator = load_generator(None)  # None = the small bundled model
painter = Painter(256, generate=generator.generate)
painter

# %% [markdown]
# ## Painting from code
#
# Every mouse stroke on the canvas calls one small piece of Python. Here is a whole sketch painted
# with those same calls, on a second painter so that your own sketch stays as it is. Positions are
# pixels, counted from the top-left corner of the 256 × 256 sketch.

# %%
from playground_lib.figures.sketch import show_sketch_and_result

demo = Painter(256, generate=generator.generate)
demo.fill(10, 10, "sky")  # everything becomes sky
demo.paint_stroke([(0, 205), (255, 195)], "grass", size=130)  # a wide band of grass
demo.paint_stroke([(205, 255), (165, 135)], "path", size=28)  # a path into the distance
demo.paint_stroke([(60, 150), (60, 100)], "tree", size=10)  # a tree: the trunk...
demo.paint_stroke([(60, 90)], "tree", size=60)  # ...and the crown
demo.paint_stroke([(95, 200), (95, 135), (150, 200)], "plaything", size=9)  # a slide
demo.generate()
show_sketch_and_result(demo.pad, "painted from code");

# %% [markdown]
# ## Change one thing
#
# Fill the grass on the left of the path with **sand**. Only the numbers of that patch of grass
# change (a fill stops where another class begins, here at the path), and the generator paints a
# different ground there.

# %%
demo.fill(20, 250, "sand")
demo.generate()
show_sketch_and_result(demo.pad, "grass turned into sand");

# %% [markdown]
# ## Keep your sketch
#
# Save it as a colour PNG in your working folder (your Google Drive in Colab). Notebook 05 generates from
# it with the official model, and any paint program can open and edit it. (If your canvas is still empty,
# the demo sketch is saved instead.)

# %%
from playground_lib.own_data import sketch_path

sketch = demo if painter.pad.is_blank() else painter
saved = sketch.save_png(sketch_path())
print("saved", saved, "with", sketch.class_counts())

# %% [markdown]
# You can also load a sketch into the painter: type its file name in the *File* box and press
# **Load PNG**, or use **Upload PNG**. Try one of the bundled sketches:

# %%
print([str(path) for path in bundled_sketches()])

# %% [markdown]
# ## Next
#
# Notebook **05** downloads the official SPADE model trained on ADE20K and generates playgrounds from the
# bundled sketches and from yours.

# %% [markdown]
# ## Check your understanding
#
# 1. In a segmentation map, what does the colour of a pixel stand for? What does the generator actually
#    read?
# 2. What does "other" (black) mean? What does the eraser do to the numbers in a sketch?
# 3. Why does it make sense to fill the big areas (sky, grass, sand) first and add trees, paths and
#    playthings on top?
# 4. In "Painting from code", positions are counted from the top-left corner. Where on the 256 x 256 sketch
#    is the point `(255, 0)`?
# 5. The demo tree is painted with two strokes. What is each stroke, and what does `size` change?
# 6. In "Change one thing", why did the fill at `(20, 250)` stop at the path instead of turning all the
#    grass into sand?
# 7. After the grass became sand, the generator painted a different ground there, although you painted no
#    texture at all. Where does the look of the sand come from?

# %% [markdown]
# ## Try this
#
# 1. **The other side of the path.** Run "Painting from code" again (so the grass is back), then in "Change
#    one thing" change `demo.fill(20, 250, "sand")` to `demo.fill(240, 250, "sand")`. Now only the strip of
#    grass to the right of the path turns into sand, and the left side stays grass. It is the smaller
#    patch: add `print(demo.pad.class_counts())` to the cell and you will see about 7,200 sand pixels
#    instead of about 18,700.
# 2. **A bigger tree.** In "Painting from code", change the crown's stroke `size=60` to `size=100` and run
#    the cell. The crown becomes a much larger round patch (more than twice as many tree pixels) that reaches
#    higher into the sky, and the picture gets a bigger tree to match.
# 3. **Start from a bundled sketch.** Copy one of the paths printed by the last code cell into the painter's
#    *File* box and press **Load PNG**, then **Generate**. The sketch replaces what was on the canvas and
#    you get its picture; change one area with **Fill** and generate again to compare.
