"""pix2pix, the simplest version of the series' idea: one line drawing in, one picture out, learned from pairs.

``edges`` makes line drawings (from a picture, or from a label map's outlines), ``model`` holds
the small U-Net generator and the PatchGAN critic, ``train`` the pairs, the time-budgeted training
loop with checkpoints, and the saved model that paints a drawing (``load_model`` + ``paint``).
Torch is imported only by ``model`` and ``train``, so ``edges`` stays light.
"""
