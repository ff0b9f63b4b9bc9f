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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/05_generate_with_pretrained_ade20k.ipynb)
#
# # 05 · From sketch to playground: generating with SPADE
#
# In notebook 04 you painted a **segmentation sketch**: every colour says *what* is there (sky, grass,
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
    # %pip install -q "generative-playgrounds[diffusion] @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# Where the network's weights come from (section 1 explains): leave "" for "not set".
weights_path = ""  # a file or folder you have, e.g. "/content/drive/MyDrive/playground_weights"
weights_url = ""  # a link your facilitator shares (https://..., or a Google Drive share link)
allow_download = True  # else fetch NVIDIA's archive (about 1 GB, once) if they are not here yet
size = 256  # pixels per side of the generated pictures
# Words + sketch (section 7): your words, and the number the random start is made from.
prompt = "a photo of a playground in a park, daylight"
seed = 0  # the same seed, words and sketch give the same picture
diffusion_steps = 20
words_on_cpu = False  # True: try on a CPU anyway (minutes a picture)
controlnet = base = reader = ""  # "": the default models; or hub ids or shared folders (section 7)

# %% [markdown]
# ## 1. Get the network's weights
#
# A trained network is its architecture (written in our library) plus millions of numbers, its
# *weights*: 96.5 million for this one. NVIDIA shares them as one big archive, `checkpoints.tar.gz`,
# on Google Drive; it holds their models for three datasets, and we keep only the ADE20K generator.
#
# The next cell looks for the weights in this order, and says at each step what it found:
#
# 1. **`weights_path`** in the parameters cell: a file or a folder you already have (on this computer,
#    or in your Google Drive, under `/content/drive/MyDrive/...` in Colab);
# 2. the copy kept from an earlier session, in the `weights` folder of the series' working folder (in
#    Colab that is your Google Drive, which the cell connects first: Colab asks for permission once);
# 3. **`weights_url`**: a link your facilitator shares (a web address, or a Google Drive share link);
# 4. NVIDIA's own archive on Google Drive, when `allow_download = True`;
# 5. last, a small model that ships with the library, trained on our synthetic playgrounds. Its
#    pictures are rougher, but everything below still works.
#
# **Drive says no?** NVIDIA's Drive file has refused downloads often since late 2024 (too many
# downloads, or sharing turned off). The cell then says what happened and what to do, in one
# paragraph, and goes on to the next source. Nothing is wrong on your side.
#
# **Why no upload button?** An upload widget in a notebook carries at most 9 MB (a bigger file silently
# drops the connection), and the smallest copy of these weights is 193 MB (the 390 MB file in half
# precision). Google Drive or a link carries them.
#
# ### For facilitators: download once, share one copy with the room
#
# Forty people downloading the same 1 GB archive is what makes Drive refuse it. Instead:
#
# 1. Before the workshop, run this notebook once in Colab with `allow_download = True` (or download
#    `checkpoints.tar.gz` in a browser from the link in NVlabs' SPADE README). The weights land in your
#    Drive, in `generative_playgrounds/weights/ade20k_pretrained/`, with a half-size copy made below.
# 2. Make a Drive folder, say `playground_weights`, and put **one** file in it:
#    `latest_net_G.fp16.safetensors` (193 MB, best), `latest_net_G.pth` (390 MB) or the whole archive.
#    Share the folder: "Anyone with the link", viewer.
# 3. Each participant opens the link, adds a shortcut to their Drive ("Organise", then "Add shortcut",
#    into My Drive), and sets one parameter: `weights_path = "/content/drive/MyDrive/playground_weights"`.
#    The file is read from the shared folder (a `.pth` or `.safetensors` is not copied; an archive is
#    unpacked once into the participant's own Drive).
#
# On a machine without Drive, a link works the same way: put the file on any web server the room can
# reach and set `weights_url`. (Outside notebooks: `playground generate --weights PATH` or
# `--weights-url URL`, or the environment variables `PLAYGROUND_SPADE_WEIGHTS` and
# `PLAYGROUND_SPADE_WEIGHTS_URL`.) Whatever the source, the file is checked before it is used: its
# size, its exact layout of tensors, and later a fingerprint (SHA-256) kept beside the cached copy; a
# file that fails is deleted, never used.

