"""Build NVlabs/SPADE's own generator (and its critics), imported at run time from a checkout, for side-by-side timing.

NVlabs/SPADE is CC BY-NC-SA: none of its code is copied here. ``--nvlabs PATH`` (or the
``NVLABS_SPADE`` environment variable) names a checkout, e.g. made with
``git -C <mirror> archive HEAD | tar -x -C /tmp/nvlabs_spade``; its modules run in this process,
so both networks share the interpreter, the threads and the allocator.

Only ``models/networks/{generator,architecture,normalization,base_network,discriminator}.py``
are imported. Three stand-ins make that possible without NVlabs' other dependencies:

* ``models`` and ``models.networks`` are registered as bare packages, so their ``__init__`` files
  (which pull ``util.util`` -> ``dill``, and every network) do not run;
* ``models.networks.sync_batchnorm`` (a git submodule, absent from plain archives) becomes
  ``nn.BatchNorm2d`` when missing: on one device ``SynchronizedBatchNorm2d`` computes exactly
  ``F.batch_norm``, and the state-dict keys are the same;
* ``dill`` (``util.util`` saves options with it; the discriminator imports ``util.util``) becomes
  ``pickle`` when missing;
* ``torchvision`` (used only by the VGG loss, which no benchmark builds) becomes an empty module
  when it is not installed.
"""

from __future__ import annotations

import importlib
import os
import pickle
import sys
import types
from argparse import Namespace
from pathlib import Path

import torch
from torch import nn

from playground_lib.spade import GeneratorConfig

ENV_VAR = "NVLABS_SPADE"


def nvlabs_path(given: str | None) -> Path | None:
    """The checkout named on the command line or in ``$NVLABS_SPADE``, checked; None when neither is set."""
    raw = given or os.environ.get(ENV_VAR)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not (path / "models" / "networks" / "generator.py").is_file():
        raise SystemExit(f"{path}: not an NVlabs/SPADE checkout (models/networks/generator.py is missing)")
    return path


def _bare_package(name: str, folder: Path) -> None:
    module = types.ModuleType(name)
    module.__path__ = [str(folder)]
    sys.modules[name] = module


def import_nvlabs_networks(path: Path) -> types.ModuleType:
    """``models.networks`` of the checkout, with the generator and discriminator modules imported."""
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    networks_dir = path / "models" / "networks"
    _bare_package("models", path / "models")
    _bare_package("models.networks", networks_dir)
    if not (networks_dir / "sync_batchnorm" / "__init__.py").is_file():
        stand_in = types.ModuleType("models.networks.sync_batchnorm")
        stand_in.SynchronizedBatchNorm2d = nn.BatchNorm2d  # type: ignore[attr-defined]
        sys.modules["models.networks.sync_batchnorm"] = stand_in
    try:
        import torchvision  # noqa: F401
    except ImportError:
        sys.modules["torchvision"] = types.ModuleType("torchvision")
    if importlib.util.find_spec("dill") is None:
        sys.modules["dill"] = pickle  # util.util pickles options with it; nothing here pickles
    package = sys.modules["models.networks"]
    for name in ("generator", "discriminator"):
        setattr(package, name, importlib.import_module(f"models.networks.{name}"))
    return package


def nvlabs_options(config: GeneratorConfig, **overrides) -> Namespace:
    """NVlabs' option namespace for a generator of this shape (the ADE20K pretrained options by default)."""
    opt = Namespace(
        ngf=config.ngf,
        ndf=64,
        label_nc=config.label_nc,
        semantic_nc=config.semantic_nc,
        contain_dontcare_label=False,  # already counted in config.label_nc (151 for ADE20K)
        no_instance=not config.instance_edges,
        norm_G="spectralspadesyncbatch3x3",
        norm_D="spectralinstance",
        crop_size=config.crop_size,
        aspect_ratio=config.aspect_ratio,
        num_upsampling_layers=config.num_upsampling_layers,
        use_vae=False,
        output_nc=3,
        n_layers_D=4,
        num_D=2,
        no_ganFeat_loss=False,
        netD_subarch="n_layer",
    )
    for key, value in overrides.items():
        setattr(opt, key, value)
    return opt


def nvlabs_generator(path: Path, config: GeneratorConfig, state: dict[str, torch.Tensor]) -> nn.Module:
    """NVlabs' ``SPADEGenerator`` with exactly these weights (official ``latest_net_G.pth`` keys), in eval mode."""
    networks = import_nvlabs_networks(path)
    generator = networks.generator.SPADEGenerator(nvlabs_options(config))
    generator.load_state_dict(state, strict=True)
    return generator.eval()


def nvlabs_discriminator(path: Path, config: GeneratorConfig) -> nn.Module:
    """NVlabs' ``MultiscaleDiscriminator`` for this shape (2 scales, 4 layers, spectral instance norm)."""
    networks = import_nvlabs_networks(path)
    return networks.discriminator.MultiscaleDiscriminator(nvlabs_options(config))
