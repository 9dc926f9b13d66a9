"""Custom autograd Functions (SPEC item 17): leafgrad.autograd.Function as PyTorch's.

Each behaviour is a scenario written once against a torch-shaped module ``T`` that
returns what it observed (values, node names, error type and first line); the
``*_vs_torch`` tests run it on both libraries and compare. The hard-coded expectations
in the plain tests are the values PyTorch 2.13 gives, so they mean something where
PyTorch is not installed.
"""

from __future__ import annotations

import gc
import re
import warnings
import weakref
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad
from leafgrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from leafgrad.autograd.function import once_differentiable

from .test_spec import error_of, normalise, same_as_torch


def addr(s: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x", s)


def fn_names(node) -> list:
    return [None if n is None else n.name() for n, _ in node.next_functions]


def nr(t) -> int:
    """The output index of a non-leaf (``output_nr`` in PyTorch, ``_output_nr`` here)."""
    return t.output_nr if hasattr(t, "output_nr") else t._output_nr


def grads_list(t):
    return None if t.grad is None else t.grad.tolist()


# -- the Functions the scenarios use, made for either library ------------------------------
def my_relu(T):
    class MyReLU(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (x > 0)

    return MyReLU


def my_exp(T):
    class MyExp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)  # an output: saved without a reference cycle
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    return MyExp


def sin_cos(T):
    """Two outputs, two inputs and a non-tensor one: (sin(x) * k, x * y)."""

    class SinMul(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x.sin() * k, x * y

        @staticmethod
        def backward(ctx, ga, gb):
            x, y = ctx.saved_tensors
            return ga * x.cos() * ctx.k + gb * y, gb * x, None

    return SinMul


def cube_setup_context(T):
    class Cube(T.autograd.Function):
        @staticmethod
        def forward(x, scale=1.0):
            return x**3 * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, scale = inputs
            ctx.save_for_backward(x)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g * ctx.scale, None

    return Cube


# 1. The basic Function: values, gradient, node --------------------------------------------
def basic(T):
    MyReLU = my_relu(T)
    x = T.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = MyReLU.apply(x)
    node = y.grad_fn
    obs = {
        "y": y.tolist(), "repr": repr(y), "name": node.name(), "type": type(node).__name__,
        "node_repr": addr(repr(node)), "next": fn_names(node), "leaf": y.is_leaf,
        "needs": node.needs_input_grad, "backward_cls": MyReLU._backward_cls.__name__,
        "saved_is_x": node.saved_tensors[0] is x, "metadata": node.metadata,
        "call": error_of(lambda: node(T.ones(3))),
        "apply": node.apply(T.ones(3)).tolist(),
    }
    y.sum().backward()
    obs["grad"] = x.grad.tolist()
    obs["saved_after"] = error_of(lambda: node.saved_tensors)
    obs["again"] = error_of(lambda: y.sum().backward())
    return obs


def test_basic():
    obs = basic(leafgrad)
    assert obs["y"] == [0.0, 2.0, 3.0] and obs["grad"] == [0.0, 1.0, 1.0]
    assert obs["repr"] == "tensor([0., 2., 3.], grad_fn=<MyReLUBackward>)"
    assert obs["name"] == obs["type"] == obs["backward_cls"] == "MyReLUBackward"
    assert obs["node_repr"] == "<leafgrad.autograd.function.MyReLUBackward object at 0x>"
    assert obs["next"] == ["leafgrad::autograd::AccumulateGrad"]
    assert obs["needs"] == (True,) and obs["saved_is_x"] and obs["leaf"] is False
    assert obs["call"] == "TypeError: 'MyReLUBackward' object is not callable"
    assert obs["saved_after"].startswith("RuntimeError: Trying to backward through the graph")
    assert obs["again"].startswith("RuntimeError: Trying to backward through the graph")



# 2. Several inputs and outputs, non-tensor arguments, retain_graph -----------------------
def multi(T):
    SinMul = sin_cos(T)
    x = T.tensor([0.5, -1.0], requires_grad=True)
    y = T.tensor([2.0, 3.0], requires_grad=True)
    a, b = SinMul.apply(x, y, 2.0)
    obs = {"a": a.tolist(), "b": b.tolist(), "same_node": a.grad_fn is b.grad_fn,
           "nrs": [nr(a), nr(b)], "next": fn_names(a.grad_fn),
           "needs": a.grad_fn.needs_input_grad, "k": a.grad_fn.k}
    (a.sum() + (b * b).sum()).backward(retain_graph=True)
    obs["grads"] = [x.grad.tolist(), y.grad.tolist()]
    b.sum().backward()  # only one output used: the other's gradient is materialized zeros
    obs["grads2"] = [x.grad.tolist(), y.grad.tolist()]
    return obs


def test_multi():
    obs = multi(leafgrad)
    assert obs["same_node"] and obs["nrs"] == [0, 1] and obs["needs"] == (True, True, False)
    assert obs["b"] == [1.0, -3.0]
    gx = [2 * np.cos(0.5) + 2 * 1.0 * 2.0, 2 * np.cos(-1.0) + 2 * -3.0 * 3.0]
    assert np.allclose(obs["grads"][0], gx)



# 3. The setup_context style and how apply binds its arguments ----------------------------
def setup_context_style(T):
    Cube = cube_setup_context(T)
    seen = {}

    class Probe(T.autograd.Function):
        @staticmethod
        def forward(x, y=None, scale=2.0):
            seen["grad_mode_in_forward"] = T.is_grad_enabled()
            return x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen["inputs"] = [type(v).__name__ for v in inputs]
            seen["needs"] = ctx.needs_input_grad
            seen["output_is_tensor"] = isinstance(output, T.Tensor)
            seen["grad_mode_in_setup"] = T.is_grad_enabled()

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, scale=2.0)
    y.sum().backward()
    obs = {"y": y.tolist(), "grad": x.grad.tolist(), "name": y.grad_fn.name()}
    Probe.apply(x, scale=3.0)
    obs.update(seen)
    obs["too_many"] = error_of(lambda: Probe.apply(x, 1, 2, 3))
    obs["unknown"] = error_of(lambda: Probe.apply(x, zz=3))
    obs["twice"] = error_of(lambda: Probe.apply(x, x=x))
    obs["missing"] = error_of(lambda: Probe.apply(y=2))
    z = Cube.apply(x)  # the default is bound into inputs: backward must return two grads
    z.sum().backward()
    obs["grad2"] = x.grad.tolist()
    return obs


def test_setup_context_style():
    obs = setup_context_style(leafgrad)
    assert obs["y"] == [2.0, 16.0] and obs["grad"] == [6.0, 24.0]
    assert obs["inputs"] == ["Tensor", "NoneType", "float"]
    assert obs["needs"] == (True, False, False)
    assert obs["grad_mode_in_forward"] is False and obs["grad_mode_in_setup"] is False
    assert obs["too_many"] == "TypeError: too many positional arguments"



def keyword_arguments(T):
    seen = []

    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y=None, scale=2.0):
            seen.append([y, scale, ctx.needs_input_grad])
            return x * scale

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    class KwOnly(T.autograd.Function):
        @staticmethod
        def forward(x, *, k=1):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, g):
            return g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    obs = {
        "all_keywords": Scale.apply(x, y=None, scale=3.0).tolist(),
        "x_by_name": Scale.apply(x=x).tolist(),
        "gap": error_of(lambda: Scale.apply(x, scale=3.0)),
        "unknown": error_of(lambda: Scale.apply(x, zz=3)),
        "twice": error_of(lambda: Scale.apply(x, x=x)),
        "none": error_of(lambda: Scale.apply()),
        "kw_only": error_of(lambda: KwOnly.apply(x, k=3)),
        "kw_only_default": error_of(lambda: KwOnly.apply(x)),
    }
    obs["seen"] = seen
    return obs


