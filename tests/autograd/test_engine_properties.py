"""Properties of the graph and the engine, each checked against PyTorch where PyTorch has
an observable equivalent: deep graphs backpropagate without recursion, a dropped graph
is freed by reference counting alone (no cycles), backward frees saved values unless
``retain_graph``, grad modes are thread-local and behave as call / context manager /
decorator, and ``Variable`` is the legacy alias of Tensor (SPEC 22)."""

from __future__ import annotations

import gc
import sys
import threading
import time
import warnings
import weakref

import numpy as np
import pytest

import leafgrad


@pytest.fixture(scope="module")
def torch():
    """The oracle (module-scoped; skips where it is not installed)."""
    return pytest.importorskip("torch")


def error_of(fn) -> str | None:
    """``TypeName: first line of the message`` (PyTorch's ``torch`` read as leafgrad)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001 - the observation is the exception itself
        return f"{type(e).__name__}: {str(e).splitlines()[0]}".replace("torch", "leafgrad")
    return None


class gc_disabled:
    """Run a block with the cyclic garbage collector off: only refcounts free objects."""

    def __enter__(self):
        gc.collect()
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


# -- deep graphs --------------------------------------------------------------------------
CHAIN = 100_000


def test_chain_of_100k_ops_backpropagates():
    limit = sys.getrecursionlimit()
    x = leafgrad.tensor(1.5, requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(CHAIN):
        y = y * 1.0
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad.item() == 1.0
    assert sys.getrecursionlimit() == limit  # not raised behind our back
    # about 1-2 s here; generous for a loaded 2-core machine
    assert elapsed < 20, f"100k-op chain took {elapsed:.1f}s"
    del y  # freeing a 100k-node chain must not recurse either


def test_chain_with_saved_tensors_and_create_graph():
    x = leafgrad.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(5_000):
        y = (y * 1.0).sin()  # every node holds the tensor before it
    (g,) = leafgrad.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and np.isfinite(g.item())
    del g, y


def test_deep_chain_matches_torch(torch):
    def run(T):
        x = T.tensor([0.3, -0.2], dtype=T.float64, requires_grad=True)
        y = x
        for i in range(3000):
            y = y * 0.999 + 0.001 if i % 2 else y.sin() + y * 0.5
        y.sum().backward()
        return x.grad.tolist()

    np.testing.assert_allclose(run(leafgrad), run(torch), rtol=1e-9)


def test_wide_graph_many_uses_of_one_tensor(torch):
    def run(T):
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        total = x * 0
        for i in range(2000):
            total = total + x * (i % 7)
        total.sum().backward()
        return x.grad.tolist()

    assert run(leafgrad) == run(torch)


# -- no reference cycles ------------------------------------------------------------------
def build(T, x):
    h = x.exp()
    g = (h * x).tanh()
    loss = (g.sin() + h).sum()
    return loss, h


def test_dropping_the_loss_frees_the_graph():
    x = leafgrad.randn(4, requires_grad=True)
    with gc_disabled():
        loss, h = build(leafgrad, x)
        refs = [weakref.ref(loss), weakref.ref(loss.grad_fn), weakref.ref(h),
                weakref.ref(h.grad_fn), weakref.ref(h._data)]
        nodes = [weakref.ref(n) for n, _ in loss.grad_fn.next_functions if n is not None]
        del loss, h
        assert all(r() is None for r in refs + nodes)
    assert x.grad is None


def test_graph_after_backward_frees_too():
    x = leafgrad.randn(4, requires_grad=True)
    with gc_disabled():
        loss, h = build(leafgrad, x)
        loss.backward()
        refs = [weakref.ref(loss.grad_fn), weakref.ref(h)]
        del loss, h
        assert all(r() is None for r in refs)
    # the leaf and its gradient stay; the AccumulateGrad node does not outlive the graph
    assert x.grad is not None


def test_hooks_and_retain_grad_create_no_cycles():
    x = leafgrad.randn(3, requires_grad=True)
    with gc_disabled():
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 1)
        y.grad_fn.register_hook(lambda gi, go: None)
        z = y.exp().sum()
        refs = [weakref.ref(y), weakref.ref(z.grad_fn), weakref.ref(y.grad_fn)]
        z.backward()
        del y, z
        assert all(r() is None for r in refs)


def test_intermediate_dies_with_the_loss_vs_torch(torch):
    """The same observation on PyTorch: an intermediate tensor's Python object dies with
    the graph once the user's references are gone."""

    def run(T):
        x = T.randn(4, requires_grad=True)
        with gc_disabled():
            loss, h = build(T, x)
            ref = weakref.ref(h)
            del h
            alive_while_loss = ref() is not None
            del loss
            return alive_while_loss, ref() is None

    ours, theirs = run(leafgrad), run(torch)
    assert ours[1] is True and theirs[1] is True


