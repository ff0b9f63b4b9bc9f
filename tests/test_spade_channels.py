"""ADE20K values -> generator input channels, and moving weights between a class list and the official layout."""

import numpy as np
import torch

from playground_lib.spade.channels import FULL_NC, compact_state_dict, expand_state_dict, value_to_channel

torch.set_num_threads(1)


def test_value_to_channel_is_the_identity_without_a_class_list_and_other_for_values_left_out():
    assert np.array_equal(value_to_channel(None), np.arange(FULL_NC))
    table = value_to_channel([0, 3, 9, 47])
    assert table.shape == (FULL_NC,) and table.dtype == np.int64
    assert table[[0, 3, 9, 47]].tolist() == [0, 1, 2, 3]
    assert table[100] == 0 and table[150] == 0


def test_expanding_a_compact_generator_changes_nothing():
    from playground_lib.spade import GeneratorConfig, SPADEGenerator, one_hot

    classes = [0, 3, 9, 47]
    torch.manual_seed(0)
    compact = SPADEGenerator(GeneratorConfig(label_nc=4, ngf=4, crop_size=32)).eval()
    full = SPADEGenerator(GeneratorConfig(label_nc=151, ngf=4, crop_size=32)).eval()
    full.load_state_dict(expand_state_dict(compact.state_dict(), classes))
    raw = torch.tensor([0, 3, 9, 47, 100])[torch.randint(0, 5, (1, 32, 32))]  # 100: not in the compact list
    lookup = torch.zeros(151, dtype=torch.long)
    lookup[torch.tensor(classes)] = torch.arange(4)
    with torch.no_grad():
        assert torch.allclose(full(one_hot(raw, 151)), compact(one_hot(lookup[raw], 4)), atol=1e-5)
    back = compact_state_dict(full.state_dict(), classes)
    assert all(torch.equal(back[k], v) for k, v in compact.state_dict().items())
