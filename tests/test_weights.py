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


@pytest.fixture(autouse=True)
def tiny_plays_the_official_generator(monkeypatch):
    """The tests' archives hold a small generator (ngf 4): the structure checks expect its shape."""
    monkeypatch.setattr(weights, "OFFICIAL_CONFIG", TINY)


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
    assert "no official hash is recorded yet" in capsys.readouterr().out
    assert weights.hash_path(path).read_text() == f"{weights.sha256_file(path)}  latest_net_G.pth\n"
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
    monkeypatch.setattr(weights, "download_archive", lambda dest, **kw: seen.append(dest) or real(dest, **kw))
    path = weights.ensure_official_weights()
    assert path.is_relative_to(drive)
    assert seen[0].is_relative_to(tmp_path / "local")


def test_offline_gives_a_clear_message(tmp_path, monkeypatch):
    import gdown

    def offline(**kwargs):
        raise ConnectionError("Failed to resolve 'drive.google.com'")

    monkeypatch.setattr(gdown, "download", offline)
    with pytest.raises(weights.WeightsUnavailable, match="offline.*--weights PATH"):
        weights.ensure_official_weights(cache=tmp_path / "cache", names=weights.CLI_NAMES)
    with pytest.raises(weights.WeightsUnavailable, match="offline.*PLAYGROUND_SPADE_WEIGHTS to where it is"):
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


def test_the_official_generators_structure_is_pinned(monkeypatch):
    """151 input channels (150 ADE20K classes + other, no instance edges), ngf 64, 96.5 M parameters."""
    from playground_lib.spade.config import OFFICIAL_ADE20K
    from playground_lib.spade.model import SPADEGenerator, count_parameters

    monkeypatch.undo()
    assert weights.OFFICIAL_CONFIG == OFFICIAL_ADE20K
    assert (OFFICIAL_ADE20K.label_nc, OFFICIAL_ADE20K.instance_edges, OFFICIAL_ADE20K.ngf) == (151, False, 64)
    generator = SPADEGenerator(OFFICIAL_ADE20K)
    assert count_parameters(generator) == weights.OFFICIAL_GENERATOR_PARAMETERS == 96_492_483
    assert tuple(generator.state_dict()["fc.weight"].shape) == (1024, 151, 3, 3)
    assert weights.structure_digest(generator.state_dict()) == weights.OFFICIAL_STRUCTURE_SHA256
    float_bytes = 4 * sum(v.numel() for v in generator.state_dict().values() if v.is_floating_point())
    assert float_bytes < weights.MAX_GENERATOR_BYTES < 1.1 * float_bytes


def test_a_wrong_official_hash_keeps_nothing_even_on_the_second_call(tmp_path, tiny_checkpoint, monkeypatch):
    monkeypatch.setattr(weights, "OFFICIAL_GENERATOR_SHA256", "0" * 64)
    archive = _official_archive(tmp_path / "mine.tar.gz", tiny_checkpoint)
    for _ in range(2):
        with pytest.raises(weights.WeightsUnavailable, match="does not match the official generator"):
            weights.ensure_official_weights(archive, cache=tmp_path / "c")
        assert list((tmp_path / "c").rglob("latest_net_G*")) == []


def test_a_cached_file_damaged_later_is_deleted_and_downloaded_again(tmp_path, fake_drive, capsys):
    cache = tmp_path / "cache"
    path = weights.ensure_official_weights(cache=cache)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: still a loadable file, but not the one downloaded
    path.write_bytes(bytes(data))
    assert weights.cached_generator(cache) is None
    assert "recorded in latest_net_G.pth.sha256" in capsys.readouterr().out
    assert not path.exists() and not weights.hash_path(path).exists()
    assert weights.ensure_official_weights(cache=cache) == path and len(fake_drive) == 2
    assert weights.cached_generator(cache) == path


def test_an_archive_with_another_generator_keeps_nothing(tmp_path):
    other = save_random_official_checkpoint(tmp_path / "src" / "latest_net_G.pth", GeneratorConfig(ngf=8), seed=3)
    archive = _official_archive(tmp_path / "other.tar.gz", other)
    with pytest.raises(weights.WeightsUnavailable, match="ngf=8.*not the official ADE20K one"):
        weights.ensure_official_weights(archive, cache=tmp_path / "c")
    assert list((tmp_path / "c").rglob("*")) in ([], [tmp_path / "c" / "ade20k_pretrained"])
    pickle_bomb = tmp_path / "bomb" / "latest_net_G.pth"
    pickle_bomb.parent.mkdir()
    pickle_bomb.write_bytes(b"not a torch file at all")
    with pytest.raises(weights.WeightsUnavailable, match=r"latest_net_G\.pth: not a readable PyTorch weights file"):
        weights.extract_generator(_official_archive(tmp_path / "bomb.tar.gz", pickle_bomb), tmp_path / "c2")
    assert not (tmp_path / "c2" / "latest_net_G.pth").exists()