# -- saved values -------------------------------------------------------------------------
def saved_storage(retain: bool):
    """Backward through ``(h * h).sum()``; a weakref to h's storage (saved by the mul)."""
    x = leafgrad.randn(1000, requires_grad=True)
    h = x.exp()
    storage = weakref.ref(h._data)
    loss = (h * h).sum()
    del h
    loss.backward(retain_graph=retain)
    return loss, storage


def test_backward_frees_saved_values():
    with gc_disabled():
        loss, storage = saved_storage(retain=False)
        assert storage() is None  # the loss (and its graph) is still alive
        del loss


def test_retain_graph_keeps_saved_values():
    with gc_disabled():
        loss, storage = saved_storage(retain=True)
        assert storage() is not None
        loss.backward()  # a second backward works, and frees
        assert storage() is None
        del loss


def test_autograd_grad_frees_saved_values():
    with gc_disabled():
        x = leafgrad.randn(100, requires_grad=True)
        h = x.exp()
        storage = weakref.ref(h._data)
        loss = (h * h).sum()
        del h
        leafgrad.autograd.grad(loss, x)
        assert storage() is None


def freed_access(T, retain: bool):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * x).sum()
    mul = z.grad_fn.next_functions[0][0]
    z.backward(retain_graph=retain)
    return [error_of(lambda: y.grad_fn._saved_result), error_of(lambda: mul._saved_self),
            error_of(lambda: mul._saved_other), error_of(lambda: z.backward()),
            error_of(lambda: T.autograd.grad(z, x))]


@pytest.mark.parametrize("retain", [False, True])
def test_saved_values_after_backward_vs_torch(torch, retain):
    # (leafgrad's message adds a second line naming the node: the first lines match)
    assert freed_access(leafgrad, retain) == freed_access(torch, retain)


def test_saved_leaf_freed_after_backward_vs_torch(torch):
    # a saved *leaf* (an input, not an output) is released by the node too: torch's error
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        return [error_of(lambda: y.grad_fn.next_functions[0][0]._saved_self), x.grad.tolist()]

    assert run(leafgrad) == run(torch)


# -- grad modes ---------------------------------------------------------------------------
def modes(T):
    out = {}
    x = T.ones(2, requires_grad=True)

    def rg():
        return (x * 2).requires_grad

    with T.no_grad():
        out["no_grad"] = (rg(), T.is_grad_enabled())
        with T.enable_grad():
            out["nested_enable"] = rg()
        out["after_nested"] = rg()

    @T.no_grad()
    def f():
        return rg(), T.is_grad_enabled()

    out["decorator"] = f()

    @T.no_grad
    def f2():
        return rg()

    out["decorator_no_parens"] = f2()

    @T.enable_grad
    def f3():
        return rg()

    with T.no_grad():
        out["enable_decorator_no_parens"] = f3()
    T.set_grad_enabled(False)
    out["call_false"] = (rg(), T.is_grad_enabled())
    T.set_grad_enabled(True)
    out["call_true"] = (rg(), T.is_grad_enabled())
    with T.set_grad_enabled(False):
        out["context_false"] = rg()
    out["after_context"] = rg()

    @T.set_grad_enabled(False)
    def h():
        return rg()

    out["set_decorator"] = (T.is_grad_enabled(), h(), T.is_grad_enabled())
    with T.no_grad():
        with T.set_grad_enabled(True):
            out["set_true_in_no_grad"] = rg()
        out["after_set_true"] = rg()
    out["set_bad"] = [error_of(lambda v=v: T.set_grad_enabled(v)) for v in
                      ("a", 1, None, np.bool_(True))]
    out["grad_mode_restored"] = T.is_grad_enabled()

    @T.no_grad()
    def gen():
        yield rg()
        yield rg()

    it = gen()
    first = next(it)
    between = rg()
    out["generator"] = (first, between, next(it))

    def raising():
        with T.no_grad():
            raise ValueError("x")

    error_of(raising)
    out["restored_after_exception"] = T.is_grad_enabled()
    with T.inference_mode():
        y = x * 2
        out["inference"] = (y.requires_grad, T.is_inference_mode_enabled(),
                            T.is_grad_enabled())
        with T.inference_mode(False):
            out["inference_false"] = (rg(), T.is_inference_mode_enabled(), T.is_grad_enabled())
    out["inference_after"] = (T.is_inference_mode_enabled(), T.is_grad_enabled())

    @T.inference_mode()
    def k():
        return rg(), T.is_inference_mode_enabled()

    out["inference_decorator"] = k()

    @T.inference_mode
    def k2():
        return rg()

    out["inference_decorator_no_parens"] = k2()
    with T.no_grad():
        with T.inference_mode(False):
            out["inference_false_in_no_grad"] = (T.is_grad_enabled(),
                                                 T.is_inference_mode_enabled())
    return out


