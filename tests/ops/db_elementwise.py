"""OpInfo entries: elementwise ops (arithmetic, powers, unary math, clamp, where, lerp ...).

Besides float tensors of the drawn dtype, entries cover Python numbers on either side
(``x * 2.5``, ``2.5 - x``), integer and bool operands where PyTorch's dtype rules matter
(those entries run once, under "float64"), mixed float dtypes (float32 with a float64
tensor or 0-d tensor) and, for maximum/minimum, ties (the gradient is split).
"""

from __future__ import annotations

import numpy as np

from .opdb import OpInfo, Sample

# Entries about integer/bool operands run once, with float32 for any float array beside
# them (PyTorch's promotion gives float32 there; gradcheck, float64 only, is not their point).
ONCE = ("float32",)
INTS = ("int64", "int32", "int16", "int8", "uint8")


def _halves(ints, d):
    """Integers / 2 as an array of the draw's float dtype (0-d stays an array)."""
    return np.asarray(ints / 2, dtype=d.dtype)


# -- drawing helpers ---------------------------------------------------------------------
def _binary(lo=-2.0, hi=2.0, away=(), lo2=None, hi2=None, away2=None):
    def draw(d):
        a = d.shape()
        x = d.array(a, lo, hi, away_from=away)
        y = d.array(d.broadcastable(a), lo if lo2 is None else lo2, hi if hi2 is None else hi2,
                    away_from=away if away2 is None else away2)
        if d.bool():
            x, y = y, x  # either side may be the broadcast one
        return Sample(x, y)

    return draw


def _unary(lo=-2.0, hi=2.0, away=()):
    return lambda d: Sample(d.array(d.shape(), lo, hi, away_from=away))


def _with_number(numbers, lo=-2.0, hi=2.0, away=()):
    """A tensor and a number drawn from ``numbers``."""
    return lambda d: Sample(d.array(d.shape(), lo, hi, away_from=away), d.choice(numbers))


def _int_array(d, shape, lo=-5, hi=6, dtypes=INTS + ("bool",)):
    dt = d.choice(dtypes)
    if dt == "bool":
        return d.mask(shape)
    if dt == "uint8":
        lo = max(lo, 0)
    return d.ints(shape, lo, hi, dtype=dt)


def _int_pair(lo=-5, hi=6, dtypes=INTS + ("bool",), nonzero_other=False):
    """Integer/bool tensors of drawn dtypes (promotion between them), broadcastable."""

    def draw(d):
        a = d.shape()
        x = _int_array(d, a, lo, hi, dtypes)
        y = _int_array(d, d.broadcastable(a), lo, hi, dtypes)
        if nonzero_other:
            y = np.where(y == 0, np.ones_like(y), y)
        return Sample(x, y)

    return draw


def _int_or_float_pair(d, bools=True, ints=INTS):
    """An integer/bool tensor with a float tensor (either side) or a number."""
    a = d.shape()
    x = _int_array(d, a, dtypes=ints + ("bool",) if bools else ints)
    other = d.choice(["float", "float32", "int", "float_number", "int_number"]
                     + (["bool_number"] if bools else []))
    if other == "float":
        y = d.array(d.broadcastable(a), 0.5, 3.0)
    elif other == "float32":
        y = d.array(d.broadcastable(a), 0.5, 3.0, dtype="float32")
    elif other == "int":
        y = _int_array(d, d.broadcastable(a), 1, 4, ints + ("bool",) if bools else ints)
    else:
        y = {"float_number": 2.5, "int_number": 3, "bool_number": True}[other]
    return Sample(x, y) if d.bool() or not isinstance(y, np.ndarray) else Sample(y, x)


def _int_or_float_pair_no_bool(d):
    return _int_or_float_pair(d, bools=False)


def _mixed_floats(d):
    """A float32 tensor with a float64 tensor, maybe 0-d (the float64 run, which gradcheck
    uses, stays in float64: finite differences need it)."""
    a = d.shape()
    b = () if d.bool() else d.broadcastable(a)
    x, y = d.array(a), d.array(b, 0.5, 2.0, dtype="float64")
    return Sample(x, y) if d.bool() else Sample(y, x)


