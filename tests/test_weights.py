"""Official weights: download (monkeypatched), safe extraction, hash, cache folder, fp16 conversion."""

import io
import tarfile

import numpy as np
import pytest
import torch

from playground_lib import weights, workspace
from playground_lib.spade import GeneratorConfig, load_generator, save_random_official_checkpoint

TINY = GeneratorConfig(ngf=4)


def _official_archive(path, generator_file, evil=False, prefix="checkpoints/"):
    """A tar.gz laid out like NVlabs' checkpoints.tar.gz, with decoys around the generator."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, data in [
            (f"{prefix}coco_pretrained/latest_net_G.pth", b"coco, not ours"),
            (f"{prefix}ade20k_pretrained/latest_net_D.pth", b"discriminator"),
            (f"{prefix}ade20k_pretrained/opt.txt", b"norm_G: spectralspadesyncbatch3x3"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if evil:
            info = tarfile.TarInfo("../ade20k_pretrained/latest_net_G.pth")
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
            link = tarfile.TarInfo(f"{prefix}x/ade20k_pretrained/latest_net_G.pth")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tar.addfile(link)
        else:
            tar.add(generator_file, arcname=f"{prefix}ade20k_pretrained/latest_net_G.pth")
    return path


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    return save_random_official_checkpoint(tmp_path_factory.mktemp("src") / "latest_net_G.pth", TINY, seed=1)


@pytest.fixture(scope="module")
def served_archive(tmp_path_factory, tiny_checkpoint):
    return _official_archive(tmp_path_factory.mktemp("drive") / "served.tar.gz", tiny_checkpoint)


@pytest.fixture
def fake_drive(monkeypatch, served_archive):
    """gdown.download replaced by a copy of a local archive; records its calls."""
    import gdown

    archive = served_archive
    calls = []

    def download(id=None, output=None, quiet=False, resume=False, **kwargs):
        calls.append({"id": id, "resume": resume})
        with open(archive, "rb") as src, open(output, "wb") as dst:
            dst.write(src.read())
        return output

    monkeypatch.setattr(gdown, "download", download)
    return calls


def test_download_extract_and_cache(tmp_path, fake_drive, tiny_checkpoint, capsys):
    cache = tmp_path / "cache"
    path = weights.ensure_official_weights(cache=cache)
    assert path == cache / "ade20k_pretrained" / "latest_net_G.pth"
    assert path.read_bytes() == tiny_checkpoint.read_bytes()
    assert fake_drive == [{"id": weights.OFFICIAL_ARCHIVE_DRIVE_ID, "resume": True}]
    assert not (cache / weights.ARCHIVE_NAME).exists()  # the big archive is not kept
    assert "no reference hash" in capsys.readouterr().out
    # Second call: from the cache, no download.
    assert weights.ensure_official_weights(cache=cache) == path
    assert len(fake_drive) == 1
    # And it loads strictly as a generator.
    assert load_generator(path).generate(np.zeros((32, 32), np.uint8)).shape == (32, 32, 3)


def test_hash_mismatch_is_refused_and_match_accepted(tmp_path, fake_drive, tiny_checkpoint, monkeypatch):
    monkeypatch.setattr(weights, "OFFICIAL_GENERATOR_SHA256", "0" * 64)
    with pytest.raises(weights.WeightsUnavailable, match="does not match"):
        weights.ensure_official_weights(cache=tmp_path / "c1")
    assert weights.cached_generator(tmp_path / "c1") is None  # the bad file was removed
    monkeypatch.setattr(weights, "OFFICIAL_GENERATOR_SHA256", weights.sha256_file(tiny_checkpoint))
    assert weights.ensure_official_weights(cache=tmp_path / "c2").is_file()


def test_damaged_download_is_deleted_so_the_next_try_fetches_again(tmp_path, monkeypatch):
    import gdown

    def truncated(id=None, output=None, **kwargs):
        with open(output, "wb") as f:
            f.write(b"\x1f\x8b\x08 truncated")
        return output

    monkeypatch.setattr(gdown, "download", truncated)
    with pytest.raises(weights.WeightsUnavailable, match="not a readable"):
        weights.ensure_official_weights(cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / weights.ARCHIVE_NAME).exists()


def test_archive_goes_to_local_disk_not_the_drive_cache(tmp_path, monkeypatch, fake_drive):
    drive = tmp_path / "MyDrive"
    drive.mkdir()
    monkeypatch.delenv(weights.CACHE_ENV, raising=False)
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)
    monkeypatch.setattr(workspace, "COLAB_DRIVE", drive)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "local"))
    seen = []
    real = weights.download_archive
    monkeypatch.setattr(weights, "download_archive", lambda dest, quiet=False: seen.append(dest) or real(dest, quiet))
    path = weights.ensure_official_weights()
    assert path.is_relative_to(drive)
    assert seen[0].is_relative_to(tmp_path / "local")


def test_offline_gives_a_clear_message(tmp_path, monkeypatch):
    import gdown

    def offline(**kwargs):
        raise ConnectionError("Failed to resolve 'drive.google.com'")

    monkeypatch.setattr(gdown, "download", offline)
    with pytest.raises(weights.WeightsUnavailable, match="offline.*--weights PATH"):
        weights.ensure_official_weights(cache=tmp_path / "cache")
    with pytest.raises(weights.WeightsUnavailable, match="downloading was turned off"):
        weights.ensure_official_weights(cache=tmp_path / "cache", download=False)


def test_user_supplied_files(tmp_path, tiny_checkpoint):
    assert weights.ensure_official_weights(tiny_checkpoint, cache=tmp_path / "c") == tiny_checkpoint
    archive = _official_archive(tmp_path / "mine.tar.gz", tiny_checkpoint, prefix="")
    extracted = weights.ensure_official_weights(archive, cache=tmp_path / "c")
    assert extracted.read_bytes() == tiny_checkpoint.read_bytes()
    stamp = extracted.stat().st_mtime_ns
    assert weights.ensure_official_weights(archive, cache=tmp_path / "c") == extracted  # not extracted again
    assert extracted.stat().st_mtime_ns == stamp
    with pytest.raises(weights.WeightsUnavailable, match="nowhere.pth: no such file"):
        weights.ensure_official_weights(tmp_path / "nowhere.pth")


def test_hostile_archive_writes_nothing_outside(tmp_path, tiny_checkpoint):
    archive = _official_archive(tmp_path / "evil.tar.gz", tiny_checkpoint, evil=True)
    out = tmp_path / "deep" / "cache"
    with pytest.raises(weights.WeightsUnavailable, match="link, not a file"):
        weights.extract_generator(archive, out)
    assert not (tmp_path / "deep" / "ade20k_pretrained").exists()
    assert not (out / "latest_net_G.pth").exists()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(weights.WeightsUnavailable, match="broken.tar.gz: not a readable"):
        weights.extract_generator(broken, out)


def test_cache_dir_prefers_env_then_the_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv(weights.CACHE_ENV, str(tmp_path / "env"))
    assert weights.cache_dir() == tmp_path / "env"
    monkeypatch.delenv(weights.CACHE_ENV)
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(tmp_path / "ws"))
    assert weights.cache_dir() == tmp_path / "ws" / "weights"
    monkeypatch.delenv(workspace.WORKSPACE_ENV)
    drive = tmp_path / "MyDrive"
    drive.mkdir()
    monkeypatch.setattr(workspace, "COLAB_DRIVE", drive)
    assert weights.cache_dir() == drive / "generative_playgrounds" / "weights"
    monkeypatch.setattr(workspace, "COLAB_DRIVE", tmp_path / "not-mounted")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert weights.cache_dir() == tmp_path / "home" / "generative_playgrounds" / "weights"


def test_fp16_safetensors_is_half_size_and_generates_the_same_picture(tmp_path):
    source = save_random_official_checkpoint(tmp_path / "latest_net_G.pth", TINY, seed=2)
    converted = weights.convert_to_fp16_safetensors(source)
    assert converted.name == weights.FP16_FILE
    assert converted.stat().st_size < 0.55 * source.stat().st_size
    from safetensors import safe_open

    with safe_open(str(converted), framework="pt") as f:
        assert f.get_tensor("up_3.conv_0.weight_orig").dtype == torch.float16
        assert "generator_config" in f.metadata()
    labels = np.zeros((64, 64), np.uint8)
    labels[:20] = 3
    labels[40:, 10:50] = 10
    full = load_generator(source).generate(labels).astype(int)
    half = load_generator(converted).generate(labels).astype(int)
    assert np.abs(full - half).max() <= 3  # of 255: half-precision weights, same picture