def test_keyword_arguments():
    obs = keyword_arguments(leafgrad)
    assert obs["seen"] == [[None, 3.0, (True, False, False)], [None, 2.0, (True,)]]
    assert obs["gap"] == "TypeError: forward() missing required argument: 'y' (position 1)"
    assert obs["unknown"] == "TypeError: forward() got an unexpected keyword argument 'zz'"
    assert obs["twice"] == "TypeError: forward() got multiple values for argument 'x'"
    assert obs["kw_only_default"] == "TypeError: forward() got an unexpected keyword argument 'k'"



# 4. Non-tensor and integer outputs, materialized gradients ------------------------------
def outputs_of_all_kinds(T):
    seen = []

    class Many(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, 7, x.argmax(), x * 3, None

        @staticmethod
        def backward(ctx, *gs):
            seen.append([None if g is None else [list(g.shape), str(g.dtype), g.tolist()]
                         for g in gs])
            return (gs[0] if gs[0] is not None else gs[3]), None

    x = T.tensor([1.0, 2.0], requires_grad=True)
    obs = {}
    for mat in (True, False):
        outs = Many.apply(x, mat)
        obs[f"kinds{mat}"] = [type(o).__name__ if not isinstance(o, T.Tensor) else
                              [o.requires_grad, o.grad_fn is None, str(o.dtype)] for o in outs]
        obs[f"nrs{mat}"] = [nr(outs[0]), nr(outs[3])]
        outs[3].sum().backward()
    obs["seen"] = seen
    obs["grad"] = x.grad.tolist()

    class Containers(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return [x * 2, x * 3]

        @staticmethod
        def backward(ctx, g):
            return None

    out = Containers.apply(x)
    obs["list_out"] = [type(out).__name__, out[0].requires_grad]

    class Nothing(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return None

        @staticmethod
        def backward(ctx, g):
            return None

    class OneTuple(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2,)

        @staticmethod
        def backward(ctx, g):
            return g

    obs["none_out"] = Nothing.apply(x)
    one = OneTuple.apply(x)
    obs["one_tuple"] = [type(one).__name__, len(one), one[0].grad_fn.name()]
    return obs


def test_outputs_of_all_kinds():
    obs = outputs_of_all_kinds(leafgrad)
    assert obs["kindsTrue"] == [[True, False, "leafgrad.float32"], "int",
                                [False, True, "leafgrad.int64"],
                                [True, False, "leafgrad.float32"], "NoneType"]
    assert obs["seen"][0] == [[[2], "leafgrad.float32", [0.0, 0.0]], None,
                              [[], "leafgrad.int64", 0], [[2], "leafgrad.float32", [1.0, 1.0]],
                              None]
    assert obs["seen"][1] == [None, None, None, [[2], "leafgrad.float32", [1.0, 1.0]], None]
    assert obs["nrsTrue"] == [0, 3] and obs["grad"] == [1.0, 1.0]
    assert obs["list_out"] == ["list", False] and obs["none_out"] is None



# 5. Inputs returned as they are: views; the same output twice ----------------------------
def returned_inputs(T):
    class Id(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Dup(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            return y, y

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 + g2 * 10

    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = Id.apply(x)
    obs = {"is_x": y is x, "view": y._is_view(), "base_is_x": y._base is x,
           "name": y.grad_fn.name(), "version_shared": None}
    y.sum().backward()
    obs["grad"] = x.grad.tolist()
    plain = T.tensor([1.0, 2.0])
    p = Id.apply(plain)
    obs["plain"] = [p is plain, p._is_view(), p.requires_grad]
    with T.no_grad():
        q = Id.apply(x)
    obs["no_grad"] = [q is x, q._is_view(), q.requires_grad]
    plain.zero_()
    obs["version_shared"] = [p._version, p.tolist()]
    nonleaf = x * 1
    r = Id.apply(nonleaf)
    obs["nonleaf"] = [r is nonleaf, r._base is nonleaf, fn_names(r.grad_fn)]
    a, b = Dup.apply(x)
    obs["dup"] = [a is b, nr(a)]
    x.grad = None
    (a.sum() + 3 * b.sum()).backward()
    obs["dup_grad"] = x.grad.tolist()
    return obs


def test_returned_inputs():
    obs = returned_inputs(leafgrad)
    assert obs["is_x"] is False and obs["view"] and obs["base_is_x"]
    assert obs["grad"] == [2.0, 2.0]
    assert obs["plain"] == [False, True, False] and obs["no_grad"] == [False, False, False]
    assert obs["dup"] == [True, 1] and obs["dup_grad"] == [40.0, 40.0]



# 6. mark_dirty: in-place forwards ----------------------------------------------------------
def dirty(T):
    class ZeroInplace(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.zero_()
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 0

    class MarkOnly(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class NotReturned(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g

    class NotATensor(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(5)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g

    leaf = T.tensor([1.0, 2.0], requires_grad=True)
    a = leaf * 1
    b = ZeroInplace.apply(a)
    obs = {"same": b is a, "version": a._version, "name": a.grad_fn.name(),
           "next": fn_names(a.grad_fn), "leaf": a.is_leaf, "values": a.tolist()}
    c = MarkOnly.apply(leaf * 1)
    c.sum().backward()
    obs["grad"] = leaf.grad.tolist()
    obs["mark_only_version"] = c._version
    other = leaf.detach().clone() if hasattr(leaf, "clone") else leaf.detach() * 1
    obs["leaf_error"] = error_of(lambda: MarkOnly.apply(leaf))
    obs["leaf_version_after_error"] = leaf._version
    with T.no_grad():
        d = MarkOnly.apply(leaf)
    obs["no_grad"] = [d is leaf, leaf._version, d.requires_grad]
    e = MarkOnly.apply(other)
    obs["no_req"] = [e is other, other._version, e.requires_grad]
    n = leaf * 1
    obs["not_returned"] = error_of(lambda: NotReturned.apply(n))
    obs["not_returned_version"] = n._version
    obs["not_a_tensor"] = error_of(lambda: NotATensor.apply(leaf))
    return obs


def test_dirty():
    obs = dirty(leafgrad)
    assert obs["same"] and obs["version"] == 2 and obs["name"] == "ZeroInplaceBackward"
    assert obs["next"] == ["MulBackward0"] and obs["values"] == [0.0, 0.0]
    assert obs["grad"] == [5.0, 5.0] and obs["mark_only_version"] == 1
    assert obs["leaf_error"] == ("RuntimeError: a leaf Variable that requires grad has been "
                                 "used in an in-place operation.")
    assert obs["no_grad"] == [False, 2, False]
    assert obs["not_returned"].startswith("RuntimeError: Some elements marked as dirty")
    assert obs["not_a_tensor"] == ("RuntimeError: mark_dirty can only accept variables, but "
                                   "argument ")



# 7. mark_non_differentiable, set_materialize_grads ----------------------------------------
def non_differentiable(T):
    seen = []

    class SortLike(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a, b = x * 2, x * 3
            ctx.mark_non_differentiable(b)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append([ga.tolist(), gb.tolist()])
            return ga

    class InputNonDiff(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Lazy(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append([g1 is None, g2 is None])
            return g1 if g1 is not None else g2 * 2

    class Bad(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(5)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    a, b = SortLike.apply(x)
    obs = {"a": [a.requires_grad, a.grad_fn.name()], "b": [b.requires_grad, b.grad_fn, b.is_leaf]}
    a.sum().backward()
    r = InputNonDiff.apply(x)
    obs["input"] = [r is x, r.requires_grad, r._is_view()]
    _, c = Lazy.apply(x)
    c.sum().backward()
    obs["seen"] = seen
    obs["grad"] = x.grad.tolist()
    obs["bad"] = error_of(lambda: Bad.apply(x))
    return obs


def test_non_differentiable():
    obs = non_differentiable(leafgrad)
    assert obs["b"] == [False, None, True]
    assert obs["seen"] == [[[1.0, 1.0], [0.0, 0.0]], [True, False]]
    assert obs["input"] == [False, False, False] and obs["grad"] == [3.0, 3.0]



# 8. save_for_backward and saved_tensors --------------------------------------------------
def saving(T):
    seen = []

    class SaveSome(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(None, x)
            seen.append(["in forward", ctx.saved_tensors])
            return x * 3

        @staticmethod
        def backward(ctx, g):
            seen.append([type(t).__name__ for t in ctx.saved_tensors])
            return g * 3

    class SaveNothing(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.saved_tensors)
            return g * 3

    class SaveInt(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None, 3)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    r = SaveSome.apply(x)
    r.sum().backward(retain_graph=True)
    obs = {"after_retain": [t is x for t in r.grad_fn.saved_tensors if t is not None]}
    r.sum().backward()
    obs["after"] = error_of(lambda: r.grad_fn.saved_tensors)
    n = SaveNothing.apply(x)
    obs["nothing_before"] = n.grad_fn.saved_tensors
    n.sum().backward()
    obs["nothing_after"] = error_of(lambda: n.grad_fn.saved_tensors)
    obs["nothing_again"] = error_of(lambda: n.sum().backward())
    obs["save_int"] = error_of(lambda: SaveInt.apply(x))
    with T.no_grad():
        obs["save_int_no_grad"] = SaveInt.apply(x).tolist()  # nothing is saved without a graph
    obs["save_int_no_req"] = SaveInt.apply(T.ones(2)).tolist()
    obs["seen"] = seen
    obs["grad"] = x.grad.tolist()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = SaveSome.apply(x)
        obs["saved_variables"] = len(r.grad_fn.saved_variables)
        obs["warned"] = [(i.category.__name__, str(i.message)) for i in w]
    return obs


def test_saving():
    obs = saving(leafgrad)
    assert obs["after_retain"] == [True] and obs["nothing_before"] == ()
    for key in ("after", "nothing_after", "nothing_again"):
        assert obs[key].startswith("RuntimeError: Trying to backward through the graph a second")
    assert obs["save_int"] == ("TypeError: save_for_backward can only save variables, but "
                               "argument 2 is of type int")
    assert obs["seen"][0] == ["in forward", ()] and obs["seen"][1] == ["NoneType", "Tensor"]
    assert obs["warned"] == [("DeprecationWarning",
                              "'saved_variables' is deprecated; use 'saved_tensors'")]



def modified_after_saving(T):
    MyExp = my_exp(T)

    class SaveInput(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = SaveInput.apply(x)
    with T.no_grad():
        x.zero_()
    e = MyExp.apply(x)
    with T.no_grad():
        e.zero_()
    return {"input": error_of(lambda: y.sum().backward()),
            "input_direct": error_of(lambda: y.grad_fn.saved_tensors),
            "output": error_of(lambda: e.sum().backward())}


def _version_parts(message: str):
    """What a custom Function decides in the in-place error: the tensor and the versions."""
    m = re.match(r"(\w+): one of the variables needed for gradient computation has been "
                 r"modified by an inplace operation: (\[[^\]]*\]\]).*(is at version \d+; "
                 r"expected version \d+ instead)", message)
    return m.groups() if m else message


def test_modified_after_saving():
    obs = modified_after_saving(leafgrad)
    assert _version_parts(obs["input"]) == (
        "RuntimeError", "[leafgrad.FloatTensor [2]]", "is at version 1; expected version 0 instead")
    assert _version_parts(obs["output"])[2] == "is at version 1; expected version 0 instead"


@pytest.mark.torch
def test_modified_after_saving_vs_torch(torch):
    ours = {k: _version_parts(v) for k, v in modified_after_saving(leafgrad).items()}
    theirs = {k: _version_parts(v) for k, v in modified_after_saving(torch).items()}
    assert normalise(ours) == normalise(theirs)


@pytest.mark.torch
def test_modified_after_saving_full_message_vs_torch(torch):
    # leafgrad's message is PyTorch's plus where the tensor was modified (checked here too).
    ours = modified_after_saving(leafgrad)
    assert all("(leafgrad: it was last modified in place by" in v for v in ours.values())
    ours = {k: re.sub(r" \(leafgrad: it was last modified .*\)$", "", v)
            for k, v in ours.items()}
    assert normalise(ours) == normalise(modified_after_saving(torch))


# 9. once_differentiable ---------------------------------------------------------------------
def once(T):
    seen = []

    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x)
            return x**3 * y

        @staticmethod
        @T.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            seen.append([T.is_grad_enabled(), g.requires_grad])
            return 3 * x**2 * g, None

    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = T.tensor([1.0, 1.0], requires_grad=True)
    g1 = T.autograd.grad(Cube.apply(x, y).sum(), x)[0]
    g2 = T.autograd.grad(Cube.apply(x, y).sum(), x, create_graph=True)[0]
    out = Cube.apply(x, y)
    g3 = T.autograd.grad((out * out).sum(), x, create_graph=True)[0]
    node = g3.grad_fn
    obs = {"plain": [g1.tolist(), g1.requires_grad],
           "no_graph_in": [g2.requires_grad, g2.grad_fn is None],
           "graph_in": [g3.tolist(), g3.requires_grad, g3.is_leaf, node.name(),
                        type(node).__name__, fn_names(node), repr(g3)],
           "again": error_of(lambda: g3.sum().backward()),
           "seen": seen, "wrapped_name": Cube.backward.__name__}
    return obs


def test_once_differentiable():
    obs = once(leafgrad)
    assert obs["plain"] == [[3.0, 12.0], False]
    assert obs["graph_in"][:5] == [[6.0, 192.0], True, False, "leafgrad::autograd::Error",
                                   "Error"]
    assert obs["graph_in"][5] == ["leafgrad::autograd::AccumulateGrad", None]
    assert obs["again"] == ("RuntimeError: trying to differentiate twice a function that was "
                            "marked with @once_differentiable")
    assert obs["seen"] == [[False, False], [False, False], [False, True]]



# 10. Errors in what backward returns -------------------------------------------------------
Grads = namedtuple("Grads", "x k")


def backward_errors(T):
    def make(ret, n_inputs=1):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, *rest):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return ret(g)

        F.__name__ = "F"
        return F

    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ones = T.ones(3)
    cases = {
        "too_few": (lambda g: (g,), (x, ones)),
        "empty": (lambda g: (), (x,)),
        "extra_nones": (lambda g: (g, None, None), (x,)),
        "extra_grad": (lambda g: (g, None, g), (x,)),
        "for_non_tensor": (lambda g: (g, g), (x, 2.0)),
        "none_for_non_tensor": (lambda g: (g, None), (x, 2.0)),
        "float": (lambda g: 1.0, (x,)),
        "list": (lambda g: [g], (x,)),
        "string": (lambda g: "abc", (x,)),
        "bad_shape": (lambda g: T.ones(2), (x,)),
        "broadcast": (lambda g: T.ones(2, 3, dtype=T.float64), (x,)),
        "int_grad": (lambda g: T.ones(3, dtype=T.int64), (x,)),
        "single_none": (lambda g: None, (x,)),
        "namedtuple": (lambda g: Grads(g, None), (x, 2.0)),
        "float_for_non_tensor": (lambda g: (g, 1.0), (x, 2.0)),
        "not_required_bad_shape": (lambda g: (g, T.ones(5)), (x, ones)),
    }
    obs = {}
    for key, (ret, args) in cases.items():
        x.grad = None
        F = make(ret)
        obs[key] = [error_of(lambda F=F, args=args: F.apply(*args).sum().backward()),
                    grads_list(x),
                    None if x.grad is None else str(x.grad.dtype)]
    return obs


def test_backward_errors():
    obs = backward_errors(leafgrad)
    assert obs["too_few"][0] == ("RuntimeError: function FBackward returned an incorrect "
                                 "number of gradients (expected 2, got 1)")
    assert obs["extra_grad"][0].endswith("(expected 1, got 3)")
    assert obs["extra_nones"] == [None, [1.0, 1.0, 1.0], "leafgrad.float32"]
    assert obs["for_non_tensor"][0] == (
        "RuntimeError: function FBackward returned a gradient different than None at position "
        "2, but the corresponding forward input was not a Variable")
    assert obs["float"][0] == "RuntimeError: expected Variable or None (got float)"
    assert obs["bad_shape"][0] == ("RuntimeError: Function FBackward returned an invalid "
                                   "gradient at index 0 - got [2] but expected shape compatible "
                                   "with [3]")
    assert obs["broadcast"] == [None, [2.0, 2.0, 2.0], "leafgrad.float32"]
    assert obs["int_grad"] == [None, [1.0, 1.0, 1.0], "leafgrad.float32"]
    assert obs["single_none"] == [None, None, None]
    assert obs["namedtuple"] == [None, [1.0, 1.0, 1.0], "leafgrad.float32"]
    assert obs["float_for_non_tensor"][0].startswith(
        "RuntimeError: function FBackward returned a gradient different than None at position 2")
    assert obs["not_required_bad_shape"] == [None, [1.0, 1.0, 1.0], "leafgrad.float32"]



# 11. Legacy use, missing methods, vjp, no_grad -------------------------------------------
def legacy_and_defaults(T):
    MyReLU = my_relu(T)

    class NoForward(T.autograd.Function):
        pass

    class NoBackward(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class ByVjp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2

    class Both(ByVjp):
        @staticmethod
        def backward(ctx, g):
            return g * 2

    class CtxLess(T.autograd.Function):
        @staticmethod
        def forward(x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    x = T.tensor([-1.0, 2.0], requires_grad=True)
    obs = {}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f = MyReLU()
        obs["instantiate"] = [(i.category.__name__, str(i.message).split("'>")[1]) for i in w]
    obs["call"] = error_of(lambda: f(x))
    obs["no_forward"] = error_of(lambda: NoForward.apply(x))
    obs["no_backward"] = error_of(lambda: NoBackward.apply(x).sum().backward())
    ByVjp.apply(x).sum().backward()
    obs["vjp"] = x.grad.tolist()
    obs["both"] = error_of(lambda: Both.apply(x).sum().backward())
    obs["ctx_less"] = error_of(lambda: CtxLess.apply(x))
    with T.no_grad():
        y = MyReLU.apply(x)
    obs["no_grad"] = [y.requires_grad, y.grad_fn, y.tolist()]
    z = MyReLU.apply(T.tensor([1.0, -2.0]))
    obs["no_input_requires"] = [z.requires_grad, z.grad_fn]
    obs["alias"] = [T.autograd.Function.vjp is T.autograd.Function.backward]
    return obs


def test_legacy_and_defaults():
    obs = legacy_and_defaults(leafgrad)
    assert obs["instantiate"] == [(
        "DeprecationWarning",
        " should not be instantiated. Methods on autograd functions are all static, so you "
        "should invoke them on the class itself. Instantiating an autograd function will raise "
        "an error in a future version of PyTorch.")]
    assert obs["call"].startswith("RuntimeError: Legacy autograd function with non-static")
    assert obs["no_forward"] == ("NotImplementedError: You must implement the forward function "
                                 "for custom autograd.Function.")
    assert obs["vjp"] == [2.0, 2.0]
    assert obs["both"].startswith("RuntimeError: Implementing both 'backward' and 'vjp'")
    assert obs["no_grad"] == [False, None, [0.0, 2.0]]



# 12. Hooks, retain_grad, class options ----------------------------------------------------
def hooks_and_options(T):
    MyExp = my_exp(T)
    x = T.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x)
    calls = []
    y.grad_fn.register_prehook(lambda go: calls.append(["pre", len(go)]))
    y.grad_fn.register_hook(lambda gi, go: calls.append(["post", len(gi), len(go)]))
    y.register_hook(lambda g: g * 2)
    y.retain_grad()
    (y * 3).sum().backward()
    obs = {"calls": calls, "y_grad": y.grad.tolist(), "x_grad": [round(v, 4) for v in
                                                                    x.grad.tolist()]}

    class Once(T.autograd.Function):
        clear_saved_tensors_on_access = True

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            calls.append(error_of(lambda: ctx.saved_tensors))
            return 2 * a * g

    class Boxed(T.autograd.Function):
        boxed_grads_call = True

        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grads):
            calls.append([type(grads).__name__, len(grads)])
            g1, g2 = grads
            grads.clear()
            return 2 * g1 + 3 * g2

    x.grad = None
    r = Once.apply(x)
    r.sum().backward(retain_graph=True)
    obs["once_grad"] = x.grad.tolist()
    obs["once_again"] = error_of(lambda: r.sum().backward())
    a, b = Boxed.apply(x)
    (a + b).sum().backward()
    obs["boxed_grad"] = x.grad.tolist()
    return obs


def test_hooks_and_options():
    obs = hooks_and_options(leafgrad)
    assert obs["calls"][:2] == [["pre", 1], ["post", 1, 1]]
    assert obs["y_grad"] == [6.0, 6.0] and obs["x_grad"] == [6.0, 16.3097]
    assert obs["once_again"].startswith("RuntimeError: saved_tensors can only be accessed once")



# 13. Double backward, gradcheck, gradgradcheck ---------------------------------------------
def double_backward(T):
    MyExp = my_exp(T)
    Cube = cube_setup_context(T)
    SinMul = sin_cos(T)
    x = T.tensor([0.5, -1.0], dtype=T.float64, requires_grad=True)
    y = T.tensor([2.0, 0.3], dtype=T.float64, requires_grad=True)
    (g,) = T.autograd.grad(MyExp.apply(x).sum(), x, create_graph=True)
    (gg,) = T.autograd.grad(g.sum(), x)
    (c,) = T.autograd.grad(Cube.apply(x, 2.0).sum(), x, create_graph=True)
    (cc,) = T.autograd.grad(c.sum(), x)
    a, b = SinMul.apply(x, y, 3.0)
    gx, gy = T.autograd.grad((a * b).sum(), (x, y), create_graph=True)
    hx, hy = T.autograd.grad((gx * gy).sum(), (x, y))
    return {"exp": [g.tolist(), gg.tolist(), g.grad_fn.name()], "cube": [c.tolist(), cc.tolist()],
            "sinmul": [hx.tolist(), hy.tolist()]}


def test_double_backward():
    obs = double_backward(leafgrad)
    assert np.allclose(obs["exp"][0], np.exp([0.5, -1.0]))
    assert np.allclose(obs["exp"][1], np.exp([0.5, -1.0]))
    assert np.allclose(obs["cube"][1], [6.0 * 2 * 0.5, 6.0 * 2 * -1.0])



def test_gradcheck_and_gradgradcheck():
    T = leafgrad
    x = T.tensor([0.3, -1.2, 2.0], dtype=T.float64, requires_grad=True)
    y = T.tensor([1.5, 0.7, -0.4], dtype=T.float64, requires_grad=True)
    for f, args in [(my_exp(T).apply, (x,)), (my_relu(T).apply, (x,)),
                    (lambda a: cube_setup_context(T).apply(a, 0.5), (x,)),
                    (lambda a, b: sin_cos(T).apply(a, b, 2.0), (x, y))]:
        assert gradcheck(f, args)
        assert gradgradcheck(f, args)


@pytest.mark.torch
def test_gradcheck_in_torch_too(torch):
    """The same Functions pass torch's own gradcheck: the scenarios' formulas are right."""
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.5, 0.7, -0.4], dtype=torch.float64, requires_grad=True)
    f = sin_cos(torch)
    assert torch.autograd.gradgradcheck(lambda a, b: f.apply(a, b, 2.0), (x, y))


def test_once_differentiable_passes_gradcheck_but_not_gradgradcheck():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = leafgrad.tensor([0.3, -1.2], dtype=leafgrad.float64, requires_grad=True)
    assert gradcheck(Square.apply, (x,))
    # As in PyTorch: the error node is on no path to the inputs, so gradgradcheck sees a zero
    # second derivative and reports the mismatch.
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0"):
        gradgradcheck(Square.apply, (x,))


# 14. Random shapes and values: gradients against PyTorch ---------------------------------
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def _random_grads(T, which: str, xs: list, k: float):
    ts = [T.tensor(a, requires_grad=True) for a in xs]
    if which == "relu":
        out = (my_relu(T).apply(ts[0]) * ts[1]).sum()
    elif which == "exp":
        out = (my_exp(T).apply(ts[0]) * ts[1]).sum()
    else:
        a, b = sin_cos(T).apply(ts[0], ts[1], k)
        out = (a * b + a).sum()
    out.backward()
    return [t.grad._data if hasattr(t.grad, "_data") else t.grad.numpy() for t in ts]


@pytest.mark.torch
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # torch: a module
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), k=st.floats(-3, 3),
       which=st.sampled_from(["relu", "exp", "sinmul"]))
def test_random_gradients_vs_torch(torch, shape, seed, k, which):
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-2, 2, shape).astype(np.float32) for _ in range(2)]
    xs[0][np.abs(xs[0]) < 1e-3] = 0.5  # away from relu's kink
    ours = _random_grads(leafgrad, which, [a.copy() for a in xs], k)
    theirs = _random_grads(torch, which, [a.copy() for a in xs], k)
    for o, t in zip(ours, theirs):
        assert o.shape == t.shape and o.dtype == t.dtype
        np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-5)


@given(shape=shapes, seed=st.integers(0, 2**32 - 1))
def test_random_gradients_vs_builtin_ops(shape, seed):
    """A custom exp and relu give the gradients of the built-in ops (no PyTorch needed)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shape)
    a[np.abs(a) < 1e-3] = 0.5
    w = rng.uniform(-2, 2, shape)
    for custom, builtin in [(my_exp(leafgrad).apply, leafgrad.exp),
                            (my_relu(leafgrad).apply, lambda t: t.clamp(min=0))]:
        grads = []
        for f in (custom, builtin):
            x = leafgrad.tensor(a, requires_grad=True)
            (f(x) * leafgrad.tensor(w)).sum().backward()
            grads.append(x.grad.numpy())
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


# 15. Beyond PyTorch: a tensor stashed on ctx warns; graphs hold no cycles ---------------------
def test_tensor_attribute_on_ctx_warns():
    class Stash(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.x = x  # not save_for_backward: no version check, keeps the graph alive
            ctx.k = k
            ctx.shape = tuple(x.shape)
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class Listed(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.parts = [x, 1]
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning) as record:
        Stash.apply(x, 2.0)
    messages = [str(w.message) for w in record]
    assert len(messages) == 1
    assert "ctx.x" in messages[0] and "save_for_backward" in messages[0]
    assert "in-place" in messages[0] and "memory leak" in messages[0]
    assert record[0].filename == __file__  # points at the user's line in forward
    with pytest.warns(UserWarning, match="ctx.parts"):
        Listed.apply(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        my_relu(leafgrad).apply(x).sum().backward()  # save_for_backward: no warning
        cube_setup_context(leafgrad).apply(x, 2.0)  # non-tensor attributes: no warning


def test_no_reference_cycles():
    MyExp = my_exp(leafgrad)
    gc.collect()
    gc.disable()
    try:
        x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
        y = MyExp.apply(x)  # saves its own output
        node = weakref.ref(y.grad_fn)
        out = weakref.ref(y)
        del y
        assert node() is None and out() is None  # freed by reference counting alone

        class InPlace(Function):
            @staticmethod
            def forward(ctx, a):
                ctx.mark_dirty(a)
                ctx.save_for_backward(a)  # a is now an output: kept as data + version
                return a

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return g * a

        a = x * 1
        InPlace.apply(a)
        node = weakref.ref(a.grad_fn)
        a.sum().backward(retain_graph=True)
        assert x.grad.tolist() == [1.0, 2.0]
        del a
        assert node() is None
    finally:
        gc.enable()


def test_saved_output_is_rebuilt_on_its_node():
    MyExp = my_exp(leafgrad)
    x = leafgrad.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x)
    (s,) = y.grad_fn.saved_tensors
    assert s.grad_fn is y.grad_fn and s._output_nr == 0 and s._version == y._version
    assert s.tolist() == y.tolist() and s.requires_grad


def test_dirty_view_is_refused_not_silently_wrong():
    class ZeroInplace(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    base = leafgrad.tensor([1.0, 2.0], requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="modifies a view in place"):
        ZeroInplace.apply(base[:1])


# 16. Known gap (engine, not this file) --------------------------------------------------------
def unused_output_path(T):
    seen = []

    class Block(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return None

    class Seen(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            seen.append(g.tolist())
            return g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    Block.apply(Seen.apply(x)).sum().backward()
    return {"seen": seen, "grad": grads_list(x)}


# Every scenario above, run on both libraries: the observations must match PyTorch's.
SCENARIOS = [
    basic, multi, setup_context_style, keyword_arguments, outputs_of_all_kinds, returned_inputs,
    dirty, non_differentiable, saving, once, backward_errors, legacy_and_defaults,
    hooks_and_options, double_backward, unused_output_path,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_scenario_vs_torch(scenario, torch):
    same_as_torch(scenario, torch)