def test_size_caps(tmp_path, tiny_checkpoint, fake_drive, monkeypatch):
    archive = _official_archive(tmp_path / "mine.tar.gz", tiny_checkpoint)
    monkeypatch.setattr(weights, "MAX_GENERATOR_BYTES", tiny_checkpoint.stat().st_size - 1)
    with pytest.raises(weights.WeightsUnavailable, match="more than the official generator's 386 MB"):
        weights.extract_generator(archive, tmp_path / "c")
    assert not (tmp_path / "c").exists() or list((tmp_path / "c").iterdir()) == []  # not even a temporary file
    monkeypatch.setattr(weights, "MAX_ARCHIVE_BYTES", 1000)
    with pytest.raises(weights.WeightsUnavailable, match="more than NVlabs' checkpoints.tar.gz can be"):
        weights.ensure_official_weights(cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / weights.ARCHIVE_NAME).exists()


def test_fp16_copy_is_checked_like_the_original_and_an_old_cache_gets_a_record(tmp_path, capsys):
    folder = tmp_path / "ade20k_pretrained"
    original = save_random_official_checkpoint(folder / weights.GENERATOR_FILE, TINY, seed=4)
    assert weights.cached_generator(tmp_path) == original  # cached before hashes were recorded
    assert weights.hash_path(original).is_file()
    half = weights.convert_to_fp16_safetensors(original)
    assert weights.cached_generator(tmp_path) == half and weights.hash_path(half).is_file()
    half.write_bytes(half.read_bytes()[:-10])
    assert weights.cached_generator(tmp_path) == original  # the damaged copy goes, the original serves
    assert not half.exists() and "was damaged" in capsys.readouterr().out


def _cached_with_matching_record(cache, data: bytes, name=weights.GENERATOR_FILE):
    """A file in the cache whose .sha256 record matches it: the record alone proves nothing about the file."""
    path = cache / "ade20k_pretrained" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    weights.record_hash(path)
    return path


class _Payload:
    """Unpickling this would run code: weights_only loading must refuse it, and the cache must delete it."""

    def __reduce__(self):
        return (print, ("unpickled code ran",))


def test_a_cached_file_with_a_matching_record_is_still_checked_for_structure(tmp_path, capsys):
    other = save_random_official_checkpoint(tmp_path / "export.pth", GeneratorConfig(ngf=8), seed=5)
    wrong = _cached_with_matching_record(tmp_path / "c1", other.read_bytes())
    assert weights.cached_generator(tmp_path / "c1") is None
    assert not wrong.exists() and not weights.hash_path(wrong).exists()
    assert "not the official ADE20K one" in capsys.readouterr().out


def test_a_wrong_structure_fp16_copy_with_a_record_is_deleted_and_the_original_serves(tmp_path):
    original = save_random_official_checkpoint(tmp_path / "ade20k_pretrained" / weights.GENERATOR_FILE, TINY, seed=6)
    weights.record_hash(original)
    other = save_random_official_checkpoint(tmp_path / "other.pth", GeneratorConfig(ngf=8), seed=7)
    half = weights.convert_to_fp16_safetensors(other, tmp_path / "ade20k_pretrained" / weights.FP16_FILE)
    assert weights.hash_path(half).is_file()  # recorded as if it were ours
    assert weights.cached_generator(tmp_path) == original
    assert not half.exists()


@pytest.mark.parametrize("name", [weights.GENERATOR_FILE, weights.FP16_FILE])
def test_garbage_or_a_pickle_payload_with_a_matching_record_is_deleted(tmp_path, name, capsys):
    payload = io.BytesIO()
    torch.save({"fc.weight": _Payload()}, payload)
    for number, data in enumerate([b"garbage, not weights" * 50, payload.getvalue()]):
        cache = tmp_path / f"c{number}"
        path = _cached_with_matching_record(cache, data, name)
        assert weights.cached_generator(cache) is None
        assert not path.exists() and not weights.hash_path(path).exists()
        out = capsys.readouterr().out
        assert "It was deleted" in out and "unpickled code ran" not in out
        assert "Traceback" not in out and "weights_only" not in out and len(out.splitlines()) == 1
    assert name.endswith(".safetensors") or "could run code" in out  # the last one was the pickle payload


def test_a_failed_read_deletes_nothing_and_a_refused_memory_map_is_read_instead(tmp_path, monkeypatch, capsys):
    """Drive's file system can fail a read or refuse a mapping: neither says the kept file is bad."""
    folder = tmp_path / "ade20k_pretrained"
    kept = save_random_official_checkpoint(folder / weights.GENERATOR_FILE, TINY, seed=8)
    weights.record_hash(kept)
    real_load = torch.load

    def no_mapping(*args, mmap=None, **kwargs):
        if mmap:
            raise RuntimeError("mmap failed on this file system")
        return real_load(*args, mmap=mmap, **kwargs)

    monkeypatch.setattr(torch, "load", no_mapping)
    assert weights.cached_generator(tmp_path) == kept

    def io_error(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(torch, "load", io_error)
    assert weights.cached_generator(tmp_path) is None
    assert kept.is_file() and weights.hash_path(kept).is_file()
    assert "could not be read (Input/output error). It was left as it is" in capsys.readouterr().out
