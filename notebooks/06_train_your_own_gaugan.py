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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/06_train_your_own_gaugan.ipynb)
#
# # Train your own GauGAN
#
# In notebook 05 a generator trained by NVIDIA on 20,000 photos painted your sketches. Here you train
# **your own**, on **your** pictures: the training folder notebook 02 made from the annotations you saved
# in notebook 01, alone or mixed with synthetic scenes. You will take one training step by hand, watch the
# trainer do thousands, see a model learn its pictures by heart (*overfitting*), save it somewhere safe,
# pick it up again after a break, and fine-tune NVIDIA's model from notebook 05.
#
# Nothing here needs a GPU to *work*; a GPU only makes it faster (a lot faster).

# %%
# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "generative-playgrounds @ git+https://github.com/generative-playgrounds/generative-playgrounds"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show

# %%
import torch

gpu = torch.cuda.is_available()  # the settings below are smaller without a GPU

# %% tags=["parameters"]
# Bigger is better and slower. These values trained in 2½ min on a 2-core CPU; the trainer prints its own estimate.
size = 128 if gpu else 96  # pixels per side of the training pictures
synthetic_count = 200  # synthetic scenes added to your pictures (0: yours alone; section 1 says why)
ngf, ndf = 16, 32  # widths of the generator and the critic
batch_size = 4 if gpu else 1  # pictures per training step
steps = 1000 if gpu else 240  # training steps of the first run
save_every = 100 if gpu else 40  # steps between sample pictures and checkpoints
more_steps = 300 if gpu else 60  # steps added when training goes on (section 6)
held_out_count = 24  # unseen scenes for the evaluation
segmenter_steps = 300 if gpu else 100  # training steps of the judge network
judge_size = 64  # pixels per side the judge looks at
finetune_size, finetune_steps = 256, (200 if gpu else 0)  # NVIDIA's model (section 8); 0 steps: skip

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
# ## 1. A training set: your pictures
#
# A training set is pairs of (label map, photo). Notebook 02 wrote yours into the `spade` folder of your
# working folder, with a train/validation split. The next cell finds it (and says so); if you have not
# run notebook 02, it makes the folder from your annotations, or from bundled ones when you have none.

# %%
import json

from playground_lib.own_data import ensure_spade_folder

own = ensure_spade_folder()
splits = json.loads((own / "dataset.json").read_text())["splits"]
print(f"{len(splits['train'])} pictures to train on, {len(splits['val'])} kept aside for validation")

# %% [markdown]
# ### Why mix in synthetic scenes?
#
# A GAN needs many examples to learn what *grass* or *a slide* looks like. With ten pictures of your own,
# the generator soon knows those ten by heart and paints nothing else well (section 5 shows this
# happening). Synthetic scenes (notebook 07) are cheap: they add hundreds of extra (label map, picture)
# pairs with the same classes, so the generator learns the general shapes and colours from them and
# the look of *your* playgrounds from your pictures. The validation pictures stay yours only: the
# question is always how well it paints *your* kind of playground. Set `synthetic_count = 0` to train
# on your pictures alone and compare.

# %%
from playground_lib.labels import class_name
from playground_lib.own_data import mix_training_set
from playground_lib.train.dataset import classes_in_every_split
from playground_lib.workspace import workspace_path

data = mix_training_set(own, workspace_path("training_set"), synthetic_count, size=size)
classes, validation_only = classes_in_every_split(data)  # both splits: no class becomes "other" unseen
print(f"{len(classes)} classes in the set (ADE20K values): {classes}")
if validation_only:
    print("Only in the validation pictures, never in training:", ", ".join(map(class_name, validation_only)))

# %% [markdown]
# ## 2. The settings
#
# All settings live in one `TrainConfig`. The important ones:
#
# * `crop_size`: the picture size it learns at (96 to 128 is a good start on a CPU, 256 on a GPU);
# * `ngf`: how wide the generator is (64 in NVIDIA's model; 16 keeps it small and fast);
# * `classes`: only the classes in your set become input channels, which makes training much cheaper;
# * `out_dir`: where checkpoints and samples go. In Colab this is **your Google Drive**, so a
#   disconnect costs you nothing (Colab will ask you to allow access).

# %%
from playground_lib.train import TrainConfig
from playground_lib.train.notebook import output_folder

cfg = TrainConfig(data_dir=str(data), out_dir=str(output_folder("my_gaugan")), classes=classes)  # what, and where to
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

# %% [markdown]
# ### One training step, written out
#
# Before handing over to the `Trainer`, here is one step done by hand with the same pieces it uses. We
# build a trainer only for its parts: the data, the two networks and their optimisers (nothing is saved).
# First a batch of training pairs (`batch_size` of them), and the generator's input: the label map **one-hot** encoded, one channel
# per class, 1 where that class is.

# %%
from playground_lib.figures.training import show_progress
from playground_lib.train import Trainer
from playground_lib.train.dataset import collate, semantics

