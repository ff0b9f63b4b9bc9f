import numpy as np
import pytest

from playground_lib import fileio


def test_png_round_trips_for_rgb_labels_and_16_bit_instances(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    lab = np.arange(35, dtype=np.uint8).reshape(5, 7)
    ins = (np.arange(35, dtype=np.uint16) * 1000).reshape(5, 7)
    for name, arr in (("rgb.png", rgb), ("lab.png", lab), ("ins.png", ins)):
        fileio.write_png(tmp_path / name, arr)
        back = fileio.read_png(tmp_path / name)
        assert back.dtype == arr.dtype and np.array_equal(back, arr)


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.json"
    fileio.write_json(target, {"v": 1})
    with pytest.raises(RuntimeError), fileio.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text().strip() == '{\n  "v": 1\n}'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_bad_png_inputs_are_named(tmp_path):
    with pytest.raises(ValueError, match="x.png"):
        fileio.write_png(tmp_path / "x.png", np.zeros((2, 2), np.float32))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        fileio.read_png(tmp_path / "broken.png")


def test_resolve_inside_refuses_paths_that_leave_the_folder(tmp_path):
    from playground_lib.paths import resolve_inside

    (tmp_path / "sub").mkdir()
    assert resolve_inside(tmp_path, "sub\\a.png") == (tmp_path / "sub" / "a.png").resolve()
    for bad in ("../a.png", "..\\a.png", "/etc/passwd", "C:\\a.png", "sub/../../a.png"):
        assert resolve_inside(tmp_path, bad) is None, bad
    assert resolve_inside(tmp_path / "sub", "../a.png", root=tmp_path) == (tmp_path / "a.png").resolve()


def test_written_files_get_the_mode_a_plain_open_would_give(tmp_path):
    """A dataset copied to a shared folder must stay readable by others: no owner-only temp modes."""
    import os
    import stat

    from playground_lib.fileio import write_json

    old = os.umask(0o022)
    try:
        fresh = write_json(tmp_path / "fresh.json", {"a": 1})
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.json"
        kept.write_text("{}")
        kept.chmod(0o664)
        write_json(kept, {"b": 2})
        assert stat.S_IMODE(kept.stat().st_mode) == 0o664
    finally:
        os.umask(old)


def test_atomic_folder_is_all_or_nothing_and_gets_mkdirs_mode(tmp_path):
    import os
    import stat

    from playground_lib.fileio import OutputError, atomic_folder

    out = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_folder(out) as build:
        (build / "half.txt").write_text("half")
        raise RuntimeError("stopped half-way")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    old = os.umask(0o027)
    try:
        with atomic_folder(out) as build:
            (build / "a.txt").write_text("a")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750 and [p.name for p in out.iterdir()] == ["a.txt"]
    with pytest.raises(OutputError, match="already exists and is not empty"), atomic_folder(out):
        pass
    with pytest.raises(KeyboardInterrupt), atomic_folder(out, replace=True) as build:
        (build / "b.txt").write_text("b")
        raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["a.txt"]
    with atomic_folder(out, replace=True) as build:
        (build / "b.txt").write_text("b")
    assert [p.name for p in out.iterdir()] == ["b.txt"] and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_folder_replaces_a_folder_whole_or_not_at_all(tmp_path):
    from playground_lib.fileio import atomic_folder

    target = tmp_path / "set"
    with atomic_folder(target, replace=True) as tmp:
        (tmp / "a.txt").write_text("one")
    assert (target / "a.txt").read_text() == "one"
    try:
        with atomic_folder(target, replace=True) as tmp:
            (tmp / "b.txt").write_text("half")
            raise RuntimeError("disconnected")
    except RuntimeError:
        pass
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # the old folder, untouched
    with atomic_folder(target, replace=True) as tmp:
        (tmp / "c.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["c.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]  # no temporary folders left behind