# %%
from playground_lib import weights
from playground_lib.generator_choice import choose_generator

print("Weights are kept in", weights.cache_dir())  # in Colab: connects your Google Drive first
generator = choose_generator(weights_path, allow_download, weights_url, names=weights.NOTEBOOK_NAMES)
print(generator.config)

# %% [markdown]
# The weights file NVIDIA shares is 390 MB. Stored as *half-precision* numbers it is half the size and
# paints the same picture to the eye; the cell below makes that copy next to the original (only if the
# official weights are here), which is handy when your Drive is nearly full.

# %%
official = weights.cached_generator()
if official is not None and official.suffix == ".pth":
    print("half-size copy:", weights.convert_to_fp16_safetensors(official))

# %% [markdown]
# ## 2. From the bundled sketches to pictures
#
# The library comes with three sketches. `generator.generate(labels)` takes a label map (a grid of class
# numbers) and returns a picture. On a laptop CPU a 256 x 256 picture takes a second or two (section 3
# says how, for the curious).

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
# ## 3. What SPADE does with your sketch
#
# The generator starts from a tiny grid of numbers and makes it bigger, block after block, until it is a
# picture. Inside each block, the numbers are **normalised**: every channel is shifted and scaled so that
# its values are centred on zero with a spread of one. That keeps training stable, but it also wipes out
# what made one region different from another.
#
# **SPADE** (*spatially-adaptive denormalisation*) puts it back from the sketch: a small network looks at
# the label map and predicts, for every pixel, a **scale γ** and a **shift β**; the block then computes
# `normalised × (1 + γ) + β`. Below, one block of the small bundled model at work on a real sketch, for
# one of its channels (blue is negative, red positive): the γ and β maps *are* the sketch, slide, trees
# and sky included, and after SPADE the layout is back in the features.

# %%
from playground_lib.figures.generation import show_spade_block
from playground_lib.spade.inspect import spade_block_maps
from playground_lib.spade.loading import BUNDLED_WEIGHTS, load_plain_generator

small = load_plain_generator(BUNDLED_WEIGHTS)  # small and quick to take apart
maps = spade_block_maps(small, sketches["meadow_slide"], block="up_1", size=128)
show_spade_block(maps);

# %% [markdown]
# Why not plain batch normalisation, with one learned scale and shift per channel, as most networks use?
# Feed it a sketch that is all grass and one that is all sand. After a convolution, every pixel of each
# is the same number, and normalising subtracts the mean: both become **all zeros**. The network has
# forgotten which class it was given. SPADE's γ and β come from the label map itself, so the class
# survives. The cell counts the *channels* (the block's feature maps) in which the two sketches still
# differ:

# %%
from playground_lib.labels import ade20k_value
from playground_lib.spade.inspect import uniform_sketches_after_normalisation

gap = uniform_sketches_after_normalisation(small, (ade20k_value("grass"), ade20k_value("sand")))
print(f"Of the block's {gap['channels']} channels, how many still tell all grass from all sand?")
print(f"  after a convolution and plain normalisation: {gap['plain_norm_channels']}")
print(f"  after SPADE:                                 {gap['spade_channels']}")