parts = Trainer(cfg.replace(out_dir=str(workspace_path("scratch")), progress=False))
batch = collate([parts.dataset[(i, i)] for i in range(batch_size)])  # pictures 0, 1..., randomly cropped
label_input, real = semantics(batch, cfg), batch["image"]
print("label map as input:", tuple(label_input.shape), " photo:", tuple(real.shape), "(batch, channels, h, w)")

# %% [markdown]
# The **generator** paints from the label map. The **critic** (discriminator) sees each picture beside
# its label map and scores every patch: one score map per scale (it looks at the full picture and at a
# half-size copy). Its inner layers' reactions are kept too, for feature matching.

# %%
from playground_lib.train.discriminator import judge_pairs

fake = parts.generator(label_input)
parts.discriminator.requires_grad_(False)  # this half of the step trains the generator only
fake_scores, real_scores = judge_pairs(parts.discriminator, label_input, fake, real)
print("generated:", tuple(fake.shape), " score maps:", [tuple(scale[-1].shape) for scale in fake_scores])

# %% [markdown]
# The generator's losses: the **hinge** loss is low when the critic scores its picture high; **feature
# matching** compares the critic's inner reactions to the painting and to the photo. `backward()` works
# out, for each of the generator's weights, which way to nudge it to lower the total; the optimiser
# (Adam) takes the nudge.

# %%
from playground_lib.train.losses import feature_matching_loss, g_hinge_loss

g_gan = g_hinge_loss(fake_scores)
g_feat = feature_matching_loss(real_scores, fake_scores, cfg.lambda_feat)
parts.opt_g.zero_grad()
(g_gan + g_feat).backward()
parts.opt_g.step()
print(f"generator: hinge {g_gan.item():.3f}, feature matching {g_feat.item():.3f}")

# %% [markdown]
# Then the critic's turn: it should score real pairs above +1 and generated ones below −1. The painting
# is `detach()`ed: this half changes the critic only. That is one step; the `Trainer` repeats it
# (plus a smoothed copy of the generator for the samples, checkpoints and pictures) thousands of times.

# %%
from playground_lib.train.losses import d_hinge_loss

parts.discriminator.requires_grad_(True)
d_fake, d_real = judge_pairs(parts.discriminator, label_input, fake.detach(), real)
d_loss = d_hinge_loss(d_real, d_fake)
parts.opt_d.zero_grad()
d_loss.backward()
parts.opt_d.step()
print(f"critic: hinge {d_loss.item():.3f}")

# %% [markdown]
# ### Now the trainer
#
# The trainer times its first steps and prints how long the whole run will take **on this machine**
# (a Colab T4, a laptop and a small cloud CPU differ by a factor of a hundred). If that is too long for
# you, stop the cell, lower `steps` or `size` in the settings, and run again. While it trains,
# `SplitWatch` measures the pictures on both splits every `save_every` steps (section 5 shows them).

# %%
from playground_lib.train.overfitting import SplitWatch

watch = SplitWatch(every=save_every)
trainer = Trainer.start_or_resume(cfg)
trainer.fit(on_step=watch)
show_progress(cfg.out_dir);

# %% [markdown]
# ## 4. Watching the samples improve
#
# Training pictures are square (`size` x `size`): a landscape photo is scaled to that height and a square
# is cut from it, at a different place each step, so over many steps the model sees all of it; the samples
# and scores use the middle square, so the sides of a wide photo do not show there. Here is one of your
# validation pictures with that square marked (if they are all square, the cell says so):

# %%
from playground_lib.figures.coco import show_square_crop

show_square_crop(cfg.data_dir);

# %% [markdown]
# Every `sample_every` steps the trainer saves a grid: **label map | real photo | generated**. Early on the
# generated column is a blur of the right colours; then edges appear; then textures: grass gets blades,
# sand gets grain. On a CPU this takes a few hundred steps for colours and thousands for textures.

# %%
from playground_lib.figures.training import show_sample_history

show_sample_history(cfg.out_dir, count=3);

# %% [markdown]
# ## 5. Learning by heart: overfitting
#
# The samples above are **training** pictures: the generator has seen them many times. The real test is
# pictures it has never seen, the **validation** split notebook 02 set aside. Below, the same two
# measures on both: how far the painting is from the photo, pixel by pixel, and the critic's feature
# matching. When the training curve keeps falling while the validation curve flattens or rises, the
# generator is learning *these pictures* rather than *playgrounds*: overfitting. It comes sooner the
# fewer pictures you have, which is why mixing in synthetic scenes helps a small set. A short run with
# hundreds of synthetic scenes will hardly show it; to watch it happen, set `synthetic_count = 0` and
# train a few hundred steps more (section 6), then run this section again.

# %%
from playground_lib.figures.training import show_split_curves, show_split_samples
from playground_lib.train.overfitting import split_samples

if not watch.records:  # the run was already complete (notebook run again): measure once now
    watch.measure(trainer)
show_split_curves(watch);

# %% [markdown]
# And the pictures themselves: training pictures on the left, validation pictures on the right. After
# a long run on a tiny set, the left column looks like the photos and the right one does not.

# %%
show_split_samples(split_samples(trainer, count=2));

