import pytest

from playground_lib.spade import GeneratorConfig
from playground_lib.train.config import TrainConfig


@pytest.mark.parametrize("cls", [GeneratorConfig, TrainConfig])
def test_misspelt_keys_are_named_with_their_source(cls):
    with pytest.raises(ValueError, match=r"run\.json: unknown setting\(s\) ngff, zz; known: .*ngf"):
        cls.from_dict({"ngff": 16, "zz": 1}, source="run.json")
    assert cls.from_dict({"ngf": 16}).ngf == 16
