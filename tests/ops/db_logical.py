"""OpInfo entries: comparisons, predicates, logical and bitwise ops (never differentiable).

Float operands are drawn on a coarse grid so that equal elements are common; integer and
bool operands of drawn dtypes check PyTorch's promotion (``uint8 == 257`` wraps the number).
"""

from __future__ import annotations

import numpy as np

from .opdb import OpInfo, Sample

ONCE = ("float64",)
INTS = ("int64", "int32", "int16", "int8", "uint8")


def _halves(ints, d):
    """Integers / 2 as an array of the draw's float dtype (0-d stays an array)."""
    return np.asarray(ints / 2, dtype=d.dtype)


def _grid(d, shape):
    """Floats on a grid of halves (many ties), with the odd NaN or infinity."""
    x = _halves(d.ints(shape, -4, 5), d)
    if x.size and d.int(0, 3) == 0:
        x[d.mask(shape)] = d.choice([np.nan, np.inf, -np.inf])
    return x


def _operand(d, shape, kinds=("float", "int", "bool")):
    k = d.choice(kinds)
    if k == "float":
        return _grid(d, shape)
    if k == "bool":
        return d.mask(shape)
    dt = d.choice(INTS)
    return d.ints(shape, 0 if dt == "uint8" else -4, 5, dtype=dt)


def _pair(kinds=("float", "int", "bool")):
    def draw(d):
        a = d.shape()
        return Sample(_operand(d, a, kinds), _operand(d, d.broadcastable(a), kinds))

    return draw


def _with_number(kinds=("float", "int", "bool"), numbers=(0.5, 1, -2, 2.0, True, 257, -1)):
    return lambda d: Sample(_operand(d, d.shape(), kinds), d.choice(numbers))


def _compare_all(T, x, y):
    return (x == y, x != y, x < y, x <= y, x > y, x >= y)


def _compare_reflected(T, x, s):
    return (s == x, s != x, s < x, s <= x, s > x, s >= x)


def _aliases(T, x, y):
    return (T.greater(x, y), T.less(x, y), T.greater_equal(x, y), T.less_equal(x, y),
            T.not_equal(x, y), x.greater(y), x.less_equal(y))


def _equal(d):
    a = d.shape()
    x = _operand(d, a, ("float", "int"))
    k = d.choice(["same", "copy_other_dtype", "other", "other_shape"])
    if k == "same":
        y = x.copy()
    elif k == "copy_other_dtype":
        y = x.astype(d.choice(["float32", "int64"]))
    elif k == "other":
        y = _operand(d, a, ("float", "int"))
    else:
        y = _operand(d, d.shape(), ("float", "int"))
    return Sample(x, y)


def _predicates(T, x):
    return (x.isnan(), x.isinf(), x.isfinite(), x.isposinf(), x.isneginf(), x.isreal(),
            x.signbit())


def _signed_zeros(d):
    x = _grid(d, d.shape())
    if x.size:
        x[d.mask(x.shape)] = -0.0
    return Sample(x)


def _close_pair(d):
    a = d.shape()
    x = _grid(d, a)
    noise = d.array(a, -1e-4, 1e-4, dtype=x.dtype)
    y = np.asarray(x + noise * d.choice([0.0, 1.0, 10.0, 1000.0]), dtype=x.dtype)
    if y.size and d.bool():
        y[d.mask(a)] = np.nan
    kw = d.choice([{}, {"equal_nan": True}, {"rtol": 0.0, "atol": 0.0}, {"rtol": 1e-3},
                   {"atol": 1e-3, "equal_nan": True}, {"rtol": 0.0, "atol": 1e-5}])
    return Sample(x, y, **kw)


def _int_close(d):
    a = d.shape()
    dt = d.choice(INTS + ("bool",))
    x = d.mask(a) if dt == "bool" else d.ints(a, 0, 5, dtype=dt)
    y = d.mask(a) if dt == "bool" else d.ints(a, 0, 5, dtype=dt)
    return Sample(x, y, atol=d.choice([0, 1, 2]))


def _ints(dtypes=INTS + ("bool",), lo=-8, hi=9):
    def draw(d, shape):
        dt = d.choice(dtypes)
        if dt == "bool":
            return d.mask(shape)
        return d.ints(shape, 0 if dt == "uint8" else lo, hi, dtype=dt)

    return draw


def _int_pair(dtypes=INTS + ("bool",), lo=-8, hi=9, numbers=(3, -1, True, 300)):
    one = _ints(dtypes, lo, hi)

    def draw(d):
        a = d.shape()
        x = one(d, a)
        k = d.choice(["tensor", "number", "number_first"])
        if k == "tensor":
            return Sample(x, one(d, d.broadcastable(a)))
        n = d.choice(numbers)
        return Sample(x, n) if k == "number" else Sample(n, x)

    return draw


