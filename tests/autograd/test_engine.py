"""The backward engine: graph structure, backward()/grad() semantics and errors, memory."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

import leafgrad
from leafgrad.autograd.graph import AccumulateGrad

from .test_spec import error_of, same_as_torch


def structure(T):
    """The graph as (name, [(child name, input_nr)]) by a walk over next_functions."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = T.tensor([3.0, 4.0])
    z = (x * y + x).exp().sum()
    out, seen, stack = [], set(), [z.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        kids = [(None if f is None else f.name(), nr) for f, nr in fn.next_functions]
        out.append((fn.name(), kids))
        stack.extend(f for f, _ in fn.next_functions)
    acc = z.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[1][0]
    return {"graph": out, "acc_var_is_x": acc.variable is x, "acc": acc.name()}


def test_graph_structure():
    obs = structure(leafgrad)
    assert obs["acc_var_is_x"] and obs["acc"] == "leafgrad::autograd::AccumulateGrad"
    assert obs["graph"][0] == ("SumBackward0", [("ExpBackward0", 0)])


@pytest.mark.torch
def test_graph_structure_vs_torch(torch):
    same_as_torch(structure, torch)


def test_accumulate_grad_node_is_shared_per_leaf():
    x = leafgrad.ones(2, requires_grad=True)
    a, b = x * 2, x * 3
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]
    assert isinstance(a.grad_fn.next_functions[0][0], AccumulateGrad)