def _mixed_floats_positive(d):
    """``_mixed_floats`` with positive values (bases of powers)."""
    a = d.shape()
    b = () if d.bool() else d.broadcastable(a)
    x, y = d.array(a, 0.3, 2.0), d.array(b, 0.5, 2.0, dtype="float64")
    return Sample(x, y) if d.bool() else Sample(y, x)


def _distinct(d):
    """Two broadcastable tensors that never tie (ties are kinks for maximum, clamp ...)."""
    a = d.shape()
    x = d.array(a, -2.0, 2.0)
    y = d.array(d.broadcastable(a), -1.7, 2.3)  # equal seeds still give distinct values
    return Sample(x, y) if d.bool() else Sample(y, x)


def _ties(d):
    """Two tensors with many equal elements (values on a coarse grid)."""
    a = d.shape()
    x = _halves(d.ints(a, -3, 4), d)
    y = _halves(d.ints(d.broadcastable(a), -3, 4), d)
    return Sample(x, y)


def _positive_base(d):
    a = d.shape()
    return Sample(d.array(a, 0.3, 2.0), d.array(d.broadcastable(a), -2.0, 2.0))


def _unary_on_ints(d):
    return Sample(_int_array(d, d.shape(), -3, 4))


# -- float-valued functions of integer inputs, all in one entry --------------------------
def _float_ops_of_ints(T, i):
    return (i.exp(), i.exp2(), i.expm1(), T.log(i), i.log2(), i.log10(), i.log1p(), i.sqrt(),
            i.rsqrt(), i.reciprocal(), i.sin(), i.cos(), i.tan(), i.asin(), i.acos(), i.atan(),
            i.sinh(), i.cosh(), i.tanh(), i.asinh(), i.acosh(), i.atanh(), i.sigmoid(), i.erf(),
            i.erfc())


def _dtype_kept_ops(T, i):
    ops = [i.sign(), i.sgn(), T.square(i), T.nan_to_num(i)]
    if i.dtype != T.bool:
        ops += [i.floor(), i.ceil(), i.round(), i.trunc(), i.fix(), abs(i), -i, i.relu(), +i,
                i.clamp(-1, 2), i.clamp_min(0), i.clamp_max(1)]
    return tuple(ops)


def _clamp_mixed(T, x, y):
    if not isinstance(x, T.Tensor):
        x, y = y, x
    return T.clamp(x, min=y)


def _where_method(d):
    a = d.shape()
    return Sample(d.array(a), d.mask(d.broadcastable(a)), d.choice([1.5, 0]))


def _some_zeros(d, shape=None):
    x = d.array(d.shape() if shape is None else shape)
    if x.size:
        x[d.mask(x.shape)] = 0.0
    return x


def _xlogy(d):
    a = d.shape()
    return Sample(_some_zeros(d, a), d.array(d.broadcastable(a), 0.2, 3.0))


def _clamp_numbers(d):
    x = d.array(d.shape(), away_from=(-0.5, 0.5, 1.0, -1.0))
    which = d.choice(["both", "min", "max", "crossed"])
    lo, hi = d.choice([-1.0, -0.5, 0]), d.choice([0.5, 1.0, 1])
    if which == "min":
        return Sample(x, min=lo)
    if which == "max":
        return Sample(x, max=hi)
    if which == "crossed":
        return Sample(x, hi, lo)  # min > max: everything is max
    return Sample(x, lo, hi)


def _clamp_tensors(d):
    a = d.shape()
    x = d.array(a)
    lo = d.array(d.broadcastable(a, 0), -1.5, 0.0)
    hi = d.array(d.broadcastable(a, 0), 0.0, 1.5)
    which = d.choice(["both", "min", "max"])
    if which == "min":
        return Sample(x, min=lo)
    if which == "max":
        return Sample(x, max=hi)
    return Sample(x, lo, hi)


def _where_samples(d):
    a = d.shape()
    c = d.mask(d.broadcastable(a))
    return Sample(c, d.array(a), d.array(d.broadcastable(a, 0)))


