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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/05_train_your_own_gaugan.ipynb)
#
# # Train your own GauGAN
#
# In notebook 04 a generator trained by NVIDIA on 20,000 photos painted your sketches. Here you train
# **your own**, on your own playground set: the synthetic scenes of notebook 06, or the SPADE folder you
# made from your annotations in notebook 02. You will watch it learn, save it somewhere safe, pick it up
# again after a break, and see what a bigger machine changes.
#
# Nothing here needs a GPU to *work*; a GPU only makes it faster (a lot faster).

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %% tags=["parameters"]
# The settings of this lesson's training run: bigger is better and slower.
size = 128  # pixels per side of the training pictures
scene_count = 200  # synthetic scenes to train on
ngf, ndf = 16, 32  # widths of the generator and the critic
batch_size = 1  # pictures per training step
steps = 600  # training steps of the first run
save_every = 50  # steps between sample pictures and checkpoints
more_steps = 300  # steps added when training goes on (section 6)
held_out_count = 24  # unseen scenes for the evaluation
segmenter_steps = 300  # training steps of the judge network
judge_size = 64  # pixels per side the judge looks at

# %% [markdown]
# ## Two networks that train each other
#
# A GAN (*generative adversarial network*) is a pair:
#
# * the **generator** paints a picture from a label map (“sky here, sand there, a slide in the middle”);
# * the **discriminator**, or critic, looks at a label map next to a picture and guesses: a real photo, or
#   one the generator made?
#
# They train in turns, like a forger and an art expert. Each time the critic gets better at spotting
# fakes, the generator learns what gave it away. SPADE, the generator in GauGAN, is special in one way:
# the label map steers *every* layer of the painter, so the classes stay where you drew them.

# %%
from playground_lib.train.notebook import where_am_i

print(where_am_i())

# %% [markdown]
# ## 1. A training set
#
# A training set is pairs of (label map, photo). We draw synthetic playground scenes here; to use your own
# annotations instead, set `data` to the SPADE folder notebook 02 wrote (it has `images/` and `labels/`).
# Every label map is checked before training: a wrong value is reported with its file name.

# %%
from playground_lib.synthetic import write_scenes
from playground_lib.train.dataset import classes_in

data = "outputs/training_scenes"
write_scenes(data, n=scene_count, size=size, seed=0)
classes = classes_in(data)
print(f"{len(classes)} classes in the set (ADE20K values): {classes}")

# %% [markdown]
# ## 2. The settings
#
# All settings live in one `TrainConfig`. The important ones:
#
# * `crop_size`: the picture size it learns at (128 is a good start on a CPU, 256 on a GPU);
# * `ngf`: how wide the generator is (64 in NVIDIA's model; 16 keeps it small and fast);
# * `classes`: only the classes in your set become input channels, which makes training much cheaper;
# * `out_dir`: where checkpoints and samples go. In Colab this is **your Google Drive**, so a
#   disconnect costs you nothing (Colab will ask you to allow access).

# %%
from playground_lib.train import TrainConfig
from playground_lib.train.notebook import output_folder

cfg = TrainConfig(data_dir=data, out_dir=str(output_folder("my_gaugan")), classes=classes)  # what, and where to
cfg = cfg.replace(crop_size=size, load_size=size, ngf=ngf, ndf=ndf, batch_size=batch_size)  # how big
cfg = cfg.replace(steps=steps, sample_every=save_every, checkpoint_every=save_every)  # how long
cfg

# %% [markdown]
# ## 3. What it learns from: the losses
#
# * **GAN loss (hinge)**: the critic wants real pairs scored above +1 and fakes below −1; the generator
#   wants its fakes scored high.
# * **Feature matching**: the generator's picture should make the critic's *inner* layers react like the
#   real photo does. It keeps early training calm.
# * **VGG (perceptual) loss**: optional; it needs a network trained on ImageNet. Offline it is switched
#   off, with a message, and training works without it.
#
# The bar below shows them live (`G_gan`, `G_feat`, `D`). Don't expect them to go steadily down: the two
# players push against each other. **The pictures are the real measure.**

# %%
from playground_lib.figures.training import show_progress
from playground_lib.train import Trainer

trainer = Trainer.start_or_resume(cfg)
trainer.fit()
show_progress(cfg.out_dir);

# %% [markdown]
# ## 4. Watching the samples improve
#
# Every `sample_every` steps the trainer saves a grid: **label map | real photo | generated**. Early on the
# generated column is a blur of the right colours; then edges appear; then textures: grass gets blades,
# sand gets grain. On a CPU this takes a few hundred steps for colours and thousands for textures.

# %%
from playground_lib.figures.training import show_sample_history

show_sample_history(cfg.out_dir, count=3);

# %% [markdown]
# ## 5. Saving and resuming
#
# Checkpoints are written whole or not at all: a disconnect in the middle of saving leaves the previous
# one intact. To continue later (even after Colab forgot everything), run the set-up cells again and this
# one: it finds the last checkpoint in `out_dir` and trains on to the new number of steps, exactly as if
# it had never stopped.

# %%
more = cfg.replace(steps=cfg.steps + more_steps)
trainer = Trainer.start_or_resume(more)
print(f"resuming at step {trainer.step}")
trainer.fit()
show_progress(cfg.out_dir);