# %% [markdown]
# That is the whole trick of the paper (Park et al., CVPR 2019): the sketch steers every block, not just
# the first, so the classes stay where you drew them however deep the network is.
#
# **For the curious: why it is fast on a CPU.** When the library loads a generator for painting, it
# folds each batch norm into its SPADE layer's γ and β (the statistics are fixed once trained), and
# inside a patch of one colour every pixel gets the same γ and β, so only the pixels near the edges
# between colours are computed in full. It also keeps the numbers *channels-last* in memory, which
# suits CPU convolutions. The pictures are the same numbers; `playground_lib.spade.fast` has the details.
#
# ## 4. Your own sketch
#
# If you painted a sketch in notebook 04, it was saved as `sketches/my_sketch.png` in your working folder
# and is used here.
# Otherwise we take one of the bundled sketches. A sketch from any paint program works too: paint with
# the class colours (the palette in notebook 04), save as PNG, and point `path` at it. Soft brush edges
# are cleaned up; a colour that matches no class is reported instead of guessed.

# %%
from playground_lib.own_data import sketch_path
from playground_lib.paths import data_dir
from playground_lib.sketch import read_sketch

path = sketch_path()
if not path.exists():
    print("No sketch from notebook 04 yet: using a bundled one.")
    path = data_dir() / "sketches" / "sandpit_swings.png"
mine = read_sketch(path)
print(mine.summary())
show_results({path.stem: mine.labels}, {path.stem: generator.generate(mine.labels, size=size)});

# %% [markdown]
# ## 5. Change one class: grass becomes sand
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
# ## 6. Keep your pictures
#
# The pictures are saved in the `generated` folder of your working folder (your Google Drive in Colab,
# so they outlive the session). Outside the notebook the same thing is one command:
#
# ```
# playground generate my_sketch.png my_playground.png --size 256
# ```
#
# (add `--weights latest_net_G.pth` to use a weights file you already have, or `--download` to fetch
# NVIDIA's).

# %%
from playground_lib.fileio import write_png
from playground_lib.workspace import workspace_path

generated = workspace_path("generated")
for name, picture in {**pictures, "grass_to_sand": picture_after}.items():
    write_png(generated / f"{name}.png", picture)
print(f"{len(pictures) + 1} pictures saved in {generated}")

# %% [markdown]
# ## 7. Words + sketch: from a colour map to a photograph
#
# SPADE reads only your colours. GauGAN's successors also read **words**. The open one is a *diffusion
# model*, **Stable Diffusion 1.5**: it starts from pure noise and removes a little of it in each of about
# 20 steps, guided by your words, until a picture is left. A **ControlNet** (Zhang, Rao and Agrawala, 2023)
# is a trained copy of half of that network that also looks at a condition picture and nudges every step
# towards it. The segmentation ControlNet learned from maps in ADE20K's 150 colours: exactly the colours
# you paint with in notebook 04, so your sketch goes in as it is.
#
# What each learned from matters:
#
# | | learned from | made with |
# |---|---|---|
# | NVIDIA's SPADE | ADE20K: about 20,000 photos outlined by people, class by class | 8 GPUs |
# | our bundled SPADE | 1,000 synthetic playgrounds drawn by a program (notebook 07) | 2 CPU cores, 88 minutes |
# | ControlNet for segmentation (1.0; our 1.1 was retrained on more maps) | 164,000 ADE20K-style maps with their photos | about 200 GPU-hours |
# | Stable Diffusion 1.5 | about 2 billion image–text pairs collected from the web (LAION) | about 150,000 GPU-hours |
#
# Nobody asked the photographers, artists or people in those two billion pictures; the words you type
# reach styles and faces learned from them. Notebook 09 asks what consent and credit would look like.
# The weights are free to use under the CreativeML OpenRAIL-M licence, which forbids some uses.
#
# It needs a **GPU**: in Colab choose *Runtime > Change runtime type > T4 GPU*. The models (a few GB)
# download once. A facilitator can download them once and share the folders (`save_pretrained` writes
# them): set `controlnet` and `base` in the parameters cell to those folders, and `reader` to the
# segmenter's. On a CPU the cell below says so and the rest of the notebook goes on with SPADE. A
# **seed** is the number the starting noise is made from: the same seed, words and sketch give the same picture.

# %%
from playground_lib.diffusion import DiffusionSettings
from playground_lib.diffusion.engine import engine_or_none

