"""A tiny random Stable Diffusion + segmentation ControlNet, saved in diffusers' folder layout.

The real models are gigabytes behind a network; the tests and the notebook suite load this one
through the very code that loads the real ones (``diffusion.engine.load_engine`` with local
folders). Same architecture families, a few thousand weights: a 64 px picture in a fraction of a second.
"""

from __future__ import annotations

import json
from pathlib import Path

TINY_NATIVE = 64  # unet sample_size 32 x the VAE's factor 2


def build_tiny_pipeline(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write ``folder/controlnet`` and ``folder/base``; returns their paths."""
    import torch
    from diffusers import (
        AutoencoderKL,
        ControlNetModel,
        StableDiffusionPipeline,
        UNet2DConditionModel,
        UniPCMultistepScheduler,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        sample_size=32,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16,
        norm_num_groups=4,
        attention_head_dim=2,
    )
    controlnet = ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(8, 16))
    with torch.no_grad():  # a fresh ControlNet's "zero convolutions" ignore the sketch: give it a voice
        for module in [
            controlnet.controlnet_cond_embedding.conv_out,
            *controlnet.controlnet_down_blocks,
            controlnet.controlnet_mid_block,
        ]:
            module.weight.normal_(0, 0.5)
    vae = AutoencoderKL(
        block_out_channels=(8, 16),
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        latent_channels=4,
        norm_num_groups=4,
        sample_size=64,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            hidden_size=16,
            intermediate_size=32,
            num_attention_heads=2,
            num_hidden_layers=2,
            vocab_size=64,
            max_position_embeddings=77,
        )
    )
    tokenizer_dir = folder / "tokenizer-source"
    tokenizer_dir.mkdir(parents=True, exist_ok=True)
    letters = {ch + "</w>": i + 2 for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz")}
    (tokenizer_dir / "vocab.json").write_text(json.dumps({"<|startoftext|>": 0, "<|endoftext|>": 1, **letters}))
    (tokenizer_dir / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(tokenizer_dir / "vocab.json"), str(tokenizer_dir / "merges.txt"), model_max_length=77)
    base = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=UniPCMultistepScheduler(steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    base.save_pretrained(folder / "base")
    controlnet.save_pretrained(folder / "controlnet")
    return folder / "controlnet", folder / "base"


def build_tiny_reader(folder: Path, seed: int = 0) -> Path:
    """A tiny random SegFormer with ADE20K's 150 classes, saved in transformers' layout."""
    import torch
    from transformers import SegformerConfig, SegformerForSemanticSegmentation

    torch.manual_seed(seed)
    config = SegformerConfig(
        num_encoder_blocks=2,
        depths=[1, 1],
        sr_ratios=[2, 1],
        hidden_sizes=[8, 16],
        patch_sizes=[7, 3],
        strides=[4, 2],
        num_attention_heads=[1, 2],
        mlp_ratios=[2, 2],
        decoder_hidden_size=16,
        num_labels=150,
    )
    SegformerForSemanticSegmentation(config).save_pretrained(folder)
    return folder
