import numpy as np
import pytest

from playground_lib import labels as L


def test_full_ade20k_table_and_known_entries():
    classes = L.ade20k_classes()
    assert len(classes) == 150
    assert classes[0].name == "wall" and classes[0].color == (120, 120, 120)
    assert L.class_name(3) == "sky" and L.palette()[3].tolist() == [6, 230, 230]
    assert L.class_name(109) == "plaything" and L.class_name(150) == "flag"
    assert L.palette()[0].tolist() == [0, 0, 0]


def test_schema_has_every_playground_class_with_its_ade_value():
    by_name = {c.name: c.ade20k_value for c in L.playground_classes()}
    for name in (
        "sky",
        "tree",
        "grass",
        "sand",
        "earth",
        "path",
        "fence",
        "railing",
        "pole",
        "bench",
        "person",
        "plaything",
        "plant",
        "flower",
        "water",
        "rock",
        "building",
        "hill",
    ):
        assert L.class_name(by_name[name]) == name
    assert by_name["grass"] == 10 and by_name["sand"] == 47 and by_name["plaything"] == 109


def test_aliases_and_unknown_labels():
    assert L.ade20k_value("Slide") == L.ade20k_value("plaything")
    assert L.ade20k_value("ground") == L.ade20k_value("earth")
    assert L.ade20k_value("climbing_frame") == 109
    assert L.ade20k_value("_background_") == 0
    with pytest.raises(KeyError, match="unicorn"):
        L.ade20k_value("unicorn")


def test_colour_round_trip_for_every_value_except_the_shared_colour():
    values = np.arange(151, dtype=np.uint8).reshape(1, -1)
    back = L.colors_to_labels(L.labels_to_colors(values))
    differs = np.nonzero(back[0] != values[0])[0].tolist()
    assert differs == [49], "only skyscraper (49) shares its colour with road (7)"
    assert back[0, 49] == 7  # road wins


def test_unknown_colour_is_reported():
    img = np.zeros((2, 2, 3), np.uint8)
    img[0, 0] = (1, 2, 3)
    with pytest.raises(ValueError, match=r"\(1, 2, 3\)"):
        L.colors_to_labels(img)
    with pytest.raises(ValueError):
        L.labels_to_colors(np.array([[151]]))


def test_value_or_other_names_unknown_labels_other_where_ade20k_value_refuses():
    assert L.value_or_other("Tree") == L.ade20k_value("tree") != L.OTHER
    assert L.value_or_other("ground") == L.ade20k_value("earth")  # an alias
    with pytest.raises(KeyError, match="unicorn"):
        L.ade20k_value("unicorn")
    assert L.value_or_other("unicorn") == L.OTHER
