import os

# Each pytest-xdist worker gets one core of the two: keep torch from oversubscribing.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# No test reaches a model hub: huggingface_hub reads this once, at import, so it is set before anything imports it.
os.environ["HF_HUB_OFFLINE"] = "1"


import pytest


@pytest.fixture(autouse=True)
def _workspace_in_tmp(tmp_path_factory, monkeypatch):
    """No test writes to the developer's working folder (``~/generative_playgrounds``) or reads from it."""
    monkeypatch.setenv("PLAYGROUND_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """Four small synthetic scenes to train on (one folder per test module; a module may define its own)."""
    from playground_lib.synthetic import write_scenes

    folder = tmp_path_factory.mktemp("scenes")
    write_scenes(folder, n=4, size=48, seed=3, progress=False)
    return folder


@pytest.fixture(scope="session")
def tiny_diffusion(tmp_path_factory):
    """(controlnet folder, base folder): a tiny random Stable Diffusion + ControlNet in diffusers' layout."""
    from diffusion_fixtures import build_tiny_pipeline

    return build_tiny_pipeline(tmp_path_factory.mktemp("tiny-diffusion"))


@pytest.fixture(scope="session")
def tiny_reader(tmp_path_factory):
    """A tiny random ADE20K segmenter folder (transformers' layout) for the sketch-agreement measure."""
    from diffusion_fixtures import build_tiny_reader

    return build_tiny_reader(tmp_path_factory.mktemp("tiny-reader"))


@pytest.fixture
def tiny_models_env(monkeypatch, tiny_diffusion, tiny_reader):
    """Point the model settings at the tiny test models, as a facilitator's shared folders would be."""
    from playground_lib.diffusion.settings import BASE_ENV, CONTROLNET_ENV
    from playground_lib.sketch_agreement import READER_ENV

    controlnet, base = tiny_diffusion
    monkeypatch.setenv(CONTROLNET_ENV, str(controlnet))
    monkeypatch.setenv(BASE_ENV, str(base))
    monkeypatch.setenv(READER_ENV, str(tiny_reader))
