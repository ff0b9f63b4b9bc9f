"""Which number format and layout a run gets on which device (the rule; the GPU side is in benchmarks/bench_gpu.py)."""

import pytest
import torch

from playground_lib.precision import Precision, autocast, choose_precision, precision_for


@pytest.mark.parametrize("amp", [True, False])
def test_cpu_stays_fp32_and_contiguous_whatever_amp_says(amp):
    chosen = choose_precision("cpu", amp, capability=None)
    assert chosen == Precision(None, False, torch.contiguous_format)
    assert chosen.name == "fp32"
    assert precision_for(torch.device("cpu"), amp) == chosen


@pytest.mark.parametrize(
    ("capability", "dtype", "scale_loss"),
    [
        ((7, 5), torch.float16, True),  # T4: no native bf16, fp16 needs a GradScaler
        ((7, 0), torch.float16, True),  # V100
        ((8, 0), torch.bfloat16, False),  # A100
        ((8, 9), torch.bfloat16, False),  # L4
        ((9, 0), torch.bfloat16, False),  # H100, H200
    ],
)
def test_cuda_picks_bf16_from_ampere_on_and_fp16_with_scaling_before(capability, dtype, scale_loss):
    chosen = choose_precision("cuda", True, capability)
    assert (chosen.dtype, chosen.scale_loss, chosen.memory_format) == (dtype, scale_loss, torch.channels_last)


def test_amp_off_on_cuda_is_fp32_but_still_channels_last():
    chosen = choose_precision("cuda", False, (9, 0))
    assert chosen == Precision(None, False, torch.channels_last)
    assert choose_precision("cuda", True, (9, 0)).name == "bf16 autocast"
    assert choose_precision("cuda", True, (7, 5)).name == "fp16 autocast + loss scaling"


def test_autocast_applies_the_chosen_dtype_and_fp32_applies_none():
    a, b = torch.randn(4, 4), torch.randn(4, 4)
    cpu = torch.device("cpu")
    with autocast(cpu, Precision(None, False, torch.contiguous_format)):
        assert (a @ b).dtype == torch.float32
    with autocast(cpu, Precision(torch.bfloat16, False, torch.contiguous_format)):
        assert (a @ b).dtype == torch.bfloat16


def test_a_cpu_trainer_runs_fp32_without_loss_scaling(tmp_path):
    from playground_lib.synthetic import write_scenes
    from playground_lib.train import TrainConfig, Trainer

    write_scenes(tmp_path / "scenes", n=2, size=40, seed=1, progress=False)
    cfg = TrainConfig(
        data_dir=str(tmp_path / "scenes"),
        out_dir=str(tmp_path / "run"),
        load_size=36,
        crop_size=32,
        ngf=4,
        ndf=4,
        n_layers_D=2,
        batch_size=2,
        steps=1,
        progress=False,
        use_vgg=False,
        amp=True,
        device="cpu",
    )
    trainer = Trainer(cfg)
    assert trainer.precision.dtype is None and not trainer.use_amp
    assert not trainer.scaler_g.is_enabled() and not trainer.scaler_d.is_enabled()
    assert trainer.generator.fc.weight.is_contiguous()
    record = trainer.train_step(next(iter(trainer.batches(1))))
    assert record["step"] == 1 and set(record) == {"step", "G_gan", "G_feat", "D"}
    assert all(isinstance(record[k], float) for k in ("G_gan", "G_feat", "D"))
