"""Property-based fuzzing of the converters' input: for *any* JSON, success with valid output or exit 2.

Hypothesis takes a good labelme file or COCO file and breaks it: any value replaced by any JSON
value (NaN, infinity, 1e12, a number of 400 digits, a string, a list, a nested object), keys
removed, entries duplicated; or it writes JSON that was never a labelme or COCO file. Each
command then either succeeds and its output passes our own checks, or exits 2 with one line per
problem, each naming the input file, and writes nothing. Any other exception, a crash or a run
out of memory (the address space is limited while the commands run) fails the test.

Deterministic (``derandomize=True``) and about a minute in all.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from labelme_fixtures import write_labelme_set
from memory_guard import memory_limit

from playground_lib.cli import main
from playground_lib.coco.read import CocoError, check_coco
from playground_lib.datasheet import collect_stats
from playground_lib.labelme.check import read_labelme

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

EXAMPLES = 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written into the repository; the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPECIAL_NUMBERS = [math.nan, math.inf, -math.inf, 1e12, -1e12, 1e308, 10**400, -1, 0, 0.5, 2**31, 2**63]
leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(SPECIAL_NUMBERS)
    | st.text(max_size=6)
    | st.sampled_from(["polygon", "mask", "circle", "!!garbage", "0", "img_0000.png", "../x.png", "__ignore__"])
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _paths(doc, prefix=()) -> list[tuple]:
    """Every place in a JSON document, as a tuple of keys and indexes."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc[:6]):  # the first few entries are enough
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def broken(draw, doc):
    """``doc`` with one to three places replaced, removed or doubled; sometimes any JSON at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        *parents, last = path
        try:
            container = doc
            for key in parents:
                container = container[key]
            action = draw(st.sampled_from(["replace", "replace", "remove", "double"]))
            if action == "replace":
                container[last] = draw(json_values)
            elif action == "remove":
                del container[last]
            elif isinstance(container, list):
                container.append(json.loads(json.dumps(container[last])))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed that place
    return doc


def _run(argv: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    with memory_limit():
        code = main(argv)
    return code, capsys.readouterr().err


def _assert_refusal(err: str, *roots: Path) -> None:
    """Exit 2: a header line, then one line per problem, each naming a file under one of ``roots``."""
    lines = err.strip().splitlines()
    assert lines and lines[0].startswith("playground "), err
    problems = lines[1:] if "problem(s) found" in lines[0] else [lines[0].split(": ", 1)[1]]
    for line in problems:
        assert line.startswith(tuple(str(root) for root in roots)) or line.startswith("... and "), err


@pytest.fixture(scope="module")
def good_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_good")
    write_labelme_set(folder, 3, size=(24, 32), seed=5)
    return folder


@pytest.fixture(scope="module")
def good_coco(good_folder, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("fuzz_coco") / "coco.json"
    assert main(["labelme2coco", str(good_folder), str(out), "--quiet"]) == 0
    return json.loads(out.read_text())


@FUZZ
@given(data=st.data())
def test_labelme2coco_on_any_json(good_folder, capsys, data):
    original = json.loads((good_folder / "img_0001.json").read_text())
    doc = data.draw(broken(original))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "labelme"
        shutil.copytree(good_folder, folder)
        (folder / "img_0001.json").write_text(json.dumps(doc))
        out = Path(tmp) / "out" / "coco.json"
        code, err = _run(["labelme2coco", str(folder), str(out), "--quiet", "--allow-outside"], capsys)
        assert code in (0, 2), err
        event(f"labelme2coco exit {code}")
        if code == 2:
            _assert_refusal(err, folder)
            assert not (Path(tmp) / "out").exists()
            return
        coco = json.loads(out.read_text())
        on_disk = {**coco, "images": [i for i in coco["images"] if not i.get("embedded")]}
        on_disk["annotations"] = [
            a for a in coco["annotations"] if a["image_id"] in {i["id"] for i in on_disk["images"]}
        ]
        images, problems = check_coco(on_disk, folder, str(out))
        assert not problems and len(images) == len(on_disk["images"])


@FUZZ
@given(data=st.data())
def test_coco_commands_on_any_json(good_folder, good_coco, capsys, data):
    doc = data.draw(broken(good_coco))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        coco = tmp / "coco.json"
        coco.write_text(json.dumps(doc))
        for command in ("coco2spade", "coco2labelme"):
            out = tmp / command
            code, err = _run([command, str(coco), str(good_folder), str(out), "--quiet"], capsys)
            assert code in (0, 2), err
            event(f"{command} exit {code}")
            if code == 2:
                _assert_refusal(err, coco, good_folder)
                assert not out.exists()
            elif command == "coco2spade":
                dataset = json.loads((out / "dataset.json").read_text())
                assert len(list((out / "labels").glob("*.png"))) == dataset["counts"]["images"]
            else:
                for path in out.glob("*.json"):
                    read_labelme(path, allow_outside=True)
        # The datasheet's counting (what reads the input; its plot is slow and reads nothing): stats or CocoError.
        with memory_limit():
            try:
                stats = collect_stats(coco, progress=False)
            except CocoError as exc:
                assert exc.problems and all(line.startswith(str(coco)) for line in exc.problems)
            else:
                assert stats.images == len(doc["images"])