def grad_api(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([3.0, 4.0], requires_grad=True)
    y = (x * x * w).sum()
    gx, gw = T.autograd.grad(y, (x, w), retain_graph=True)
    obs = {"gx": gx.tolist(), "gw": gw.tolist(), "x_grad_untouched": x.grad is None}
    unused = T.tensor(1.0, requires_grad=True)
    obs["unused_err"] = error_of(lambda: T.autograd.grad(y, [x, unused], retain_graph=True))
    obs["allow_unused"] = T.autograd.grad(y, [x, unused], retain_graph=True,
                                          allow_unused=True)[1]
    obs["materialize"] = T.autograd.grad(y, [unused], retain_graph=True,
                                         materialize_grads=True)[0].item()
    obs["no_grad_input"] = error_of(lambda: T.autograd.grad(y, [T.ones(1)], retain_graph=True))
    obs["no_grad_output"] = error_of(lambda: T.autograd.grad(T.ones(1).sum(), [x]))
    obs["shape_err"] = error_of(lambda: T.autograd.grad(x * 2, [x], T.ones(3)))
    obs["count_err"] = error_of(lambda: T.autograd.grad([x * 2, x * 3], [x], [T.ones(2)]))
    obs["nonleaf_input"] = T.autograd.grad(y, [x * 1], retain_graph=True, allow_unused=True)[0]
    m = x * 2
    obs["mid"] = T.autograd.grad((m * m).sum(), [m])[0].tolist()
    return obs


def test_grad_api():
    obs = grad_api(leafgrad)
    assert obs["gx"] == [6.0, 16.0] and obs["gw"] == [1.0, 4.0]
    assert obs["x_grad_untouched"]
    assert obs["unused_err"] == (
        "RuntimeError: The differentiated Tensor at index 1 appears to not have been used in "
        "the graph. Set allow_unused=True if this is the desired behavior."
    )
    assert obs["count_err"] == "RuntimeError: got 2 tensors and 1 gradients"
    assert obs["allow_unused"] is None and obs["materialize"] == 0.0
    assert obs["no_grad_input"] == ("RuntimeError: One of the differentiated Tensors does not "
                                    "require grad")
    assert obs["no_grad_output"] == ("RuntimeError: element 0 of tensors does not require grad "
                                     "and does not have a grad_fn")
    assert obs["mid"] == [4.0, 8.0]


@pytest.mark.torch
def test_grad_api_vs_torch(torch):
    same_as_torch(grad_api, torch)


def backward_api(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    obs = {"x": x.grad.tolist(), "w_none": w.grad is None}
    T.autograd.backward([(x * 2).sum(), (w * 3).sum()])
    obs["both"] = [x.grad.tolist(), w.grad.tolist()]
    m = x * 3
    (m * m).sum().backward(inputs=[m])
    obs["nonleaf_input"] = m.grad.tolist()
    obs["empty_inputs"] = error_of(lambda: (x * 2).sum().backward(inputs=[]))
    obs["shape_err"] = error_of(lambda: (x * 2).backward(T.ones(3)))
    return obs


def test_backward_api():
    obs = backward_api(leafgrad)
    assert obs["x"] == [3.0, 4.0] and obs["w_none"]
    assert obs["both"] == [[5.0, 6.0], [3.0, 3.0]]
    assert obs["nonleaf_input"] == [6.0, 12.0]
    assert obs["shape_err"] == ("RuntimeError: Mismatch in shape: grad_output[0] has a shape of "
                                "leafgrad.Size([3]) and output[0] has a shape of "
                                "leafgrad.Size([2]).")


@pytest.mark.torch
def test_backward_api_vs_torch(torch):
    same_as_torch(backward_api, torch)


def higher_order(T):
    x = T.tensor([0.5, 1.5], requires_grad=True)
    y = (x**3).sum()
    (g,) = T.autograd.grad(y, x, create_graph=True)
    obs = {"g": g.tolist(), "g_rg": g.requires_grad}
    (gg,) = T.autograd.grad(g.sum(), x, create_graph=True)
    (ggg,) = T.autograd.grad(gg.sum(), x)
    obs.update(gg=gg.tolist(), ggg=ggg.tolist())
    z = (x.tanh() * x).sum()
    z.backward(create_graph=True)
    obs["grad_has_graph"] = x.grad.requires_grad
    return obs


def test_higher_order():
    obs = higher_order(leafgrad)
    assert obs["g"] == [0.75, 6.75] and obs["g_rg"]
    assert obs["gg"] == [3.0, 9.0] and obs["ggg"] == [6.0, 6.0]
    assert obs["grad_has_graph"]


@pytest.mark.torch
def test_higher_order_vs_torch(torch):
    same_as_torch(higher_order, torch)


def test_long_chain_has_no_recursion():
    x = leafgrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a 100k-node chain must not recurse either
    y = x
    for _ in range(100_000):
        y = (y * 1.0).exp()  # each node also holds a saved tensor of the one before
    del y


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = leafgrad.randn(3, requires_grad=True)
        y = (x.exp() * x).tanh().sum()
        node_ref = weakref.ref(y.grad_fn)
        out_ref = weakref.ref(y)
        del y
        assert out_ref() is None and node_ref() is None  # freed by refcounting alone
        y = (x * x).sum()
        y.backward()
        node_ref = weakref.ref(y.grad_fn)
        del y
        assert node_ref() is None
    finally:
        gc.enable()


def test_saved_values_freed_by_backward():
    x = leafgrad.randn(1000, requires_grad=True)
    y = x.exp()
    before = sys.getrefcount(y._data)
    loss = (y * y).sum()
    node = loss.grad_fn.next_functions[0][0]
    assert node._saved is not None
    loss.backward()
    assert node._saved is None
    assert sys.getrefcount(y._data) <= before


def test_grad_of_one_leaf_is_private():
    # d(x + x)/dx: the same gradient tensor reaches the accumulator twice; .grad must not
    # alias a tensor that is accumulated into later.
    x = leafgrad.ones(2, requires_grad=True)
    w = leafgrad.ones(2, requires_grad=True)
    (x + w).sum().backward()
    x.grad.zero_()
    assert w.grad.tolist() == [1.0, 1.0]
    g = leafgrad.ones(2)
    y = x * 1.0
    y.backward(g)
    x.grad.zero_()
    assert g.tolist() == [1.0, 1.0]  # the user's gradient is never written into



def test_unshared_gradient_becomes_grad_without_a_copy(monkeypatch):
    # A vjp's fresh array that nothing else holds is handed to .grad as it is (a copy of a
    # big gradient costs a pass over memory); one that another node also received is copied.
    seen = []
    accumulate = AccumulateGrad.accumulate

    def spy(self, grad, owned):
        seen.append((self.variable, owned))
        accumulate(self, grad, owned)

    monkeypatch.setattr(AccumulateGrad, "accumulate", spy)
    x, w, b = (leafgrad.randn(64, requires_grad=True) for _ in range(3))
    ((x * w + b).tanh() * x).pow(2).mean().backward()
    owned = {id(t): o for t, o in seen}
    assert owned[id(w)]  # a product made for w alone
    assert owned[id(x)]  # the sum of x's two gradients, made in its buffer
    # the add's vjp hands b the same array as the pending product node: b gets a copy
    assert not owned[id(b)]

def test_node_hooks():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.grad_fn.register_prehook(lambda gout: seen.append(("pre", gout[0].tolist())))
    h = y.grad_fn.register_hook(lambda gin, gout: (gin[0] * 10,))
    y.sum().backward(retain_graph=True)
    assert seen == [("pre", [1.0, 1.0])] and x.grad.tolist() == [30.0, 30.0]
    h.remove()
    x.grad = None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    y.grad_fn.metadata["note"] = 1
    assert y.grad_fn.metadata == {"note": 1}


def test_tensor_hooks_and_retain_grad():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    m = x * 2
    m.retain_grad()
    handle = m.register_hook(lambda g: g * 0.5)
    x.register_hook(lambda g: g + 1)
    acc = []
    x.register_post_accumulate_grad_hook(lambda t: acc.append(t.grad.tolist()))
    (m * m).sum().backward()
    assert m.retains_grad and m.grad.tolist() == [2.0, 4.0]
    assert x.grad.tolist() == [5.0, 9.0] and acc == [[5.0, 9.0]]
    handle.remove()


def hooks_scenario(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    m = x * 2
    m.retain_grad()
    m.register_hook(lambda g: g * 0.5)
    x.register_hook(lambda g: g + 1)
    (m * m).sum().backward()
    return {"m": m.grad.tolist(), "x": x.grad.tolist()}


@pytest.mark.torch
def test_hooks_vs_torch(torch):
    same_as_torch(hooks_scenario, torch)


def grad_setter(T):
    x = T.ones(2, requires_grad=True)
    return {
        "shape": error_of(lambda: setattr(x, "grad", T.ones(3))),
        "dtype": error_of(lambda: setattr(x, "grad", T.ones(2, dtype=T.float64))),
        "nonleaf_rg": error_of(lambda: setattr(x * 2, "requires_grad", False)),
    }


def test_grad_setter_checks():
    obs = grad_setter(leafgrad)
    assert obs["shape"] == ("RuntimeError: attempting to assign a gradient of size '[3]' to a "
                            "tensor of size '[2]'. Please ensure that the gradient and the "
                            "tensor are the same size")
    assert obs["dtype"].startswith("RuntimeError: attempting to assign a gradient with dtype "
                                   "'double' to a tensor with grad_dtype 'Float'.")


@pytest.mark.torch
def test_grad_setter_vs_torch(torch):
    same_as_torch(grad_setter, torch)
