"""The main job (make demo) runs end to end, offline, and writes the pictures it lists."""

from playground_lib.cli import main


def test_demo_quick_writes_every_stage(tmp_path):
    assert main(["demo", "--quick", "--out", str(tmp_path)]) == 0
    demo = tmp_path / "demo"
    index = (demo / "index.md").read_text()
    pictures = [line[line.index("](") + 2 : -1] for line in index.splitlines() if line.startswith("![")]
    assert len(pictures) >= 6
    for rel in pictures:
        path = demo / rel
        assert path.is_file() and path.stat().st_size > 1000, rel
    assert (demo / "coco.json").is_file() and (demo / "spade" / "dataset.json").is_file()
    assert len(list((demo / "generated").glob("*.png"))) == 3
    assert "## Time per stage" in index
