import os

# Each pytest-xdist worker gets one core of the two: keep torch from oversubscribing.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


import pytest


@pytest.fixture(autouse=True)
def _workspace_in_tmp(tmp_path_factory, monkeypatch):
    """No test writes to the developer's working folder (``~/generative_playgrounds``) or reads from it."""
    monkeypatch.setenv("PLAYGROUND_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))