def _where_number(d):
    a = d.shape()
    c = d.mask(d.broadcastable(a))
    n = d.choice([0, 0.5, -2.5, True])
    return Sample(c, d.array(a), n) if d.bool() else Sample(c, n, d.array(a))


def _where_mixed(d):
    a = d.shape()
    c = d.mask(d.broadcastable(a))
    kinds = ["float", "float64", "int", "bool", "number"]
    vals = []
    for _ in range(2):
        k = d.choice(kinds)
        if k == "float":
            vals.append(d.array(d.broadcastable(a, 0)))
        elif k == "float64":
            vals.append(d.array(() if d.bool() else d.broadcastable(a, 0), dtype="float64"))
        elif k == "int":
            vals.append(d.ints(d.broadcastable(a, 0), -3, 4))
        elif k == "bool":
            vals.append(d.mask(d.broadcastable(a, 0)))
        else:
            vals.append(d.choice([1, 2.5, False]))
    return Sample(c, *vals)


def _lerp_tensor(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a)),
                  d.array(d.broadcastable(a, 0), -0.5, 1.5))


def _lerp_number(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a)), d.choice([0.0, 0.3, 0.5, 0.75, 1.0,
                                                                      -0.5, 1.5]))


def _addc(d, away_from_zero=False):
    a = d.shape()
    t2 = d.array(d.broadcastable(a, 0))  # broadcasts with tensor1 too
    if away_from_zero:
        t2 = np.where(t2 < 0, t2 - 0.5, t2 + 0.5)
    return Sample(d.array(a), d.array(d.broadcastable(a, 0)), t2,
                  value=d.choice([1, 0.5, -2.0]))


def _special_values(d):
    """A tensor with some NaN and infinite elements."""
    x = d.array(d.shape())
    if x.size:
        m = d.mask(x.shape)
        x[m] = d.choice([np.nan, np.inf, -np.inf])
        m = d.mask(x.shape)
        x[m] = d.choice([np.nan, np.inf, -np.inf, 0.0])
    return x


def _special_pair(d):
    x = _special_values(d)
    y = _special_values(d)
    return Sample(x, y) if x.shape == y.shape else Sample(x, x)


def _nan_to_num(d):
    x = _special_values(d)
    kw = d.choice([{}, {"nan": 1.5}, {"posinf": 3.0, "neginf": -3.0}, {"nan": -1.0,
                                                                        "posinf": 2.0}])
    return Sample(x, **kw)


def _all_minmax(T, x, y):
    return (T.maximum(x, y), T.minimum(x, y), T.fmax(x, y), T.fmin(x, y))


def _nan_unary(T, x):
    return (x.sign(), x.sgn(), x.clamp(-1, 1), x.relu(), x.floor(), x.round(), x.frac(),
            x.sigmoid(), x.exp(), x.tanh(), x.erf(), x.erfc(), x.abs(), x.reciprocal(),
            x.sqrt(), x.log(), x.atan(), T.nan_to_num(x))


def _erf_large(d):
    return Sample(d.array((d.int(45, 60), d.int(45, 60)), -7.0, 7.0))


def _round_decimals(d):
    x = d.array(d.shape(), -200.0, 200.0)
    return Sample(x, decimals=d.choice([-2, -1, 0, 1, 2, 3]))


def _pow_number(d):
    e = d.choice([2, 3, 0, 1, -1, 0.5, 2.5, -1.5, 2.0, True])
    lo = 0.3 if isinstance(e, float) and not float(e).is_integer() else -2.0
    away = (0.0,) if (isinstance(e, (int, float)) and e < 1) else ()
    return Sample(d.array(d.shape(), lo, 2.0, away_from=away), e)


def _int_pow(d):
    a = d.shape()
    x = d.ints(a, -3, 4, dtype=d.choice(INTS[:4]))
    y = d.ints(d.broadcastable(a), -2, 4, dtype=d.choice(INTS[:4]))
    return Sample(x, y)