def test_grad_modes_vs_torch(torch):
    ours, theirs = modes(leafgrad), modes(torch)
    assert ours == theirs
    assert leafgrad.is_grad_enabled()


def threads(T):
    x = T.ones(2, requires_grad=True)
    out, res = {}, {}
    entered, release = threading.Event(), threading.Event()

    def worker():
        with T.no_grad():
            res["in_thread"] = (x * 2).requires_grad
            entered.set()
            release.wait(10)
        res["thread_after"] = (x * 2).requires_grad

    th = threading.Thread(target=worker)
    th.start()
    entered.wait(10)
    out["main_while_thread_in_no_grad"] = ((x * 2).requires_grad, T.is_grad_enabled())
    release.set()
    th.join()
    out["thread"] = (res["in_thread"], res["thread_after"])
    with T.no_grad():
        seen = {}
        th = threading.Thread(target=lambda: seen.setdefault(
            "v", ((x * 2).requires_grad, T.is_grad_enabled())))
        th.start()
        th.join()
        out["new_thread_inside_no_grad"] = seen["v"]
        out["main_still_no_grad"] = T.is_grad_enabled()
    T.set_grad_enabled(False)
    try:
        seen = {}
        th = threading.Thread(target=lambda: seen.setdefault("v", T.is_grad_enabled()))
        th.start()
        th.join()
        out["new_thread_after_set_false"] = seen["v"]
    finally:
        T.set_grad_enabled(True)
    return out


def test_grad_mode_is_thread_local_vs_torch(torch):
    assert threads(leafgrad) == threads(torch)
    assert threads(leafgrad) == {
        "main_while_thread_in_no_grad": (True, True), "thread": (False, True),
        "new_thread_inside_no_grad": (True, True), "main_still_no_grad": False,
        "new_thread_after_set_false": True,
    }


def test_backward_in_threads():
    # two threads backpropagating through separate graphs at once
    errors = []

    def work(seed):
        try:
            g = leafgrad.Generator().manual_seed(seed)
            x = leafgrad.randn(50, generator=g, requires_grad=True)
            for _ in range(50):
                y = (x.exp() * x).sum()
                y.backward()
            expected = 50 * (x.detach().exp() * (x.detach() + 1))
            np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-4)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    ths = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    assert not errors, errors


# -- Variable (SPEC 22) -------------------------------------------------------------------
def variables(T):
    V = T.autograd.Variable
    v = V(T.ones(2), requires_grad=True)
    w = V(T.tensor([1.0, 2.0]))
    loss = (v * w).sum()
    loss.backward()
    return {
        "type": type(v).__name__, "is_tensor": isinstance(v, T.Tensor),
        "rg": (v.requires_grad, w.requires_grad, v.is_leaf), "grad": v.grad.tolist(),
        "isinstance": [isinstance(t, V) for t in (T.ones(1), T.ones(1, dtype=T.int64), loss,
                                                  T.nn.Parameter(T.ones(1)))],
        "not_tensors": [isinstance(o, V) for o in (1, [1.0], np.ones(1))],
        "int": error_of(lambda: V(T.ones(2, dtype=T.int64), requires_grad=True)),
        "non_tensor": error_of(lambda: V([1.0, 2.0])),
        "shares": (lambda base: (V(base).add_(1), base.tolist()))(T.zeros(2))[1],
    }


def test_variable_is_the_tensor_alias_vs_torch(torch):
    assert variables(leafgrad) == variables(torch)