# %% [markdown]
# ## 6. Keep it, score it
#
# `export_generator` saves the smoothed (EMA) generator in half precision, with its settings inside the file.
# Notebook 04 can load it in place of the official model. To score it without looking, a small
# segmentation network learns the classes from the *real* pictures, then tries to find them in the
# *generated* ones: the **segmentation-consistency score** (mIoU, 0 to 1; higher is better; the same
# judge on real held-out pictures shows the ceiling).

# %%
from playground_lib.spade.loading import load_plain_generator
from playground_lib.train.evaluate import evaluate_generator, load_folder

path = trainer.export_generator(f"{cfg.out_dir}/my_generator.safetensors")
write_scenes("outputs/held_out_scenes", n=held_out_count, size=size, seed=100_000)
train_pairs, held_out_pairs = load_folder(data, size), load_folder("outputs/held_out_scenes", size)
report = evaluate_generator(
    load_plain_generator(path), *train_pairs, *held_out_pairs, segmenter_steps=segmenter_steps, judge_size=judge_size
)
print(report.summary())

# %% [markdown]
# ## 7. Fine-tuning NVIDIA's model instead
#
# Starting from the official ADE20K generator (notebook 04 shows where to put its weights), the model
# already knows grass, trees, sky and sand from 20,000 photos; a few hundred of your own pictures then
# teach it *your* playgrounds quickly. Our label maps use ADE20K's class numbers, so each of your classes
# lands on the channel the official model already knows. It needs the full width (`ngf=64`) and, in
# practice, a GPU.

# %%
from pathlib import Path

official = Path("checkpoints/ade20k_pretrained/latest_net_G.pth")
if official.exists():
    tune = cfg.replace(
        finetune_from=str(official), ngf=64, crop_size=256, load_size=286, out_dir=str(output_folder("finetuned"))
    )
    Trainer.start_or_resume(tune).fit()
else:
    print(f"{official} not found: see notebook 04 for the official weights; skipping fine-tuning")

# %% [markdown]
# ## 8. What needs a GPU, and what does not
#
# | task | CPU (laptop, Colab CPU) | GPU (Colab T4 and up) |
# |---|---|---|
# | check a dataset, look at samples, score a model | yes | yes |
# | train a small model (ngf 16, 128×128) | ~1–2 s a step: an hour for recognisable textures | ~20 steps a second |
# | train NVIDIA-size (ngf 64, 256×256) | hours per hundred steps: no | yes, with mixed precision |
# | fine-tune the official model | too slow | yes |
# | several GPUs | – | `torchrun` (below) |
#
# The small model shipped with the library (used by notebook 04 when the official weights are absent)
# was trained exactly like this, on a CPU; its settings and score travel inside the file, and
# `read_generator_info(BUNDLED_WEIGHTS)` from `playground_lib.spade.generator_file` shows them.
#
# ## 9. Bigger machines
#
# The same trainer runs on several GPUs with PyTorch's `torchrun`; each GPU takes its share of every
# epoch and the results are averaged. From a terminal:
#
# ```
# torchrun --nproc_per_node 4 -m playground_lib.train.ddp --data my_spade_folder --out runs/big \
#     --crop-size 256 --ngf 64 --batch-size 4 --steps 50000
# ```
#
# or, on one machine, `playground train --data ... --out ... --resume` (`playground train --help` lists
# every setting; a JSON or YAML file of settings works too).

# %% [markdown]
# ## Check your understanding
#
# 1. What are the two networks of a GAN, and what is each of them trying to do?
# 2. What makes SPADE different from other generators, according to this notebook?
# 3. What is a training set made of here, and what is checked before training starts?
# 4. Why does training only on the classes that are in your set make training cheaper?
# 5. Why should you not expect the losses to go steadily down? What is "the real measure" instead?
# 6. In which order do colours, edges and textures appear in the sample grids as training goes on?
# 7. What happens if Colab disconnects while a checkpoint is being saved? And what happens when you then
#    run the cells again?
# 8. The held-out scenes are drawn with `seed=100_000`, far from the seeds of the training scenes. Why must
#    they not be drawn with the same seeds?
# 9. The judge learns the classes from real pictures and then looks for them in generated ones. What does a
#    high score mean? Why is the judge's score on real held-out pictures called the ceiling?
# 10. Why does fine-tuning NVIDIA's model need far fewer of your own pictures than training from nothing?

# %% [markdown]
# ## Try this
#
# A warning first: the training cells pick up the last checkpoint in `out_dir` *with the settings it was
# saved with*; only the number of steps is taken from your cell. To try other settings, give the run a new
# folder: in the settings cell change `output_folder("my_gaugan")` to, say, `output_folder("short_run")`.
#
# 1. **Run the training cell again.** After the whole notebook has run, run the section 3 cell once more
#    without changing anything. It finishes at once with no training bar: the checkpoint is already at step
#    900 (600 plus the 300 of section 5), past the goal of 600, so there is nothing left to do.
# 2. **A short run.** In the parameters cell set `steps = 100` and `save_every = 25`, give the run a new
#    folder (see above) and run sections 1 to 4. The sample history shows what a very young generator makes:
#    at best soft patches of roughly the right colours in roughly the right places, with no edges or
#    textures yet. Compare it with the samples of the 600-step run.
# 3. **A wider generator.** Set `ngf, ndf = 32, 32` in the parameters cell, with a new folder again, and run
#    the training cell. Each step takes longer, roughly two to three times as long on a CPU (the progress
#    bar shows the speed). Whether the pictures are better after the same number of steps is for you to
#    judge: compare the sample grids, and the scores of section 6.