def _int_pow_number(d):
    x = _int_array(d, d.shape(), -3, 4, INTS + ("bool",))
    return Sample(x, d.choice([0, 1, 2, 3, 2.5, 0.5, True]))


def _int_rpow(d):
    return Sample(d.choice([2, -1, 1, 3, 2.5]), d.ints(d.shape(), -2, 4, dtype=d.choice(INTS[:4])))


def _nonzero_divisor(lo=-2.0, hi=2.0):
    return _binary(lo, hi, away2=(0.0,), lo2=-2.0, hi2=2.0)


def _div_int_number(d):
    x = _int_array(d, d.shape(), -7, 8, INTS)
    return Sample(x, d.choice([2, -3, 2.5, -0.5]))


def _divisor_sign_values(d):
    """Floats where the dividend sign, divisor sign and zero results all occur."""
    a = d.shape()
    x = _halves(d.ints(a, -8, 9), d)
    y = d.choice([1.0, -1.0, 2.0, -2.0, 0.5])
    return Sample(x, y)


ENTRIES = [
    # -- add / sub / mul ----------------------------------------------------------------
    OpInfo("add", _binary()),
    OpInfo("add", _with_number([2.5, -1.0, 3, 0, True]), id="add_number"),
    OpInfo("add", _with_number([2.5, 3]), fn=lambda T, x, s: s + x, method=False,
           id="radd_number"),
    OpInfo("add", _binary(), fn=lambda T, x, y: T.add(x, y, alpha=2.5), method=False,
           id="add_alpha"),
    OpInfo("add", _with_number([2.5, -1]), fn=lambda T, x, s: T.add(x, s, alpha=-2),
           method=False, id="add_alpha_number"),
    OpInfo("add", _mixed_floats, id="add_mixed_dtypes"),
    OpInfo("add", _int_pair(), dtypes=ONCE, id="add_ints"),
    OpInfo("add", _int_or_float_pair, dtypes=ONCE, id="add_int_float"),
    OpInfo("add", _int_pair(dtypes=("bool",)), fn=lambda T, x, y: T.add(x, y, alpha=True),
           dtypes=ONCE, method=False, id="add_bool_alpha"),
    OpInfo("sub", _binary(), covers=("subtract",)),
    OpInfo("sub", _with_number([2.5, -1.0, 3]), id="sub_number"),
    OpInfo("sub", _binary(), fn=lambda T, x, y: T.subtract(x, y, alpha=0.5), method=False,
           id="sub_alpha"),
    OpInfo("sub", _mixed_floats, fn=lambda T, x, y: x - y, method=False, id="sub_mixed_dtypes"),
    OpInfo("sub", _int_pair(dtypes=INTS), dtypes=ONCE, id="sub_ints"),
    OpInfo("rsub", _binary(), method=False),
    OpInfo("rsub", _with_number([2.5, -1.0, 3]), fn=lambda T, x, s: s - x, method=False,
           id="rsub_number"),
    OpInfo("rsub", _binary(), fn=lambda T, x, y: T.rsub(x, y, alpha=2), method=False,
           id="rsub_alpha"),
    OpInfo("rsub", _with_number([2.5, 3]), fn=lambda T, x, s: T.rsub(x, s, alpha=3),
           method=False, id="rsub_alpha_number"),
    OpInfo("rsub", _int_or_float_pair_no_bool, fn=lambda T, x, y: y - x, dtypes=ONCE,
           method=False, id="rsub_int_float"),
    OpInfo("mul", _binary(), covers=("multiply",)),
    OpInfo("mul", _with_number([2.5, -1.0, 3, 0, True]), id="mul_number"),
    OpInfo("mul", _with_number([2.5, -3]), fn=lambda T, x, s: s * x, method=False,
           id="rmul_number"),
    OpInfo("mul", _mixed_floats, id="mul_mixed_dtypes"),
    OpInfo("mul", _int_pair(), dtypes=ONCE, id="mul_ints"),
    OpInfo("mul", _int_or_float_pair, dtypes=ONCE, id="mul_int_float"),
    # -- division --------------------------------------------------------------------------
    OpInfo("div", _nonzero_divisor(), covers=("divide",)),
    OpInfo("div", _with_number([2.5, -0.5, 3, True]), id="div_number"),
    OpInfo("div", _with_number([2.5, -3], away=(0.0,)), fn=lambda T, x, s: s / x,
           method=False, id="rdiv_number"),
    OpInfo("div", _mixed_floats, fn=lambda T, x, y: x / y, method=False, id="div_mixed_dtypes"),
    OpInfo("div", _int_pair(nonzero_other=True), dtypes=ONCE, id="div_ints"),
    OpInfo("div", _div_int_number, dtypes=ONCE, id="div_int_number"),
    OpInfo("true_divide", _nonzero_divisor()),
    OpInfo("div", _nonzero_divisor(-5.0, 5.0),
           fn=lambda T, x, y: T.div(x, y, rounding_mode="trunc"), method=False, id="div_trunc"),
    OpInfo("div", _nonzero_divisor(-5.0, 5.0),
           fn=lambda T, x, y: x.div(y, rounding_mode="floor"), method=False, id="div_floor"),
    OpInfo("div", _divisor_sign_values, fn=lambda T, x, y: (
        T.div(x, y, rounding_mode="trunc"), T.divide(x, y, rounding_mode="floor")),
        method=False, grad=False, id="div_rounding_signs"),
    OpInfo("div", _int_pair(-9, 10, INTS, nonzero_other=True), fn=lambda T, x, y: (
        T.div(x, y, rounding_mode="trunc"), T.div(x, y, rounding_mode="floor")),
        dtypes=ONCE, method=False, id="div_rounding_ints"),
    OpInfo("floor_divide", _nonzero_divisor(-5.0, 5.0), grad=False),
    OpInfo("floor_divide", _divisor_sign_values, fn=lambda T, x, y: (x // y, 7.5 // x),
           grad=False, method=False, id="floordiv_operator"),
    OpInfo("floor_divide", _int_pair(-9, 10, INTS, nonzero_other=True),
           fn=lambda T, x, y: x // y, dtypes=ONCE, method=False, id="floordiv_ints"),
    OpInfo("remainder", _nonzero_divisor(-5.0, 5.0)),
    OpInfo("remainder", _with_number([2.5, -1.5, 3]), id="remainder_number"),
    OpInfo("remainder", _divisor_sign_values, fn=lambda T, x, y: x % y, method=False,
           grad=False, id="remainder_signs"),
    OpInfo("remainder", _with_number([2.5, -1.5], away=(0.0,)), fn=lambda T, x, s: s % x,
           grad=False, method=False, id="rremainder_number"),
    OpInfo("remainder", _int_pair(-9, 10, INTS, nonzero_other=True), fn=lambda T, x, y: (
        x % y, T.remainder(x, 3), T.remainder(-7, y)), dtypes=ONCE, method=False,
        id="remainder_ints"),
    OpInfo("fmod", _nonzero_divisor(-5.0, 5.0)),
    OpInfo("fmod", _with_number([2.5, -1.5, 3]), id="fmod_number"),
    OpInfo("fmod", _divisor_sign_values, grad=False, id="fmod_signs"),
    OpInfo("fmod", _int_pair(-9, 10, INTS, nonzero_other=True), dtypes=ONCE, id="fmod_ints"),
    # -- powers ----------------------------------------------------------------------------
    OpInfo("pow", _positive_base),
    OpInfo("pow", _pow_number, id="pow_number"),
    OpInfo("pow", _positive_base, fn=lambda T, x, y: x ** y, method=False, id="pow_operator"),
    OpInfo("pow", _with_number([2.5, 0.5, 2]), fn=lambda T, x, s: s ** x, method=False,
           id="rpow_number"),
    OpInfo("pow", _with_number([0, 0.0], 0.1, 2.0), fn=lambda T, x, s: T.pow(s, x),
           method=False, id="rpow_zero"),
    OpInfo("pow", _mixed_floats_positive, id="pow_mixed_dtypes"),
    OpInfo("pow", _int_pow, dtypes=ONCE, id="pow_ints"),
    OpInfo("pow", _int_pow_number, dtypes=ONCE, id="pow_int_number"),
    OpInfo("pow", _int_rpow, fn=lambda T, s, i: s ** i, dtypes=ONCE, method=False,
           id="rpow_ints"),
    OpInfo("float_power", _positive_base),
    OpInfo("float_power", _with_number([2, 0.5, -1], 0.3, 2.0), id="float_power_number"),
    OpInfo("float_power", _with_number([2.5]), fn=lambda T, x, s: T.float_power(s, x),
           method=False, id="float_power_base"),
    OpInfo("square", _unary()),
    OpInfo("sqrt", _unary(0.1, 3.0)),
    OpInfo("rsqrt", _unary(0.1, 3.0)),
    OpInfo("reciprocal", _unary(away=(0.0,))),
    # -- sign-like ---------------------------------------------------------------------------
    OpInfo("neg", _unary(), covers=("negative",)),
    OpInfo("neg", _unary(), fn=lambda T, x: -x, method=False, id="neg_operator"),
    OpInfo("positive", _unary(), node=False),
    OpInfo("abs", _unary(away=(0.0,)), covers=("absolute",)),
    OpInfo("abs", _unary(away=(0.0,)), fn=lambda T, x: abs(x), method=False, id="abs_operator"),
    OpInfo("sign", _unary()),
    OpInfo("sgn", _unary(), grad=False),  # PyTorch's gradient is a ZeroTensor (see errors test)
    OpInfo("sign", _unary_on_ints, fn=_dtype_kept_ops, dtypes=ONCE, method=False,
           id="dtype_kept_ops_on_ints"),
    # -- exponentials, logarithms, trigonometry ----------------------------------------------
    OpInfo("exp", _unary()),
    OpInfo("exp2", _unary()),
    OpInfo("expm1", _unary()),
    OpInfo("log", _unary(0.1, 3.0)),
    OpInfo("log2", _unary(0.1, 3.0)),
    OpInfo("log10", _unary(0.1, 3.0)),
    OpInfo("log1p", _unary(-0.8, 3.0)),
    OpInfo("sin", _unary()),
    OpInfo("cos", _unary()),
    OpInfo("tan", _unary(-1.2, 1.2)),
    OpInfo("asin", _unary(-0.9, 0.9), covers=("arcsin",)),
    OpInfo("acos", _unary(-0.9, 0.9), covers=("arccos",)),
    OpInfo("atan", _unary(), covers=("arctan",)),
    OpInfo("atan2", _binary(away=(0.0,)), covers=("arctan2",)),
    OpInfo("sinh", _unary()),
    OpInfo("cosh", _unary()),
    OpInfo("tanh", _unary()),
    OpInfo("asinh", _unary(), covers=("arcsinh",)),
    OpInfo("acosh", _unary(1.1, 3.0), covers=("arccosh",)),
    OpInfo("atanh", _unary(-0.9, 0.9), covers=("arctanh",)),
    OpInfo("sigmoid", _unary(-6.0, 6.0)),
    OpInfo("relu", _unary(away=(0.0,))),
    OpInfo("erf", _unary(-3.0, 3.0)),
    OpInfo("erfc", _unary(-3.0, 3.0)),
    OpInfo("erf", _erf_large, fn=lambda T, x: (x.erf(), x.erfc()), method=False, examples=3,
           id="erf_large"),
    OpInfo("exp", _unary_on_ints, fn=_float_ops_of_ints, dtypes=ONCE, method=False,
           id="float_ops_on_ints"),
    # (signed: PyTorch's atan2 gradient negates a uint8 or bool input before promoting it)
    OpInfo("atan2", lambda d: _int_or_float_pair(d, False, INTS[:4]), fn=lambda T, x, y: (
        T.atan2(x, y) if isinstance(y, T.Tensor) else T.copysign(x, y)), dtypes=ONCE,
        method=False, id="atan2_copysign_ints"),
    # -- clamp, maximum, where, lerp ---------------------------------------------------------
    OpInfo("clamp", _clamp_numbers, covers=("clip",)),
    OpInfo("clamp", _clamp_tensors, id="clamp_tensors"),
    OpInfo("clamp", _clamp_numbers, fn=lambda T, x, *a, **k: x.clip(*a, **k), method=False,
           id="clip_method"),
    OpInfo("clamp_min", _with_number([0.5, -1.0, 0], away=(0.5, -1.0, 0.0))),
    OpInfo("clamp_min", _distinct, id="clamp_min_tensor"),
    OpInfo("clamp_max", _with_number([0.5, -1.0, 0], away=(0.5, -1.0, 0.0))),
    OpInfo("clamp_max", _distinct, id="clamp_max_tensor"),
    OpInfo("clamp", _int_or_float_pair_no_bool, fn=_clamp_mixed, dtypes=ONCE, method=False,
           id="clamp_int_float"),
    OpInfo("maximum", _distinct),
    OpInfo("maximum", _ties, gradgrad=False, id="maximum_ties"),
    OpInfo("minimum", _distinct),
    OpInfo("minimum", _ties, gradgrad=False, id="minimum_ties"),
    OpInfo("fmax", _distinct),
    OpInfo("fmin", _distinct),
    OpInfo("maximum", _int_pair(), fn=_all_minmax, dtypes=ONCE, method=False,
           id="minmax_ints"),
    OpInfo("maximum", _special_pair, fn=_all_minmax, grad=False, method=False,
           id="minmax_nan"),
    OpInfo("where", _where_samples, method=False),
    OpInfo("where", _where_number, method=False, id="where_number"),
    OpInfo("where", _where_mixed, method=False, id="where_mixed"),
    OpInfo("where", _where_method, fn=lambda T, x, c, y: x.where(c, y), method=False,
           id="where_method"),
    OpInfo("where", lambda d: Sample(d.mask(d.shape())), method=False, grad=False,
           id="where_nonzero"),
    OpInfo("lerp", _lerp_number),
    OpInfo("lerp", _lerp_tensor, id="lerp_tensor"),
    OpInfo("addcmul", _addc),
    OpInfo("addcdiv", lambda d: _addc(d, True)),
    # -- rounding ------------------------------------------------------------------------------
    OpInfo("floor", _unary(-5.0, 5.0)),
    OpInfo("ceil", _unary(-5.0, 5.0)),
    OpInfo("round", _unary(-5.0, 5.0)),
    OpInfo("round", lambda d: Sample(_halves(d.ints(d.shape(), -8, 9), d)), grad=False,
           id="round_halves"),
    OpInfo("round", _round_decimals, id="round_decimals"),
    OpInfo("trunc", _unary(-5.0, 5.0), covers=("fix",)),
    OpInfo("frac", _unary(-5.0, 5.0, away=(-4, -3, -2, -1, 0, 1, 2, 3, 4))),
    OpInfo("sign", lambda d: Sample(_special_values(d)), fn=_nan_unary, grad=False, method=False,
           id="unary_nan_inf"),
    # -- binary float ops ------------------------------------------------------------------
    OpInfo("copysign", _binary(away=(0.0,))),
    OpInfo("copysign", _with_number([-1.0, 2.0, -0.0, 0.0, 3, -2], away=(0.0,)),
           id="copysign_number"),
    OpInfo("logaddexp", _binary(-3.0, 3.0)),
    OpInfo("logaddexp2", _binary(-3.0, 3.0)),
    OpInfo("hypot", _binary(away=(0.0,))),
    OpInfo("xlogy", _xlogy),
    OpInfo("xlogy", lambda d: Sample(_some_zeros(d), d.choice([0.5, 2.0, 3])),
           id="xlogy_number"),
    OpInfo("xlogy", lambda d: Sample(d.choice([0.0, 2.5, -1]), d.array(d.shape(), 0.2, 3.0)),
           method=False, id="xlogy_number_first"),
    OpInfo("xlogy", _special_pair, grad=False, id="xlogy_nan"),
    OpInfo("nan_to_num", _nan_to_num),
]
