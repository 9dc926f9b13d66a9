"""copy.deepcopy of tensors and models, as PyTorch allows it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import leafgrad

from .autograd.test_spec import error_of, normalise


def _deepcopy(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    x.grad = T.tensor([0.5, 0.5])
    z = copy.deepcopy(x)
    z.data.add_(1)
    model = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU())
    m2 = copy.deepcopy(model)
    with T.no_grad():
        m2[0].weight.fill_(0.0)
    return {
        "copy": [z.tolist(), z.requires_grad, z.is_leaf, z.grad.tolist(), x.tolist()],
        "model": [repr(m2), float(model[0].weight.abs().sum()) > 0,
                  m2[0].weight.abs().sum().item(), m2[0].weight.requires_grad],
        "non_leaf": error_of(lambda: copy.deepcopy(x * 2)),
    }


def test_deepcopy():
    obs = _deepcopy(leafgrad)
    assert obs["copy"] == [[2.0, 3.0], True, True, [0.5, 0.5], [1.0, 2.0]]


@pytest.mark.torch
def test_deepcopy_vs_torch(torch):
    assert normalise(_deepcopy(leafgrad)) == normalise(_deepcopy(torch))


def test_deepcopy_keeps_shared_tensors_shared():
    a = leafgrad.ones(3)
    pair = copy.deepcopy([a, a])
    assert pair[0] is pair[1]
    np.testing.assert_array_equal(pair[0].numpy(), np.ones(3))