settings = DiffusionSettings(prompt=prompt, seed=seed, steps=diffusion_steps, strength=1.0)
words = engine_or_none(controlnet, base, settings=settings, allow_cpu=words_on_cpu)

# %% [markdown]
# Now the same sketch through both. A picture is only as good as how much of the sketch it keeps, so we
# **measure** it: a segmenter trained on ADE20K photos (SegFormer) labels every pixel of each picture, and
# we count the sketched pixels it reads back as the class you painted. It reads photos best: a cartoon-like
# picture can lose points for looking unlike a photo, not only for leaving the sketch.

# %%
from playground_lib.engine_comparison import compare_engines
from playground_lib.figures.generation import show_engines
from playground_lib.sketch_agreement import reader_or_none

measure = reader_or_none(reader)
results = compare_engines(mine.labels, {"SPADE": generator.generate, "words + sketch": words}, measure)
for result in results:
    print(result.summary())
show_engines(mine.labels, results, words.last_condition if words else None);

# %% [markdown]
# The second panel is the exact picture the ControlNet was shown: your sketch in ADE20K's colours,
# enlarged to the 512 pixels Stable Diffusion learned at (unpainted "other" stays black: no class has
# that colour). Next, what the seed and the words change, with the sketch held still:

# %%
from playground_lib.figures.generation import show_variations

if words is not None:
    variations = words.variations(mine.labels, seeds=[seed + 1, seed + 2], prompts=["a playground in snow at dusk"])
    show_variations(mine.labels, variations)

# %% [markdown]
# The layout stays; the light, the season, the materials move with the words; the seed picks one of many
# pictures that fit both. Paint with words yourself: the painter below has both engines (choose *Words +
# sketch* and type what you want to see). Outside the notebook:
#
# ```
# playground generate my_sketch.png photo.png --engine diffusion --prompt "a playground in the rain" --seed 3
# ```

# %%
from playground_lib.painter import Painter
from playground_lib.painter.engine_choice import engine_choice

Painter(size=mine.labels.shape, generate=engine_choice(generator.generate, words))

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
# 10. The ControlNet is shown your sketch in ADE20K's colours. What would go wrong if every colour were
#     shifted by one class (wall's grey given to building, and so on)?
# 11. SPADE and Stable Diffusion learned from very different pictures (the table in section 7). Which one
#     would you rather use for a public event background, and what would you tell the room about it?
# 12. How did we measure how much of the sketch each picture kept? Why is that measure unfair to a picture
#     that does not look like a photo?

# %% [markdown]
# ## Try this
#
# 1. **Grass to water.** In the section 5 code cell, change `replace_class(before, "grass", "sand")` to
#    `replace_class(before, "grass", "water")`. The *repainted share* stays the same (about half of
#    `meadow_slide` is grass, so about 50%), because the same pixels change class; only the *change inside*
#    and *change outside* numbers move. Is the change outside much smaller than the change inside, as with
#    sand? Compare both with what the official model gives, if you have it.
# 2. **Sky to building.** In the same cell, try `replace_class(before, "sky", "building")`. The repainted
#    share drops to about 29%, the part of `meadow_slide` that is sky. Look at the last panel: does the
#    brightness stay inside the old sky, or does the ground change too?
# 3. **Another sketch.** Change `sketches["meadow_slide"]` to `sketches["park_path"]` (grass covers about
#    36% of it) or `sketches["sandpit_swings"]` (about 34%). The repainted share follows the amount of grass
#    in each sketch, and the heat map shows which other things (paths, trees, swings) sit next to the
#    change.
# 4. **Words against the sketch.** In the parameters cell set `prompt = "a beach at sunset"` and run section 7
#    again. The sketch still says grass and a slide: which wins where? Then try `seed = 1`, `2`, `3`.
# 5. **How hard the sketch steers.** In the first code cell of section 7, change `strength=1.0` to
#    `strength=0.5`, run the next cells again and watch the measured share of the sketch kept. What happens
#    at `strength=0`?