def _shift_pair(d):
    a = d.shape()
    one = _ints(INTS, -20, 21)
    x = one(d, a)
    k = d.choice(["tensor", "number", "number_first"])
    if k == "tensor":
        return Sample(x, _ints(INTS, 0, 70)(d, d.broadcastable(a)))
    if k == "number":
        return Sample(x, d.choice([0, 1, 3, 7, 8, 63, 64, 65, -1]))
    return Sample(d.choice([1, -3, 5]), _ints(INTS, 0, 10)(d, a))


def _bitwise_operators(T, x, y):
    return (x & y, x | y, x ^ y)


def _shift_operators(T, x, y):
    return (x << y, x >> y)


ENTRIES = [
    # -- comparisons --------------------------------------------------------------------------
    OpInfo("eq", _pair(), grad=False),
    OpInfo("ne", _pair(), grad=False),
    OpInfo("lt", _pair(), grad=False, covers=("less",)),
    OpInfo("le", _pair(), grad=False, covers=("less_equal",)),
    OpInfo("gt", _pair(), grad=False, covers=("greater",)),
    OpInfo("ge", _pair(), grad=False, covers=("greater_equal",)),
    OpInfo("ne", _pair(), fn=_aliases, grad=False, method=False, id="comparison_aliases",
           covers=("not_equal",)),
    OpInfo("eq", _with_number(), fn=_compare_all, grad=False, method=False,
           id="compare_number"),
    OpInfo("eq", lambda d: Sample(_operand(d, d.shape()), d.choice([0.5, 1, -2, True])),
           fn=lambda T, x, s: _compare_reflected(T, x, s), grad=False, method=False,
           id="compare_number_first"),
    OpInfo("eq", _pair(), fn=_compare_all, grad=False, method=False, id="compare_operators"),
    OpInfo("lt", lambda d: Sample(_grid(d, d.shape()), d.array((), dtype="float64")),
           fn=_compare_all, grad=False, method=False, id="compare_0d_other_dtype"),
    OpInfo("equal", _equal, grad=False),
    # -- predicates --------------------------------------------------------------------------
    OpInfo("isnan", lambda d: Sample(_grid(d, d.shape())), fn=_predicates, grad=False,
           method=False, covers=("isinf", "isfinite", "isposinf", "isneginf", "isreal"),
           id="predicates"),
    OpInfo("isnan", lambda d: Sample(_operand(d, d.shape(), ("int", "bool"))), fn=_predicates,
           grad=False, method=False, dtypes=ONCE, id="predicates_ints"),
    OpInfo("signbit", _signed_zeros, grad=False),
    OpInfo("isclose", _close_pair, grad=False),
    OpInfo("allclose", _close_pair, grad=False),
    OpInfo("isclose", _int_close, grad=False, dtypes=ONCE, id="isclose_ints"),
    # -- logical -------------------------------------------------------------------------------
    OpInfo("logical_and", _pair(), grad=False),
    OpInfo("logical_or", _pair(), grad=False),
    OpInfo("logical_xor", _pair(), grad=False),
    OpInfo("logical_not", lambda d: Sample(_operand(d, d.shape())), grad=False),
    # -- bitwise -------------------------------------------------------------------------------
    OpInfo("bitwise_and", _int_pair(), grad=False, method=False, dtypes=ONCE),
    OpInfo("bitwise_or", _int_pair(), grad=False, method=False, dtypes=ONCE),
    OpInfo("bitwise_xor", _int_pair(), grad=False, method=False, dtypes=ONCE),
    OpInfo("bitwise_and", _int_pair(), fn=_bitwise_operators, grad=False, method=False,
           dtypes=ONCE, id="bitwise_operators"),
    OpInfo("bitwise_and", lambda d: Sample(_ints()(d, d.shape()), _ints()(d, ())),
           fn=lambda T, x, y: (x.bitwise_and(y), x.bitwise_or(y), x.bitwise_xor(y)),
           grad=False, method=False, dtypes=ONCE, id="bitwise_methods"),
    OpInfo("bitwise_not", lambda d: Sample(_ints()(d, d.shape())), grad=False, dtypes=ONCE),
    OpInfo("bitwise_not", lambda d: Sample(_ints()(d, d.shape())), fn=lambda T, x: ~x,
           grad=False, method=False, dtypes=ONCE, id="invert_operator"),
    OpInfo("bitwise_left_shift", _shift_pair, grad=False, method=False, dtypes=ONCE),
    OpInfo("bitwise_right_shift", _shift_pair, grad=False, method=False, dtypes=ONCE),
    OpInfo("bitwise_left_shift", _shift_pair, fn=_shift_operators, grad=False, method=False,
           dtypes=ONCE, id="shift_operators"),
    OpInfo("bitwise_left_shift", lambda d: Sample(d.mask(d.shape()), 1),
           fn=lambda T, x, y: x << y, grad=False, method=False, dtypes=ONCE,
           id="shift_bool_tensor"),
]
