"""The picture-quality measures tell stripes, blur and wrong colours apart, on constructed images."""

from __future__ import annotations

import pytest
import torch

from playground_lib.train.quality import (
    class_mean_painting,
    class_statistics_distance,
    gradient_energy_ratio,
    gradient_energy_ratio_by_class,
    paired_l1,
    quality_figures,
    unseen_layouts,
)


@pytest.fixture(scope="module")
def scenes():
    return unseen_layouts(3, 64)


def _striped(images: torch.Tensor, amplitude: float = 0.3) -> torch.Tensor:
    stripes = torch.zeros_like(images)
    stripes[..., ::2] = amplitude  # every other column brighter: the artefact of an undertrained generator
    return (images + stripes).clamp(-1, 1)


def _blurred(images: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.avg_pool2d(images, 5, stride=1, padding=2, count_include_pad=False)


def test_gradient_energy_ratio_is_one_for_the_scenes_above_for_stripes_below_for_blur(scenes):
    reals, _ = scenes
    assert gradient_energy_ratio(reals, reals) == pytest.approx(1.0)
    assert gradient_energy_ratio(_striped(reals), reals) > 1.5
    assert gradient_energy_ratio(_blurred(reals), reals) < 0.7


def test_gradient_energy_ratio_by_class_finds_stripes_confined_to_one_class(scenes):
    reals, labels = scenes
    value = int(labels.flatten().mode().values)  # the largest class
    striped = torch.where((labels == value)[:, None], _striped(reals), _blurred(reals))
    ratios = gradient_energy_ratio_by_class(striped, reals, labels)
    assert ratios[value] > 1.5 and min(ratios.values()) < 1
    assert gradient_energy_ratio_by_class(reals, reals, labels) == pytest.approx(dict.fromkeys(ratios, 1.0))


def test_class_statistics_distance_is_zero_for_identical_sets_and_grows_with_stripes_and_wrong_colours(scenes):
    reals, labels = scenes
    assert class_statistics_distance(reals, reals, labels) == pytest.approx(0.0, abs=1e-9)
    striped = class_statistics_distance(_striped(reals), reals, labels)
    assert striped > 0.01
    recoloured = reals.flip(1)  # red and blue swapped: right texture, wrong colours
    assert class_statistics_distance(recoloured, reals, labels) > 0.01
    assert class_statistics_distance(_striped(reals, 0.6), reals, labels) > striped  # stronger stripes: farther
    # a flat colour per class has the right means but neither the scenes' variety of colours nor their texture
    assert class_statistics_distance(class_mean_painting(reals, labels), reals, labels) > 0.01


def test_paired_l1_of_the_class_mean_painting_is_its_spread_and_figures_gather_everything(scenes):
    reals, labels = scenes
    flat = class_mean_painting(reals, labels)
    for value in labels.unique():  # one colour per class, the class's average
        pixels = flat.permute(0, 2, 3, 1)[labels == value]
        assert torch.allclose(pixels, pixels[0].expand_as(pixels))
    assert paired_l1(reals, reals) == 0
    assert 0 < paired_l1(flat, reals) < paired_l1(-reals, reals)
    figures = quality_figures(flat, reals, labels)
    assert figures["paired_l1"] == figures["paired_l1_class_mean_painting"]
    assert figures["images"] == 3 and figures["size"] == 64


def test_measures_name_what_is_wrong_with_their_input(scenes):
    reals, labels = scenes
    with pytest.raises(ValueError, match="same shape"):
        gradient_energy_ratio(reals[:2], reals)
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        paired_l1(reals[:, :1], reals[:, :1])
    with pytest.raises(ValueError, match="labels"):
        class_statistics_distance(reals, reals, labels[:, :10])