# %% [markdown]
# ## 6. Saving and resuming
#
# Checkpoints are written whole or not at all: a disconnect in the middle of saving leaves the previous
# one intact. To continue later (even after Colab forgot everything), run the set-up cells again and this
# one: it finds the last checkpoint in `out_dir` and trains on to the new number of steps, exactly as if
# it had never stopped.

# %%
more = cfg.replace(steps=cfg.steps + more_steps)
trainer = Trainer.start_or_resume(more)
print(f"resuming at step {trainer.step}")
trainer.fit(on_step=watch)  # the overfitting curves of section 5 go on too
show_progress(cfg.out_dir);

# %% [markdown]
# ## 7. Keep it, score it
#
# `export_generator` saves the smoothed (EMA) generator in half precision, with its settings inside the file.
# Notebook 05 can load it in place of the official model. To score it without looking, a small
# segmentation network learns the classes from the *real* pictures, then tries to find them in the
# *generated* ones: the **segmentation-consistency score** (mIoU, 0 to 1; higher is better; the same
# judge on real held-out pictures shows the ceiling). The held-out pictures are your validation photos when
# your set has any, else synthetic scenes; the cell says which.

# %%
from playground_lib.train.notebook import held_out_pairs

path = trainer.export_generator(f"{cfg.out_dir}/my_generator.safetensors")
print("saved", path)
*held_out, judged_on = held_out_pairs(data, size, held_out_count, workspace_path("held_out_scenes"))
print("the judge scores the generator on", judged_on)

# %%
from playground_lib.spade.loading import load_plain_generator
from playground_lib.train.evaluate import evaluate_generator, load_folder

generator, trained_on = load_plain_generator(path), load_folder(data, size)
report = evaluate_generator(generator, *trained_on, *held_out, segmenter_steps=segmenter_steps, judge_size=judge_size)
print(report.summary())

# %% [markdown]
# ## 8. Fine-tuning NVIDIA's model instead
#
# Starting from the official ADE20K generator, the model already knows grass, trees, sky and sand from
# 20,000 photos; a few hundred of your own pictures then teach it *your* playgrounds quickly. Our label
# maps use ADE20K's class numbers, so each of your classes lands on the channel the official model
# already knows. Notebook 05 downloaded its weights into the `weights` folder of your working folder
# (your Drive in Colab); this cell looks there. It needs the full width (`ngf=64`) and, in practice, a GPU;
# its samples are in the `finetuned` folder of your working folder (`show_progress(tune.out_dir)`).

# %%
from playground_lib import weights
from playground_lib.train.notebook import finetune_config

official = weights.cached_generator()
if official is None:
    print(f"No official weights in {weights.cache_dir()}: run notebook 05 first (it downloads them once).")
elif finetune_steps <= 0:
    print(f"Found {official}; fine-tuning is off (finetune_steps = 0): it wants a GPU.")
else:
    tune = finetune_config(cfg, official, size=finetune_size, steps=finetune_steps)
    Trainer.start_or_resume(tune).fit()

# %% [markdown]
# ## 9. What needs a GPU, and what does not
#
# | task | CPU (laptop, Colab CPU) | GPU (Colab T4 and up) |
# |---|---|---|
# | check a dataset, look at samples, score a model | yes | yes |
# | train a small model (ngf 16, 96–128 px) | 0.35 s a step at 96 px on a 2-core CPU: hours for textures | ~20 steps a second |
# | train NVIDIA-size (ngf 64, 256×256) | hours per hundred steps: no | yes, with mixed precision |
# | fine-tune the official model | too slow | yes |
# | several GPUs | – | `torchrun` (below) |
#
# The small model shipped with the library (used by notebook 05 when the official weights are absent)
# was trained exactly like this, on a CPU; its settings and score travel inside the file, and
# `read_generator_info(BUNDLED_WEIGHTS)` from `playground_lib.spade.generator_file` shows them.
#
# ## 10. Bigger machines
#
# The same trainer runs on several GPUs with PyTorch's `torchrun`; each GPU takes its share of every
# *epoch* (one pass over all the training pictures) and the results are averaged. From a terminal:
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
#    without changing anything. It finishes at once with no training bar: the checkpoint is already at
#    `steps + more_steps` (240 plus the 60 of section 6 on a CPU), past the goal of `steps`, so there is
#    nothing left to do.
# 2. **A short run.** In the parameters cell set `steps = 100` and `save_every = 25`, give the run a new
#    folder (see above) and run sections 1 to 4. The sample history shows what a very young generator makes:
#    at best soft patches of roughly the right colours in roughly the right places, with no edges or
#    textures yet. Compare it with the samples of the first run (`steps` = 240 on a CPU).
# 3. **A wider generator.** Set `ngf, ndf = 32, 32` in the parameters cell, with a new folder again, and run
#    the training cell. Each step takes longer, roughly two to three times as long on a CPU (the progress
#    bar shows the speed). Whether the pictures are better after the same number of steps is for you to
#    judge: compare the sample grids, and the scores of section 7.
